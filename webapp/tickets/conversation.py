"""The form conversation behind a ticket, as chat bubbles for staff and as text for e-mail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import render_template
from flask_babel import force_locale, get_locale, gettext
from markupsafe import Markup
from sqlalchemy import select

from survey_forms import conversation
from survey_forms.conversation import Exchange
from survey_forms.definition import FormDefinition, Question
from webapp.erased_text import ERASED
from webapp.extensions import db
from webapp.models import Response, Ticket
from webapp.services.forms import context_of, definition_for, find_form_and_active_version

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

    def erased(self, exchange: Exchange) -> bool:
        """Whether the answer was erased on the customer's request (only the marker is left)."""
        answer = exchange.answer
        return (answer.get("name") if isinstance(answer, dict) else answer) == ERASED

    def answer_lang(self, exchange: Exchange) -> str:
        """The language of the answer's bubble: the customer's, but an erased answer is only
        the reader's note that it was erased ("[usunięto]"), in the reader's language."""
        return str(get_locale()) if self.erased(exchange) else self.lang

    def answer_html(self, exchange: Exchange) -> Markup:
        """An answer as the customer saw it, in their language ("Да", "Я даю согласие"), as its
        question and choices are; in `answer_lang`, which marks its bubble."""
        with force_locale(self.answer_lang(exchange)):
            rendered = render_template("public/_answer_text.html", ex=exchange, t=self.text)
        return Markup(rendered)  # noqa: S704 - a template's autoescaped output


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


@dataclass(frozen=True)
class FormWording:
    """The form behind a ticket in the reader's language: its title, its questions' texts."""

    title: str
    questions: dict[str, str]
    # The labels of choice answers by question id and stored value ("bug" -> "Something broke").
    choices: dict[str, dict[str, str]] = field(default_factory=dict)

    def answer_text(self, question_id: str, value: Any) -> str:
        """A stored answer as the reader says it: choice labels, not the values behind them."""
        labels = self.choices.get(question_id, {})
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in values)


def form_wording(
    ticket: Ticket, talk: Conversation | None, lang: str, answer_lang: str | None = None
) -> FormWording:
    """From the response's own version, else the form's active version (tickets made
    without a response still name their form and keep its answers by question id).
    `answer_lang`: the language of the answers' words (choices, Yes/No), if not `lang`."""
    definition = talk.definition if talk is not None else None
    if definition is None and ticket.form_slug:
        _form, version_id = find_form_and_active_version(ticket.form_slug)
        definition = definition_for(version_id) if version_id else None
    if definition is None:
        return FormWording(ticket.form_slug or "", {})
    answers = (ticket.facts or {}).get("answers") or {}
    return FormWording(
        definition.text(definition.title, lang) or ticket.form_slug or "",
        {
            q.id: conversation.pipe(definition.text(q.text, lang), answers)
            for q in definition.questions
        },
        {q.id: _answer_labels(definition, q, answer_lang or lang) for q in definition.questions},
    )


def _answer_labels(definition: FormDefinition, question: Question, lang: str) -> dict[str, str]:
    if question.type == "goal":
        with force_locale(lang):
            return {"yes": gettext("Yes"), "no": gettext("No")}
    return {c.value: definition.text(c.label, lang) or c.value for c in question.choices}


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
    wording = form_wording(ticket, None, str(get_locale())) if answers else FormWording("", {})
    return [
        (wording.questions.get(key, str(key)), wording.answer_text(key, value))
        for key, value in answers.items()
        if value is not None and not isinstance(value, dict)
    ]
