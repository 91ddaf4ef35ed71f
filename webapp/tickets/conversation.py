"""The form conversation behind a ticket, as chat bubbles for staff and as text for e-mail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from survey_forms import conversation
from survey_forms.conversation import Exchange
from survey_forms.definition import FormDefinition, Question
from webapp.extensions import db
from webapp.models import Response, Ticket
from webapp.services.forms import context_of, definition_for

KNOWN_METADATA = ("page_url", "referrer", "user_agent", "country")


@dataclass(frozen=True)
class Conversation:
    """What the customer was asked and answered, in the language they used."""

    response: Response
    definition: FormDefinition
    lang: str
    exchanges: list[Exchange]

    def text(self, texts: Any) -> str:
        return self.definition.text(texts, self.lang)

    def pipe(self, text: str) -> str:
        return conversation.pipe(text, self.response.answers)

    def question_text(self, question: Question) -> str:
        return self.pipe(self.text(question.text))


def conversation_of(ticket: Ticket) -> Conversation | None:
    """The response that created the ticket (None for tickets made another way)."""
    response = db.session.scalar(
        select(Response).where(Response.ticket_id == ticket.id).order_by(Response.id).limit(1)
    )
    if response is None:
        return None
    definition = definition_for(response.form_version_id)
    exchanges = conversation.transcript(definition, response.answers, **context_of(response))
    return Conversation(response, definition, response.locale, exchanges)


def metadata_of(ticket: Ticket, talk: Conversation | None) -> tuple[dict, dict]:
    """(where-and-how metadata, hidden fields) of the ticket's response."""
    if talk is not None:
        return dict(talk.response.meta or {}), dict(talk.response.hidden or {})
    merged = dict((ticket.facts or {}).get("metadata") or {})
    known = {k: merged.pop(k) for k in KNOWN_METADATA if k in merged}
    return known, merged


def answer_as_text(question: Question, answer: Any, talk: Conversation) -> str:
    """An answer as plain text (for e-mail), like templates/public/_answer_text.html."""
    if answer is None:
        return gettext("Skipped")
    if question.type == "goal":
        return gettext("Yes") if answer == "yes" else gettext("No")
    if question.type == "rating":
        return "★" * int(answer) + "☆" * (5 - int(answer))
    if question.type == "consent":
        return gettext("I agree")
    if question.type in ("single_choice", "multi_choice"):
        chosen = answer if isinstance(answer, list) else [answer]
        return ", ".join(talk.text(c.label) for c in question.choices if c.value in chosen)
    if question.type == "file":
        return (answer or {}).get("name", "") if isinstance(answer, dict) else str(answer)
    if isinstance(answer, list):
        return ", ".join(map(str, answer))
    return str(answer)


def conversation_as_text(ticket: Ticket, talk: Conversation | None) -> list[tuple[str, str]]:
    """(question, answer) pairs for a forwarded e-mail; the stored answers when no form."""
    if talk is not None:
        return [
            (talk.question_text(ex.question), answer_as_text(ex.question, ex.answer, talk))
            for ex in talk.exchanges
        ]
    answers = (ticket.facts or {}).get("answers") or {}
    return [
        (str(key), ", ".join(map(str, value)) if isinstance(value, list) else str(value))
        for key, value in answers.items()
        if value is not None and not isinstance(value, dict)
    ]
