"""Customer e-mails about a ticket carry a Reply-To that routes the answer back to it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.helpers import make_ticket, text_of
from webapp.extensions import db
from webapp.models import OutboxMessage
from webapp.services.replies import send_public_reply
from webapp.services.reply_addresses import reply_key
from webapp.services.tickets import fire


@pytest.fixture
def app_config(smtp_config) -> dict:
    return {**smtp_config, "LOOPDESK_REPLY_ADDRESS": "Support@Example.com"}


def test_customer_ticket_emails_carry_the_reply_address_and_staff_notices_do_not(
    app, smtp_server, builtin_forms, admin, client, login, run_jobs
):
    ticket = make_ticket()
    fire(ticket, "start", ticket.assignee)
    send_public_reply(ticket, "Prosimy o numer zamówienia.", ticket.assignee)
    fire(ticket, "ask_customer", ticket.assignee)  # tells the customer it is their turn
    db.session.commit()
    run_jobs()
    to_customer = [m for m in smtp_server.messages if m["To"] == "jan@example.pl"]
    to_staff = [m for m in smtp_server.messages if m["To"] != "jan@example.pl"]
    assert len(to_customer) >= 2
    expected = f"Support+{reply_key(ticket.id)}@Example.com"
    assert {m["Reply-To"] for m in to_customer} == {expected}
    assert all(m["Reply-To"] is None for m in to_staff)
    # ...and say, in the customer's language, that a plain "Reply" reaches us.
    for mail in to_customer:
        said = "Możesz też odpowiedzieć, po prostu odpisując na tę wiadomość."
        assert said in mail.get_body(("plain",)).get_content()
        assert said in mail.get_body(("html",)).get_content()
    assert not any("odpisując" in m.get_body(("plain",)).get_content() for m in to_staff)
    assert reply_key(ticket.id) != reply_key(ticket.id + 1)
    assert ticket.number not in expected and ticket.status_token not in expected
    # the admin's Sent mail page says where the customer's answer goes
    sent = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "public_reply"))
    admin.locale = "ru"
    db.session.commit()
    login(admin)
    page = text_of(client.get(f"/admin/mail/{sent.id}"))
    assert f"Ответы приходят на {expected}" in page


@pytest.mark.parametrize("app_config", [{"LOOPDESK_REPLY_ADDRESS": None}])
def test_without_the_setting_customer_emails_stay_as_they_were(app, builtin_forms):
    ticket = make_ticket()
    send_public_reply(ticket, "Hello", ticket.assignee)
    db.session.commit()
    sent = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "public_reply"))
    assert sent.reply_to is None
    assert "odpisując" not in sent.body_text and "odpisując" not in sent.body_html


@pytest.mark.parametrize("reply_address", ["Support@Example.com", None])
def test_a_status_mail_asks_for_a_reply_by_mail_only_where_one_reaches_the_ticket(
    app, smtp_server, builtin_forms, run_jobs, reply_address
):
    """Without a reply address, "Reply to this message" sent the customer's answer to
    Loopdesk's own sender address: the request's page, linked below, is where it goes."""
    app.config["LOOPDESK_REPLY_ADDRESS"] = reply_address
    ticket = make_ticket()
    fire(ticket, "start", ticket.assignee)
    send_public_reply(ticket, "Prosimy o numer zamówienia.", ticket.assignee)
    fire(ticket, "ask_customer", ticket.assignee)
    fire(ticket, "resolve", ticket.assignee)
    db.session.commit()
    run_jobs()
    to_jan = {m["Subject"]: m for m in smtp_server.messages if m["To"] == "jan@example.pl"}
    waiting, resolved = [
        " ".join(
            to_jan[f"[{ticket.number}] Twoje zgłoszenie: {state}"]
            .get_body(("plain",))
            .get_content()
            .split()
        )
        for state in ("Czekamy na Twoją odpowiedź", "Rozwiązane")  # to Jan: his turn
    ]
    if reply_address:
        assert "Odpowiedz, proszę, na tę wiadomość." in waiting
        assert "wystarczy odpowiedzieć na tę wiadomość" in resolved
    else:
        assert "Odpowiedz nam, proszę, na stronie zgłoszenia (link poniżej)." in waiting
        assert "napisz nam o tym na stronie zgłoszenia (link poniżej)" in resolved
        for said in (waiting, resolved):
            assert "tę wiadomość" not in said
            assert f"/t/{ticket.status_token}" in said  # the page it points to is linked


def test_an_admins_own_text_also_says_that_replying_reaches_the_ticket(app, builtin_forms, admin):
    """The admin edits the wording, not the reply routing: the line is kept below their text."""
    from webapp.services import email_texts

    email_texts.save(
        "public_reply",
        "pl",
        "Odpowiedź w sprawie {number}",
        "Dzień dobry,\n\n{text}\n\nStatus: {status_link}",
        0,
        admin,
    )
    ticket = make_ticket()
    send_public_reply(ticket, "Paczka wyszła dziś.", ticket.assignee)
    db.session.commit()
    sent = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "public_reply"))
    said = "Możesz też odpowiedzieć, po prostu odpisując na tę wiadomość."
    assert sent.subject.startswith("Odpowiedź w sprawie")
    assert "Paczka wyszła dziś." in sent.body_text
    assert said in sent.body_text and said in sent.body_html
