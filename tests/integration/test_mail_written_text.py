"""What people wrote (replies, notes, task notes, shares) keeps its lines in the HTML part.

Mail clients ignore CSS `white-space`, so each line must be its own paragraph or <br>, and
the text stays escaped.
"""

from __future__ import annotations

import pytest

from tests.helpers import make_ticket
from tests.integration.test_mail_lines import lines_as_shown
from webapp.extensions import db
from webapp.outbox import queue_email
from webapp.services.notes import add_note
from webapp.services.replies import send_public_reply

WRITTEN = "<script>alert(1)</script> First line\nSecond line"
FIRST, SECOND = "<script>alert(1)</script> First line", "Second line"


@pytest.fixture
def app_config(smtp_config) -> dict:
    return smtp_config


def _assert_two_escaped_lines(html: str) -> None:
    shown = lines_as_shown(html)
    assert FIRST in shown and SECOND in shown
    assert shown.index(SECOND) == shown.index(FIRST) + 1
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "pre-line" not in html


def test_a_two_line_reply_arrives_as_two_lines_in_the_html_part(
    app, builtin_forms, agent, smtp_server, run_jobs
):
    ticket = make_ticket(customer_email="jan@example.com", customer_locale="en")
    send_public_reply(ticket, WRITTEN, agent)
    db.session.commit()
    run_jobs()
    (received,) = [m for m in smtp_server.messages if "Reply to your request" in m["Subject"]]
    _assert_two_escaped_lines(received.get_body(("html",)).get_content())
    plain = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert f"{FIRST}\n{SECOND}" in plain


def test_a_two_line_note_reaches_the_mentioned_colleague_as_two_lines(
    app, builtin_forms, agent, create_user, smtp_server, run_jobs
):
    colleague = create_user(email="bea@example.com", name="Bea")
    ticket = make_ticket()
    add_note(ticket, WRITTEN, agent, mention_ids=[colleague.id])
    db.session.commit()
    run_jobs()
    (received,) = [m for m in smtp_server.messages if m["To"] == "bea@example.com"]
    _assert_two_escaped_lines(received.get_body(("html",)).get_content())


def _reminder(ticket):
    return {
        "ticket": ticket,
        "number": ticket.number,
        "name": "Ada",
        "state_label": "New",
        "link": "http://loopdesk.test/tickets/1",
        "note": WRITTEN,
    }


def _task(ticket):
    from types import SimpleNamespace

    task = SimpleNamespace(title="Call back", notes=WRITTEN)
    return {
        "ticket": ticket,
        "number": ticket.number,
        "name": "Ada",
        "kind": "assigned",
        "actor": "Ola",
        "task": task,
        "link": "http://loopdesk.test/tickets/1",
    }


def _share(ticket):
    return {
        "ticket": ticket,
        "number": ticket.number,
        "sender": "Ola",
        "note": WRITTEN,
        "conversation": [("What went wrong?", WRITTEN)],
        "scope": "conversation",
        "link": None,
        "state_label": "New",
    }


@pytest.mark.parametrize(
    ("template", "context"),
    [("reminder_due", _reminder), ("task_notice", _task), ("ticket_shared", _share)],
)
def test_other_written_text_keeps_its_lines(app, builtin_forms, template, context):
    ticket = make_ticket()
    with app.test_request_context():
        message = queue_email("ada@example.com", template, "en", context(ticket))
    _assert_two_escaped_lines(message.body_html)
    if template == "ticket_shared":  # the answer is quoted line by line in the plain text
        assert f"> {FIRST}\n> {SECOND}" in message.body_text
    db.session.rollback()


def test_a_reply_of_one_long_paragraph_reaches_the_customer_whole(
    app, builtin_forms, agent, smtp_server, run_jobs
):
    """SMTP refuses lines over 998 characters: the reply was retried and never delivered."""
    paragraph = " ".join(["Zażółć gęślą jaźń, sprawdziliśmy Twoje zamówienie."] * 80)
    ticket = make_ticket(customer_email="jan@example.com", customer_locale="pl")
    send_public_reply(ticket, paragraph, agent)
    db.session.commit()
    run_jobs()
    (received,) = [m for m in smtp_server.messages if m["To"] == "jan@example.com"]
    assert all(len(line) <= 998 for line in received.as_bytes().splitlines())
    assert paragraph in received.get_body(("plain",)).get_content()
    assert paragraph in received.get_body(("html",)).get_content()
