"""Sending a failed reply's e-mail again is a line in the ticket's history, so colleagues see
who sent it again and to which address: from the conversation's "Send again" and from an
admin's resend on the Sent mail page alike. A real SMTP server answers 550; RQ's worker on
the PostgreSQL path, in-process jobs on SQLite."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.helpers import make_ticket
from tests.integration import refusing_smtp
from tests.integration.refusing_smtp import GONE
from tests.integration.test_reply_delivery_marks import _mail_of, _reply
from webapp.extensions import db
from webapp.models import TicketEvent
from webapp.outbox import queue_email

smtp_server = refusing_smtp.smtp_server  # the SMTP server refuses: 550 for GONE
app_config = refusing_smtp.app_config


def history_text(page_html: str) -> str:
    """What staff read in the ticket page's History, tags stripped."""
    section = re.search(r'<section id="ws-timeline".*?</section>', page_html, re.S).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", section).split())


def _sent_again_events() -> int:
    return db.session.scalar(
        select(func.count()).select_from(TicketEvent).where(TicketEvent.kind == "reply_sent_again")
    )


LINES = {
    "en": f"Ola sent the reply again to {GONE}.",
    "pl": f"Ola: ponownie wysłano odpowiedź na adres {GONE}.",
    "ru": f"Ola: ответ отправлен повторно на адрес {GONE}.",
    "sl": f"Ola: odgovor znova poslan na naslov {GONE}.",
}


@pytest.mark.parametrize("locale", sorted(LINES))
def test_send_again_from_the_conversation_is_a_line_in_the_history(
    app, client, login, post_form, create_user, smtp_server, run_jobs, builtin_forms, locale
):
    ticket = make_ticket(customer_email=GONE)
    event = _reply(ticket, "Prosimy o numer zamówienia.")
    run_jobs()
    login(ticket.assignee)
    before = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "sent the reply again" not in history_text(before)

    answer = post_form(f"/tickets/{ticket.number}/replies/{event.id}/send-again", htmx=True)
    assert answer.status_code == 200
    # The agent's own page redraws the history with it at once.
    assert LINES["en"] in history_text(answer.get_data(as_text=True))
    run_jobs()

    # A colleague opening the ticket later reads it in their language.
    colleague = create_user(email=f"c-{locale}@example.com", name="Cleo", locale=locale)
    post_form("/logout")
    login(colleague)
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert LINES[locale] in history_text(page)
    assert _sent_again_events() == 1


def test_an_admins_resend_from_sent_mail_is_in_the_tickets_history_too(
    app, client, login, post_form, admin, smtp_server, run_jobs, builtin_forms
):
    ticket = make_ticket(customer_email=GONE)
    event = _reply(ticket, "Prosimy o numer zamówienia.")
    run_jobs()
    mail = _mail_of(event)
    login(admin)
    assert post_form(f"/admin/mail/{mail.id}/retry").status_code == 303
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert f"Ann Admin sent the reply again to {GONE}." in history_text(page)

    # Resent once more (it failed again): a second line, each click its own.
    run_jobs()
    post_form(f"/admin/mail/{mail.id}/retry")
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert history_text(page).count("sent the reply again") == 2


def test_other_mail_sent_again_adds_nothing_to_any_history(
    app, client, login, post_form, admin, smtp_server, run_jobs, builtin_forms
):
    """A colleague's notice (no reply to a customer) resent from Sent mail: the audit log
    keeps it, and no ticket's history speaks of a reply."""
    make_ticket(customer_email=GONE)
    notice = queue_email(
        GONE, "staff_invitation", "en", {"name": "Kim", "inviter": "Ana", "link": "http://x/y"}
    )
    db.session.commit()
    run_jobs()
    login(admin)
    assert post_form(f"/admin/mail/{notice.id}/retry").status_code == 303
    assert _sent_again_events() == 0


def test_after_erasure_the_line_stays_without_the_address(
    app, client, login, post_form, admin, smtp_server, run_jobs, builtin_forms
):
    from webapp.services.customer_data import erase_held_data, find_held_data

    ticket = make_ticket(customer_email=GONE)
    event = _reply(ticket, "Prosimy o numer zamówienia.")
    run_jobs()
    login(ticket.assignee)
    sent = post_form(f"/tickets/{ticket.number}/replies/{event.id}/send-again")
    client.get(sent.headers["Location"])  # its "queued again for ..." message, read
    run_jobs()
    erase_held_data(find_held_data(GONE), admin)
    db.session.commit()

    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "Ola sent the reply again to [erased]." in history_text(page)
    assert GONE not in page
    assert "Recipient address rejected" in page  # the server's words stay, not the address
    line = db.session.scalar(select(TicketEvent).where(TicketEvent.kind == "reply_sent_again"))
    assert line.data["to"] == "[erased]"
