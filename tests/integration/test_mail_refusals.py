"""A mail server's permanent refusal (5xx) fails the message at once, with the server's reply
for the admin to read; a temporary one (4xx) is still retried. Real SMTP server, real RQ
worker on the PostgreSQL path, in-process jobs on SQLite."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import select

from tests.helpers import csrf_token, text_of
from tests.integration import refusing_smtp
from tests.integration.refusing_smtp import BUSY_REPLY, GONE, GONE_REPLY
from webapp.extensions import db
from webapp.models import OutboxMessage, OutboxStatus, Role
from webapp.outbox import queue_email

smtp_server = refusing_smtp.smtp_server  # the SMTP server refuses: 550 for GONE
app_config = refusing_smtp.app_config


def _note(to: str) -> OutboxMessage:
    context = {"name": "Kim", "inviter": "Ana", "link": "http://loopdesk.test/x"}
    return queue_email(to, "staff_invitation", "en", context)


def _reload(*messages: OutboxMessage) -> None:
    for message in messages:
        db.session.refresh(message)


def _retry_as_rq_would(app, message: OutboxMessage) -> None:
    """In-process there is no RQ to retry a failed send: run the retries it would."""
    from jobs.mail import SendFailed, send_outbox_message

    if app.config.get("REDIS_URL"):
        return  # the burst worker ran them already
    db.session.refresh(message)
    while message.status == OutboxStatus.RETRYING:
        with contextlib.suppress(SendFailed):  # RQ retries a job that raised it
            send_outbox_message(message.id)
        db.session.refresh(message)


LANGUAGE_WORDS = {
    # locale: (status "Failed", the refusal's heading on the message page, its explanation)
    "en": ("Failed", "Refused by the mail server", "refused this message for good"),
    "pl": ("Błąd", "Odmowa serwera pocztowego", "odrzucił tę wiadomość na stałe"),
    "ru": ("Ошибка", "Отказ почтового сервера", "окончательно отклонил это сообщение"),
    "sl": ("Neuspešno", "Zavrnitev poštnega strežnika", "sporočilo dokončno zavrnil"),
}


@pytest.mark.parametrize("locale", sorted(LANGUAGE_WORDS))
def test_an_address_refused_for_good_fails_after_one_try_and_the_admin_reads_why(
    app, client, login, create_user, smtp_server, run_jobs, locale
):
    gone, kim = _note(GONE), _note("kim@example.com")  # one commit: one batch, gone first
    db.session.commit()
    run_jobs()
    _reload(gone, kim)
    assert smtp_server.recipients_tried.count(GONE) == 1  # tried once, never again
    assert (gone.status, gone.attempts, gone.last_error) == (OutboxStatus.FAILED, 1, GONE_REPLY)
    # The refusal did not stop the batch: the next message went out.
    assert [m["To"] for m in smtp_server.messages] == ["kim@example.com"]
    assert kim.status == OutboxStatus.SENT

    failed, heading, explanation = LANGUAGE_WORDS[locale]
    login(create_user(email="boss@example.com", name="Boss", role=Role.ADMIN, locale=locale))
    listing = client.get("/admin/mail?status=failed")
    listed = text_of(listing)
    assert GONE in listed and "kim@example.com" not in listed
    row = listed[listed.index(GONE) :]
    assert f"{failed} {heading}: {GONE_REPLY.replace('<', '&lt;').replace('>', '&gt;')}" in row
    assert GONE_REPLY not in listing.get_data(as_text=True)  # the server's words, escaped

    page = client.get(f"/admin/mail/{gone.id}")
    shown = text_of(page)
    assert f"{heading} {GONE_REPLY.replace('<', '&lt;').replace('>', '&gt;')}" in shown
    assert explanation in shown
    assert failed in shown and "SMTPRecipientsRefused" not in shown
    assert GONE_REPLY not in page.get_data(as_text=True)
    assert f"/admin/mail/{gone.id}/retry" in page.get_data(as_text=True)  # "Send again" stays


def test_a_refused_message_can_be_sent_again_once_the_mailbox_exists(
    app, client, login, admin, smtp_server, run_jobs
):
    gone = _note(GONE)
    db.session.commit()
    run_jobs()
    smtp_server.replies.pop(GONE)  # the customer mended their mailbox
    login(admin)
    client.post(f"/admin/mail/{gone.id}/retry", data={"csrf_token": csrf_token(app, client)})
    run_jobs()
    _reload(gone)
    assert (gone.status, gone.attempts, gone.last_error) == (OutboxStatus.SENT, 2, None)
    assert [m["To"] for m in smtp_server.messages] == [GONE]
    assert "Refused by the mail server" not in text_of(client.get(f"/admin/mail/{gone.id}"))


def test_content_refused_for_good_fails_at_once_too(
    app, client, login, admin, smtp_server, run_jobs
):
    """A 5xx to the message itself (here after DATA: "rejected as spam") is as final."""
    smtp_server.content_refusals["kim@example.com"] = "554 5.7.1 Message rejected as spam"
    kim = _note("kim@example.com")
    db.session.commit()
    run_jobs()
    _reload(kim)
    assert (kim.status, kim.attempts) == (OutboxStatus.FAILED, 1)
    login(admin)
    assert "Refused by the mail server 554 5.7.1 Message rejected as spam" in text_of(
        client.get(f"/admin/mail/{kim.id}")
    )


def test_a_temporary_refusal_is_still_retried_and_delivered(app, smtp_server, run_jobs):
    smtp_server.replies["busy@example.com"] = [BUSY_REPLY, "250 OK"]  # busy once, then fine
    busy = _note("busy@example.com")
    db.session.commit()
    run_jobs()
    _reload(busy)
    if not app.config.get("REDIS_URL"):  # in-process: waiting for its retry
        assert (busy.status, busy.attempts, busy.last_error) == (
            OutboxStatus.RETRYING,
            1,
            BUSY_REPLY,
        )
    _retry_as_rq_would(app, busy)
    _reload(busy)
    assert (busy.status, busy.attempts) == (OutboxStatus.SENT, 2)
    assert smtp_server.recipients_tried == ["busy@example.com", "busy@example.com"]
    assert [m["To"] for m in smtp_server.messages] == ["busy@example.com"]


def test_a_mailbox_busy_for_ever_fails_after_the_last_retry_not_as_refused(
    app, client, login, admin, smtp_server, run_jobs
):
    from jobs.queue import max_attempts

    smtp_server.replies["busy@example.com"] = [BUSY_REPLY]  # every try
    busy = _note("busy@example.com")
    db.session.commit()
    run_jobs()
    _retry_as_rq_would(app, busy)
    _reload(busy)
    assert (busy.status, busy.attempts) == (OutboxStatus.FAILED, max_attempts())
    assert smtp_server.recipients_tried.count("busy@example.com") == max_attempts() == 4
    login(admin)
    shown = text_of(client.get(f"/admin/mail/{busy.id}"))
    assert "Failed" in shown and "Last error 451 4.2.1" in shown
    assert "Refused by the mail server" not in shown
    assert "Refused by the mail server" not in text_of(client.get("/admin/mail"))


def test_one_batch_refused_busy_and_fine_retries_only_the_busy_one(app, smtp_server):
    """The job RQ retries names the whole batch; the claim leaves out the refused message."""
    from jobs.mail import SendFailed, send_outbox_message

    smtp_server.replies["busy@example.com"] = [BUSY_REPLY, "250 OK"]
    messages = [_note(GONE), _note("busy@example.com"), _note("kim@example.com")]
    db.session.flush()
    ids = [m.id for m in messages]
    db.session.info.clear()  # run the job by hand below, not on commit
    db.session.commit()

    with pytest.raises(SendFailed) as failure:  # raised so that RQ retries the job
        send_outbox_message(*ids)
    assert "451" in str(failure.value) and "550" not in str(failure.value)
    statuses = dict(db.session.execute(select(OutboxMessage.id, OutboxMessage.status)).all())
    assert [statuses[i] for i in ids] == [
        OutboxStatus.FAILED,
        OutboxStatus.RETRYING,
        OutboxStatus.SENT,
    ]

    assert send_outbox_message(*ids) == "sent"  # RQ's retry: same arguments
    assert smtp_server.recipients_tried.count(GONE) == 1
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "busy@example.com",
        "kim@example.com",
    ]


def test_a_batch_with_only_refusals_for_good_is_not_retried(app, smtp_server):
    from jobs.mail import send_outbox_message

    messages = [_note(GONE), _note("kim@example.com")]
    db.session.flush()
    ids = [m.id for m in messages]
    db.session.info.clear()
    db.session.commit()
    outcome = send_outbox_message(*ids)  # no SendFailed: nothing for RQ to try again
    assert outcome.startswith("sent; refused for good: ") and "550 5.1.1" in outcome
    assert send_outbox_message(*ids) == "skipped"


def test_the_ticket_shows_the_reply_failed_after_one_try(
    app, client, login, smtp_server, run_jobs, builtin_forms
):
    """The ticket's history marks an e-mail that did not reach the customer, as it did after
    the last retry, now as soon as the customer's server refuses it."""
    from tests.helpers import make_ticket
    from webapp.services.replies import send_public_reply

    ticket = make_ticket(customer_email=GONE)
    send_public_reply(ticket, "Prosimy o numer zamówienia.", ticket.assignee)
    db.session.commit()
    run_jobs()
    to_customer = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == GONE)
    ).all()
    assert to_customer and {(m.status, m.attempts) for m in to_customer} == {
        (OutboxStatus.FAILED, 1)
    }
    assert smtp_server.recipients_tried.count(GONE) == len(to_customer)
    login(ticket.assignee)
    timeline = text_of(client.get(f"/tickets/{ticket.number}"))
    history = timeline[timeline.index("History") :]
    assert "Ola replied to the customer: Prosimy o numer zamówienia. ✉ Failed" in history
