"""The agent's ticket page says, on each e-mailed reply in the conversation, whether the
customer's mail server got it: on its way, sent, or failed, with the server's reason, a
hint to check the address and "Send again". A real SMTP server answers 550 for a mailbox
that is gone; RQ's worker on the PostgreSQL path, in-process jobs on SQLite."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.helpers import make_ticket, text_of
from tests.integration import refusing_smtp
from tests.integration.refusing_smtp import GONE, GONE_REPLY
from tests.integration.test_ticket_live_refresh import OpenPage
from webapp.extensions import db
from webapp.models import AuditEntry, OutboxMessage, OutboxStatus, TicketAccess, TicketEvent
from webapp.models.types import clock_at, utcnow
from webapp.services.customer_data import erase_held_data, find_held_data
from webapp.services.replies import send_public_reply

smtp_server = refusing_smtp.smtp_server  # the SMTP server refuses: 550 for GONE
app_config = refusing_smtp.app_config

ESCAPED_REPLY = GONE_REPLY.replace("<", "&lt;").replace(">", "&gt;")


def conversation_html(page_html: str) -> str:
    """The page's conversation section (the replies), as HTML."""
    return re.search(r'<section id="ws-conversation".*?</section>', page_html, re.S).group(0)


def replies_text(page_html: str) -> str:
    """What the agent reads in the conversation's replies, tags stripped."""
    section = conversation_html(page_html)
    section = section[section.index('id="ws-thread-title"') :]
    return " ".join(re.sub(r"<[^>]+>", " ", section).split())


def _reply(ticket, text: str) -> TicketEvent:
    sent = send_public_reply(ticket, text, ticket.assignee)
    db.session.commit()
    return sent.event


def _mail_of(event: TicketEvent) -> OutboxMessage:
    key = event.data["message_key"]
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.message_key == key))


def _gone_ticket():
    return make_ticket(customer_email=GONE)


# locale: (the failed status, the heading, the refusal's words, the hint, the button)
WORDS = {
    "en": (
        "Failed",
        "Not delivered: the customer did not get this reply by e-mail.",
        "Refused by the mail server:",
        f"Check the customer's address, {GONE}:",
        "Send again",
    ),
    "pl": (
        "Błąd",
        "Nie doręczono: klient nie otrzymał tej odpowiedzi e-mailem.",
        "Odmowa serwera pocztowego:",
        f"Sprawdź adres klienta, {GONE}:",
        "Wyślij ponownie",
    ),
    "ru": (
        "Ошибка",
        "Не доставлено: клиент не получил этот ответ по электронной почте.",
        "Отказ почтового сервера:",
        f"Проверьте адрес клиента, {GONE}:",
        "Отправить повторно",
    ),
    "sl": (
        "Neuspešno",
        "Ni dostavljeno: stranka tega odgovora ni prejela po e-pošti.",
        "Zavrnitev poštnega strežnika:",
        f"Preverite naslov stranke, {GONE}:",
        "Pošlji znova",
    ),
}


@pytest.mark.parametrize("locale", sorted(WORDS))
def test_a_refused_reply_says_so_why_and_what_to_do_in_the_agents_language(
    app, client, login, smtp_server, run_jobs, builtin_forms, locale
):
    ticket = _gone_ticket()
    ticket.assignee.locale = locale
    _reply(ticket, "Prosimy o numer zamówienia.")
    run_jobs()
    login(ticket.assignee)
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)

    failed, heading, refused, hint, button = WORDS[locale]
    shown = replies_text(page)
    assert "Prosimy o numer zamówienia. Ola · " in shown
    assert f"⚠ {failed} {heading} {refused} {ESCAPED_REPLY} {hint}" in shown
    assert shown.endswith(button)
    assert GONE_REPLY not in page  # the server's words, escaped
    # The failed reply stands out by more than colour: a marked bubble tied to the box.
    bubble = re.search(r'<div class="bubble bot undelivered"[^>]*>', page).group(0)
    box_id = re.search(r'aria-describedby="([^"]+)"', bubble).group(1)
    assert f'<div class="mail-failed" id="{box_id}" lang="{locale}">' in page


def test_after_erasure_the_refusal_marks_the_erased_address_in_the_agents_language(
    app, client, login, smtp_server, run_jobs, builtin_forms
):
    """Erasing the customer's data takes their address out of the server's stored words
    ("550 5.1.1 <[erased]>"): the marker reads as the agent's language has it."""
    ticket = _gone_ticket()
    ticket.assignee.locale = "pl"
    _reply(ticket, "Prosimy o numer zamówienia.")
    run_jobs()
    erase_held_data(find_held_data(GONE))
    db.session.commit()
    login(ticket.assignee)
    shown = replies_text(client.get(f"/tickets/{ticket.number}").get_data(as_text=True))
    assert "Odmowa serwera pocztowego: 550 5.1.1 &lt;[usunięto]&gt;:" in shown
    assert "Odpowiedzi [usunięto] Ola" in shown  # the reply's text went with the data
    assert "[erased]" not in shown and GONE not in shown


