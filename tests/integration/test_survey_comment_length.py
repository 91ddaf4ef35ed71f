"""A survey comment over the limit is refused whole, in the customer's language, never cut.

The box says its limit (maxlength); a longer comment that arrives anyway (no JavaScript, an
old page) comes back in the box with the reason beside it, and nothing of it is kept.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from tests.helpers import text_of
from tests.integration import test_surveys
from tests.integration.test_surveys import (
    event_kinds,
    invitation_of,
    later,
    resolved_ticket,
    run_survey_job,
)
from webapp.extensions import db
from webapp.models import TicketEvent
from webapp.services import surveys

app_config = test_surveys.app_config  # a real SMTP server, no rate limit
resolver = test_surveys.resolver  # Lea, an admin who resolves the ticket


def answered_survey(resolver, run_jobs, client) -> tuple:
    """A Polish customer's survey, answered with a score; the comment is still to come."""
    ticket = resolved_ticket(resolver)
    run_survey_job(run_jobs, later(25))
    token = invitation_of(ticket).token
    client.post(f"/s/{token}", data={"score": "4"})
    return ticket, token


def saved_comment(ticket) -> str:
    invitation = invitation_of(ticket)
    return surveys.current_answer(invitation, surveys.survey_form(invitation)).comment


def box_of(page: str) -> str:
    return unescape(
        re.search(r'<textarea id="survey-comment"[^>]*>(.*?)</textarea>', page, re.S)[1]
    )


@pytest.mark.parametrize(
    ("locale", "message"),
    [
        ("pl", "Skróć odpowiedź do 5000 znaków."),
        ("ru", "Сократите ответ до 5000 символов."),
        ("sl", "Odgovor skrajšajte na največ 5000 znakov."),
        ("en", "Please keep it under 5000 characters."),
    ],
)
def test_a_too_long_comment_comes_back_in_the_box_with_the_reason(
    resolver, client, smtp_server, run_jobs, locale, message
):
    ticket, token = answered_survey(resolver, run_jobs, client)
    thanks = client.get(f"/s/{token}?lang={locale}").text
    assert re.search(r'<textarea id="survey-comment"[^>]*maxlength="5000"', thanks)

    typed = "Obsługa <b>świetna</b>, " + "x" * 5000
    sent = client.post(f"/s/{token}?lang={locale}", data={"score": "4", "comment": typed})
    assert sent.status_code == 422
    assert message in text_of(sent)
    assert box_of(sent.text) == typed  # all of it, escaped, for them to shorten
    assert 'aria-describedby="comment-error"' in sent.text
    assert saved_comment(ticket) == ""  # nothing kept, not even its first 5000 characters
    assert "survey_comment" not in event_kinds(ticket)


def test_a_comment_of_exactly_the_limit_with_line_breaks_is_kept_whole(
    resolver, client, smtp_server, run_jobs
):
    """The browser counts a line break as one character and sends it as two (CR LF)."""
    ticket, token = answered_survey(resolver, run_jobs, client)
    typed = ("Dobrze.\n" + "y" * 91 + "\n") * 50  # 5000 characters as the box counts them
    assert len(typed) == 5000
    sent = client.post(f"/s/{token}", data={"score": "4", "comment": typed.replace("\n", "\r\n")})
    assert sent.status_code == 303
    assert "Dziękujemy, komentarz został dodany." in text_of(client.get(sent.headers["Location"]))
    assert saved_comment(ticket) == typed.strip()
    event = db.session.scalars(
        select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "survey_comment"
        )
    ).one()
    assert event.data["text"] == typed.strip()  # what the team reads is not cut either
