"""Own texts for e-mails that give the customer their status link never drop that link.

The confirmation, status updates and agents' replies are the customer's way back to their
request: a text without {status_link} is refused on save, and one stored earlier sends the
built-in text instead and is flagged on the admin pages (the same rule as for {link}).
"""

import pytest
from sqlalchemy import select

from tests.helpers import make_ticket, text_of
from tests.integration.test_email_texts_without_link import received, stored_before_the_rule
from webapp.extensions import db
from webapp.models import EmailTemplateText

STATUS_LINK = "http://loopdesk.test/t/"


@pytest.fixture
def app_config(smtp_config) -> dict:
    return {**smtp_config, "FORM_MIN_SECONDS_FIRST_ANSWER": 0}


def plain_text(mail) -> str:
    return mail.get_body(("plain",)).get_content()


@pytest.mark.parametrize("template", ["ticket_confirmation", "ticket_update", "public_reply"])
def test_a_text_without_the_status_link_is_not_saved(client, login, post_form, admin, template):
    login(admin)
    response = post_form(
        f"/admin/email-templates/{template}/en",
        {"subject": "About {number}", "body": "Hello {name}, thanks.", "revision": "0"},
    )
    assert response.status_code == 422
    assert "The text must contain {status_link}" in text_of(response)
    assert "Hello {name}, thanks." in text_of(response)  # kept in the editor
    assert db.session.scalar(select(EmailTemplateText)) is None


def test_the_refusal_reads_in_the_admins_language(client, login, post_form, admin):
    admin.locale = "pl"
    db.session.commit()
    login(admin)
    response = post_form(
        "/admin/email-templates/ticket_confirmation/pl",
        {"subject": "Mamy to", "body": "Dzień dobry {name}, dziękujemy.", "revision": "0"},
    )
    assert response.status_code == 422
    assert "Tekst musi zawierać {status_link}" in text_of(response)


def test_a_stored_confirmation_without_the_link_sends_the_built_in_one(
    app, client, builtin_forms, smtp_server, run_jobs
):
    from tests.integration.test_email_texts import _submit_feedback

    stored_before_the_rule("ticket_confirmation", "pl", "Mamy to", "Dziękujemy, {name}!")
    _submit_feedback(client, "ewa@example.pl", "pl")
    run_jobs()
    mail = received(smtp_server, "ewa@example.pl")
    assert STATUS_LINK in plain_text(mail)
    assert "Dziękujemy, Ewa!" not in plain_text(mail) and mail["Subject"] != "Mamy to"


def test_a_stored_status_update_and_reply_without_the_link_send_the_built_in_ones(
    app, builtin_forms, admin, smtp_server, run_jobs
):
    from webapp.services.board import move_ticket
    from webapp.services.replies import send_public_reply

    stored_before_the_rule("ticket_update", "en", "News on {number}", "It is now {state}.")
    stored_before_the_rule("public_reply", "en", "Re {number}", "{text}\n\n{agent}")
    ticket = make_ticket(customer_email="eve@example.com", customer_locale="en")
    move_ticket(ticket, admin, trigger="start")
    send_public_reply(ticket, "We are on it.", admin)
    db.session.commit()
    run_jobs()
    mails = [m for m in smtp_server.messages if m["To"] == "eve@example.com"]
    update = next(m for m in mails if "We are on it." not in plain_text(m))
    reply = next(m for m in mails if "We are on it." in plain_text(m))
    assert len(mails) == 2
    for mail in (update, reply):
        assert STATUS_LINK in plain_text(mail)
        assert not mail["Subject"].startswith(("News on", "Re LD"))


def test_the_admin_pages_flag_the_text_until_the_link_is_added(
    app, client, login, post_form, admin, builtin_forms, smtp_server, run_jobs
):
    stored_before_the_rule("public_reply", "sl", "Odgovor", "{text}")
    login(admin)
    overview = client.get("/admin/email-templates")
    assert "Some of your texts lack the link their e-mail is sent for." in text_of(overview)
    warning = overview.get_data(as_text=True).split('role="alert"')[1].split("</article>")[0]
    assert "/admin/email-templates/public_reply/sl\">An agent's reply (Slovenian)</a>" in warning
    assert ": add {status_link}" in warning
    assert "Own text without {status_link}: the built-in text is sent" in text_of(overview)
    editor = client.get("/admin/email-templates/public_reply/sl")
    assert "This text lacks {status_link}" in text_of(editor)

    saved = post_form(
        "/admin/email-templates/public_reply/sl",
        {"subject": "Odgovor", "body": "{text}\n\nStanje: {status_link}", "revision": "1"},
    )
    assert saved.status_code == 303
    assert "lack the link" not in text_of(client.get("/admin/email-templates"))
    from webapp.services.replies import send_public_reply

    ticket = make_ticket(customer_email="mia@example.si", customer_locale="sl")
    send_public_reply(ticket, "Popravljeno.", admin)
    db.session.commit()
    run_jobs()
    mail = next(
        m for m in smtp_server.messages if m["To"] == "mia@example.si" and m["Subject"] == "Odgovor"
    )
    assert plain_text(mail).startswith(
        f"Popravljeno.\n\nStanje: {STATUS_LINK}".replace("\n", "\r\n")
    )
