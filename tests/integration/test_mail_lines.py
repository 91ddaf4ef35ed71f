"""What customers read in built-in e-mails: deadlines, and the text's lines in the HTML part."""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, datetime

import pytest
from flask import render_template
from flask_babel import force_locale

from webapp.extensions import db
from webapp.outbox import queue_email
from webapp.services import email_texts
from webapp.services.tickets import NewTicket, create_ticket

DUE = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)


def lines_as_shown(body_html: str) -> list[str]:
    """The HTML part's lines as a mail client that ignores CSS (white-space) shows them."""
    body = re.search(r"<body.*</body>", body_html, re.S).group(0)
    body = re.sub(r"[ \t\r\n]+", " ", body)  # line breaks in the HTML source are only spaces
    body = re.sub(r"<br\s*/?>|</?(p|div|tr|td|h\d|li|blockquote|table)\b[^>]*>", "\n", body)
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", body))
    return [line.strip(" ") for line in text.split("\n") if line.strip()]


def confirmation(locale: str):
    ticket = create_ticket(NewTicket(subject="Slow delivery", customer_name="Ana"))
    db.session.flush()
    context = {
        "ticket": ticket,
        "number": ticket.number,
        "name": "Ana",
        "status_link": "http://loopdesk.test/t/x",
        "first_response_due": DUE,
    }
    return queue_email("ana@example.com", "ticket_confirmation", locale, context)


@pytest.mark.parametrize(
    ("app_config", "locale", "expected"),
    [
        ({}, "ru", "ответа: 7 декабря 2026\u202fг., 13:00 (UTC)."),  # CLDR's narrow space
        ({}, "sl", "7. december 2026 13:00 (UTC)."),
        ({}, "en", "by December 7, 2026, 1:00\u202fPM (UTC)."),
        ({"BABEL_DEFAULT_TIMEZONE": "Europe/Warsaw"}, "pl", "7 grudnia 2026 14:00 (CET)."),
    ],
    ids=["ru", "sl", "en", "pl-warsaw"],
)
def test_confirmation_gives_the_reply_deadline_without_seconds_and_with_the_zone(
    app, builtin_forms, locale, expected
):
    with app.test_request_context():
        message = confirmation(locale)
    assert expected in message.body_text
    assert any(expected in line for line in lines_as_shown(message.body_html))
    assert ":00:00" not in message.body_text + message.body_html


def test_own_confirmation_text_gives_the_deadline_the_same_way(app, builtin_forms):
    with app.test_request_context(), force_locale("ru"):
        values = email_texts.placeholder_values("ticket_confirmation", {"first_response_due": DUE})
    assert values["first_response_due"] == "7 декабря 2026\u202fг., 13:00 (UTC)"


def _ticket():
    ticket = create_ticket(NewTicket(subject="Great support, small delay", customer_name="Ana"))
    db.session.flush()
    return ticket


def _survey(ticket) -> dict:
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "name": "Ana",
        "question": "How did we do?",
        "scores": [{"value": n, "url": f"http://loopdesk.test/s/x/{n}"} for n in (1, 2, 3)],
        "unsubscribe_url": "http://loopdesk.test/unsubscribe/x",
    }


EMAILS_FROM_LINES = {
    "survey_invitation": _survey,
    "testimonial_request": lambda ticket: {
        "ticket": ticket,
        "number": ticket.number,
        "name": "Ana",
        "review_url": "",
        "unsubscribe_url": "http://loopdesk.test/unsubscribe/x",
    },
    "ticket_routed": lambda ticket: {
        "ticket": ticket,
        "number": ticket.number,
        "name": "Ola",
        "for_team": True,
        "team": "Billing",
        "link": "http://loopdesk.test/tickets/1",
    },
    "webhook_disabled": lambda ticket: {
        "name": "Ann",
        "webhook": "CRM sync",
        "url": "https://crm.example/hook",
        "reason": "HTTP 500",
        "failures": 10,
        "link": "http://loopdesk.test/admin/webhooks/1",
    },
}


def test_survey_invitation_html_keeps_the_subject_on_its_own_line(app, builtin_forms):
    with app.test_request_context():
        ticket = _ticket()
        message = queue_email("ana@example.com", "survey_invitation", "en", _survey(ticket))
    shown = lines_as_shown(message.body_html)
    resolved = f"We recently resolved your request {ticket.number}: Great support, small delay"
    assert resolved in shown
    assert shown[shown.index(resolved) + 1] == (
        "Would you tell us how it went? One click is all it takes."
    )


@pytest.mark.parametrize("template", sorted(EMAILS_FROM_LINES))
@pytest.mark.parametrize("locale", ["en", "pl", "ru", "sl"])
def test_every_line_of_the_text_is_a_line_of_the_html(app, builtin_forms, template, locale):
    with app.test_request_context():
        context = EMAILS_FROM_LINES[template](_ticket())
        message = queue_email("ana@example.com", template, locale, context)
        with force_locale(locale):
            text = render_template(f"email/_{template}_lines.txt", **context)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert len(lines) > 1
    shown = lines_as_shown(message.body_html)
    assert [line for line in lines if line not in shown] == []


def test_text_lines_in_html_are_still_escaped(app, builtin_forms):
    payload = '<img src=x onerror="alert(1)">\nsecond line'
    with app.test_request_context():
        ticket = create_ticket(NewTicket(subject=payload, customer_name="Ana"))
        db.session.flush()
        message = queue_email("ana@example.com", "survey_invitation", "en", _survey(ticket))
    assert "<img" not in message.body_html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in message.body_html
