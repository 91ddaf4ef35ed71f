"""E-mail reaches a real SMTP server, once, through in-process jobs or a real RQ worker."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.helpers import require_redis
from webapp.extensions import db
from webapp.models import OutboxMessage, OutboxStatus
from webapp.outbox import relay_pending
from webapp.people import create_staff_member

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_config(smtp_config) -> dict:
    return smtp_config


def _invite(email="new@example.com", locale="pl") -> OutboxMessage:
    create_staff_member(email=email, name="Nowa Agentka", locale=locale)
    db.session.commit()
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == email))


def test_invitation_arrives_in_polish(app, smtp_server, run_jobs):
    message = _invite()
    run_jobs()
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["Subject"] == "Zaproszenie do Loopdesku"
    assert received["To"] == "new@example.com"
    assert received["Content-Language"] == "pl"
    body = received.get_body(("plain",)).get_content()
    assert "Nowa Agentka" in body and "/set-password/" in body
    assert received.get_body(("html",)) is not None
    db.session.refresh(message)
    assert message.status == OutboxStatus.SENT
    assert message.sent_at is not None
    assert message.attempts == 1


def test_a_retried_send_job_does_not_send_twice(app, smtp_server, run_jobs):
    from jobs.mail import send_outbox_message

    message = _invite()
    run_jobs()
    assert send_outbox_message(message.id) == "skipped"
    assert send_outbox_message(message.id) == "skipped"
    assert len(smtp_server.messages) == 1


def test_smtp_refusal_is_recorded_and_retried_once_delivered(app, smtp_server, run_jobs):
    from jobs.mail import send_outbox_message

    smtp_server.refuse = 1
    message = _invite()
    if app.config.get("REDIS_URL"):
        run_jobs()  # the first attempt fails; RQ schedules a retry with back-off
    db.session.refresh(message)
    assert message.status == OutboxStatus.RETRYING
    assert "451" in message.last_error
    assert smtp_server.messages == []
    # The retry (RQ's, after the back-off interval) runs the same job again.
    assert send_outbox_message(message.id) == "sent"
    assert send_outbox_message(message.id) == "skipped"
    assert len(smtp_server.messages) == 1
    db.session.refresh(message)
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 2)


def test_a_batch_sends_over_one_connection_and_a_retry_sends_only_what_failed(app, smtp_server):
    """Many messages of one commit go out in one job; one refused is the only one retried."""
    from jobs.mail import SendFailed, send_outbox_message
    from webapp.outbox import queue_email

    messages = [
        queue_email(f"b{n}@example.com", "staff_invitation", "sl", {"name": f"B{n}"})
        for n in range(5)
    ]
    db.session.flush()
    ids = [m.id for m in messages]
    db.session.info.clear()  # run the job by hand below, not on commit
    db.session.commit()
    smtp_server.refuse = 1  # the first message of the batch is refused
    with pytest.raises(SendFailed, match="451"):  # raised so that RQ retries the job
        send_outbox_message(*ids)
    assert len(smtp_server.messages) == 4
    statuses = dict(db.session.execute(select(OutboxMessage.id, OutboxMessage.status)).all())
    assert statuses[ids[0]] == OutboxStatus.RETRYING
    assert all(statuses[i] == OutboxStatus.SENT for i in ids[1:])

    assert send_outbox_message(*ids) == "sent"  # RQ's retry: same arguments
    assert len(smtp_server.messages) == 5
    assert sorted(m["To"] for m in smtp_server.messages) == [f"b{n}@example.com" for n in range(5)]
    # One Message-ID each, stable per outbox row (Flask-Mail would add a random one too).
    for received in smtp_server.messages:
        assert len(received.get_all("Message-ID")) == 1
        assert received["Message-ID"].startswith("<outbox-")


def test_real_rq_worker_process_delivers_in_burst_mode(app, smtp_server, tmp_path):
    redis_url = require_redis()
    _invite(locale="ru")
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": redis_url,
        "RQ_QUEUE": app.config["RQ_QUEUE"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server.port),
        "LOOPDESK_INSTANCE_PATH": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert [m["Subject"] for m in smtp_server.messages] == ["Приглашение в Loopdesk"]


def test_nothing_is_lost_while_redis_is_unreachable(app, smtp_server, run_jobs):
    redis_url = require_redis()
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    app.extensions.pop("loopdesk_redis", None)
    message = _invite()
    db.session.refresh(message)
    assert message.status == OutboxStatus.PENDING
    assert smtp_server.messages == []

    app.config["REDIS_URL"] = redis_url  # Redis is back
    app.extensions.pop("loopdesk_redis", None)
    assert relay_pending() == 1
    assert relay_pending() == 0  # relayed exactly once
    run_jobs()
    assert len(smtp_server.messages) == 1


def test_confirmation_after_a_form_reaches_smtp_in_polish(app, client, smtp_server, run_jobs):
    from tests.integration.test_conversation_pages import Respondent
    from webapp.models import Team
    from webapp.services.forms import install_builtin_forms

    app.config["FORM_MIN_SECONDS_FIRST_ANSWER"] = 0
    care = Team(slug="customer-care", name="Care")
    db.session.add_all([care, Team(slug="product-quality", name="Quality")])
    install_builtin_forms()
    db.session.commit()
    customer = Respondent(client, "nps", True, lang="pl")
    for value in ("2", "Za długo czekałem", "Ewa", "ewa@example.pl"):
        customer.answer(value)
    run_jobs()
    confirmation = next(m for m in smtp_server.messages if m["To"] == "ewa@example.pl")
    assert (
        confirmation["Subject"].endswith("Otrzymaliśmy Twoje zgłoszenie")
        or "LD-" in confirmation["Subject"]
    )
    assert confirmation["Content-Language"] == "pl"
    assert "/t/" in confirmation.get_body(("plain",)).get_content()
    # It names the request it confirms, as the later mails about it do.
    from webapp.models import Ticket

    ticket = db.session.scalar(select(Ticket))
    said = f"Zgłoszenie {ticket.number}: {ticket.subject}"
    assert said in confirmation.get_body(("plain",)).get_content()
    assert said in confirmation.get_body(("html",)).get_content()


def test_mail_loopdesk_writes_by_itself_says_so_and_an_agents_reply_does_not(
    app, smtp_server, run_jobs, builtin_forms
):
    """An out-of-office notice (or another help desk's confirmation) answering our status
    mail would come back as the customer's reply; RFC 3834's header asks them not to."""
    from tests.helpers import make_ticket
    from webapp.people import send_password_reset
    from webapp.services.replies import send_public_reply
    from webapp.services.tickets import fire

    ticket = make_ticket()
    fire(ticket, "start", ticket.assignee)  # "Your request: In progress", automatic
    send_public_reply(ticket, "Prosimy o numer zamówienia.", ticket.assignee)  # written by Ola
    send_password_reset(ticket.assignee.email)  # automatic, to staff
    db.session.commit()
    run_jobs()
    to_jan = {m["Subject"]: m for m in smtp_server.messages if m["To"] == "jan@example.pl"}
    update = to_jan[f"[{ticket.number}] Twoje zgłoszenie: W toku"]
    reply = to_jan[f"[{ticket.number}] Odpowiedź na Twoje zgłoszenie: {ticket.subject}"]
    [reset] = [
        m
        for m in smtp_server.messages
        if "/reset-password/" in m.get_body(("plain",)).get_content()
    ]
    for automatic in (update, reset):
        assert automatic["Auto-Submitted"] == "auto-generated"
        assert automatic["X-Auto-Response-Suppress"] == "OOF, AutoReply"
    assert reply["Auto-Submitted"] is None and reply["X-Auto-Response-Suppress"] is None
