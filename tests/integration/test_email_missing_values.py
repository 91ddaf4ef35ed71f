"""A customer who gave no name gets "Hello," (in their language), never "Hello ,"."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from tests.helpers import text_of
from tests.integration.test_email_texts import _editor_fields
from webapp.extensions import db
from webapp.outbox import queue_email
from webapp.services.tickets import NewTicket, create_ticket

GREETING_WITHOUT_NAME = {
    "en": "Hello,",
    "pl": "Dzień dobry,",
    "ru": "Здравствуйте!",
    "sl": "Pozdravljeni,",
}


@pytest.fixture
def app_config(smtp_config) -> dict:
    return smtp_config


def _confirmation_without_name(locale: str, email: str):
    """A confirmation for a request whose customer left the name empty and has no deadline."""
    ticket = create_ticket(NewTicket(subject="Slow delivery", customer_name=""))
    db.session.flush()
    context = {
        "ticket": ticket,
        "number": ticket.number,
        "name": ticket.customer_name,
        "status_link": "http://loopdesk.test/t/abc",
        "first_response_due": None,
    }
    return queue_email(email, "ticket_confirmation", locale, context)


def _first_paragraph(html: str) -> str:
    body = html.split("</td></tr>", 1)[1]  # after the layout's "Loopdesk" header
    return html_lib.unescape(re.search(r"<p>(.*?)</p>", body, re.S).group(1))


@pytest.mark.parametrize("locale", sorted(GREETING_WITHOUT_NAME))
def test_own_text_started_from_the_built_in_greets_a_nameless_customer_naturally(
    app, client, login, post_form, admin, smtp_server, run_jobs, locale
):
    login(admin)
    page = client.get(f"/admin/email-templates/ticket_confirmation/{locale}")
    subject, body = _editor_fields(page.get_data(as_text=True))
    assert "{name}" in body.splitlines()[0]
    saved = post_form(
        f"/admin/email-templates/ticket_confirmation/{locale}",
        {"subject": subject, "body": body + "\n\nLoopdesk Team", "revision": "0"},
    )
    assert saved.status_code == 303

    _confirmation_without_name(locale, f"{locale}@example.com")
    db.session.commit()
    run_jobs()
    (received,) = smtp_server.messages
    plain = received.get_body(("plain",)).get_content()
    greeting = GREETING_WITHOUT_NAME[locale]
    assert plain.splitlines()[0] == greeting
    assert _first_paragraph(received.get_body(("html",)).get_content()) == greeting
    assert " ," not in plain and ", !" not in plain and ",," not in plain
    # No deadline: the sentence about it is left out, not "… by ."
    assert not re.search(r"\s[.:]\s*$", plain, re.M)
    assert "Loopdesk Team" in plain


@pytest.mark.parametrize("locale", sorted(GREETING_WITHOUT_NAME))
def test_built_in_e_mails_greet_without_a_name_in_every_language(app, builtin_forms, locale):
    with app.test_request_context():
        customer = _confirmation_without_name(locale, "c@example.com")
        staff = queue_email(
            "s@example.com", "password_reset", locale, {"name": "  ", "link": "http://x.test/r"}
        )
    for message in (customer, staff):
        assert message.body_text.splitlines()[0] == GREETING_WITHOUT_NAME[locale]
        assert _first_paragraph(message.body_html) == GREETING_WITHOUT_NAME[locale]
    db.session.rollback()


def test_the_editor_says_how_lines_read_when_a_value_is_missing(client, login, post_form, admin):
    login(admin)
    page = text_of(client.get("/admin/email-templates/ticket_confirmation/ru"))
    assert "“Hello {name},” reads “Hello,”" in page  # the help beside the editor
    assert "When a value is missing" in page
    assert "Without {name} (the recipient's name): Здравствуйте! Without" in page
    assert "Without {first_response_due} (when the first reply is due): the line" in page
    assert "is left out." in page
    preview = post_form(
        "/admin/email-templates/ticket_confirmation/en/preview",
        {"subject": "Got it, {name}", "body": "Hi {name}, thanks!\n\n{status_link}"},
        htmx=True,
    )
    shown = text_of(preview)
    assert "name): Got it Without" in shown and "name): Hi, thanks!" in shown


def test_without_a_deadline_only_its_sentence_is_left_out(
    app, builtin_forms, login, post_form, admin
):
    body = (
        "Hi {name},\n\nThanks. {number} reached our team; we reply by {first_response_due}.\n"
        "\n{status_link}\n"
    )
    login(admin)
    preview = post_form(
        "/admin/email-templates/ticket_confirmation/en/preview",
        {"subject": "Got it", "body": body},
        htmx=True,
    )
    assert "is due): Thanks. LD-1042 reached our team." in text_of(preview)
    post_form(
        "/admin/email-templates/ticket_confirmation/en",
        {"subject": "Got it", "body": body, "revision": "0"},
    )
    with app.test_request_context():
        message = _confirmation_without_name("en", "c@example.com")
    greeting, blank, thanks = message.body_text.splitlines()[:3]
    assert (greeting, blank) == ("Hi,", "")
    assert re.fullmatch(r"Thanks\. \S+ reached our team\.", thanks)
    db.session.rollback()


def test_a_canned_reply_greets_a_nameless_customer_without_a_stray_space(
    app, builtin_forms, agent, smtp_server, run_jobs
):
    from tests.helpers import make_ticket
    from webapp.services.replies import send_public_reply

    ticket = make_ticket(customer_name="", customer_email="anon@example.com", customer_locale="en")
    send_public_reply(ticket, "Hi {name},\n\nIt is fixed. {agent}", agent)
    db.session.commit()
    run_jobs()
    (received,) = [m for m in smtp_server.messages if "Reply to your request" in m["Subject"]]
    plain = received.get_body(("plain",)).get_content()
    assert "Hi,\r\n\r\nIt is fixed. Ada Agent" in plain
