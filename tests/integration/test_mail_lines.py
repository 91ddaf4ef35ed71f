"""What customers read in built-in e-mails: the reply deadline in the confirmation."""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, datetime

import pytest
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
        ({}, "ru", "не позднее 7 декабря 2026\u202fг., 13:00 (UTC)."),  # CLDR's narrow space
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