def test_send_again_puts_the_reply_back_in_line_and_the_page_shows_it_sent(
    app, client, login, post_form, smtp_server, run_jobs, builtin_forms
):
    ticket = _gone_ticket()
    event = _reply(ticket, "Prosimy o numer zamówienia.")
    run_jobs()
    smtp_server.replies.pop(GONE)  # the customer mended their mailbox
    login(ticket.assignee)
    answer = post_form(f"/tickets/{ticket.number}/replies/{event.id}/send-again", htmx=True)
    assert answer.status_code == 200
    said = answer.get_data(as_text=True)
    assert "Your reply was queued again for gone@example.com." in text_of(answer)
    assert "Not delivered" not in replies_text(said)  # on its way again (or sent, in-process)
    run_jobs()

    mail = _mail_of(event)
    assert (mail.status, mail.attempts) == (OutboxStatus.SENT, 2)
    assert [m["To"] for m in smtp_server.messages if m["To"] == GONE] == [GONE]
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    shown = replies_text(page)
    assert "Prosimy o numer zamówienia. Ola · " in shown and "✉ Sent" in shown
    assert "Not delivered" not in shown and "Send again" not in shown
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "mail.retried"))
    assert audit is not None and audit.actor_id == ticket.assignee.id

    # Sent now: a second click (an old page) sends nothing twice and says why.
    again = post_form(f"/tickets/{ticket.number}/replies/{event.id}/send-again")
    assert again.status_code == 303
    run_jobs()
    assert [m["To"] for m in smtp_server.messages].count(GONE) == 1
    assert "no longer failed" in text_of(client.get(again.headers["Location"]))


def test_send_again_needs_the_pages_token_and_a_ticket_the_agent_may_see(
    app, client, login, post_form, create_user, smtp_server, run_jobs, builtin_forms
):
    ticket = _gone_ticket()
    event = _reply(ticket, "Dzień dobry")
    run_jobs()
    url = f"/tickets/{ticket.number}/replies/{event.id}/send-again"
    outsider = create_user(email="out@example.com", name="Out")
    outsider.ticket_access = TicketAccess.TEAMS  # no team: not this ticket
    db.session.commit()

    login(outsider)
    assert post_form(url).status_code == 404
    login(ticket.assignee)
    assert client.post(url).status_code == 400  # no CSRF token
    other = _reply(make_ticket(customer_email=GONE), "Inne")  # another ticket's reply
    run_jobs()
    assert post_form(f"/tickets/{ticket.number}/replies/{other.id}/send-again").status_code == 404
    assert _mail_of(event).status == OutboxStatus.FAILED
    assert _mail_of(other).status == OutboxStatus.FAILED
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "mail.retried")) is None


def test_the_open_page_marks_the_reply_failed_when_the_server_refuses_it(
    app, client, login, smtp_server, builtin_forms
):
    """The live refresh follows a reply's e-mail: 304 while it waits, the conversation and
    history redrawn once it is refused, then 304 again."""
    with clock_at(utcnow()):  # the page's tag moves on each minute: not in the middle
        _follow_a_reply_refused_while_the_page_is_open(client, login)


def _follow_a_reply_refused_while_the_page_is_open(client, login) -> None:
    from jobs.mail import send_outbox_message

    ticket = _gone_ticket()
    sent = send_public_reply(ticket, "Prosimy o numer zamówienia.", ticket.assignee)
    db.session.info.clear()  # not handed over on commit: the page sees it queued
    db.session.commit()
    mail = _mail_of(sent.event)
    login(ticket.assignee)
    first = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "✉ Queued" in replies_text(first)
    page = OpenPage(client, first)
    assert f"mail={mail.id}:queued" in page.url
    assert page.poll().status_code == 304

    send_outbox_message(mail.id)  # the worker's try: 550
    answer = page.poll()
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    shown = replies_text(body)
    assert "⚠ Failed Not delivered: the customer did not get this reply by e-mail. " in shown
    assert ESCAPED_REPLY in shown and GONE_REPLY not in body
    assert 'id="ws-timeline"' in body  # the history's "✉ Failed" too
    assert f"mail={mail.id}:failed" in page.url
    assert page.poll().status_code == 304


def test_the_marks_cost_no_query_per_reply(
    app, client, login, smtp_server, run_jobs, builtin_forms, count_queries
):
    ticket = _gone_ticket()
    _reply(ticket, "first")
    run_jobs()
    login(ticket.assignee)
    client.get(f"/tickets/{ticket.number}")  # the first visit after logging in reads more
    db.session.expire_all()  # the page reads the ticket afresh both times
    with count_queries() as few:
        assert client.get(f"/tickets/{ticket.number}").status_code == 200
    for n in range(6):
        _reply(ticket, f"reply {n}")
    run_jobs()
    db.session.expire_all()
    with count_queries() as many:
        page = client.get(f"/tickets/{ticket.number}")
    assert replies_text(page.get_data(as_text=True)).count("Not delivered") == 7
    assert len(many) == len(few)
