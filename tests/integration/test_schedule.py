"""Periodic work runs on RQ's cron scheduler, or in a thread of `make run`, or from the CLI."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.helpers import make_ticket, require_redis
from webapp import create_app
from webapp.extensions import db
from webapp.models import OutboxMessage, Reminder, TicketEvent, utcnow


@pytest.fixture
def app_config(smtp_config) -> dict:
    return smtp_config


def _due_reminder(user) -> Reminder:
    ticket = make_ticket()
    reminder = Reminder(
        ticket=ticket, user=user, remind_at=utcnow() - timedelta(minutes=1), note="Call back"
    )
    db.session.add(reminder)
    db.session.commit()
    return reminder


def _breached_soon(ticket) -> None:
    ticket.first_response_due_at = utcnow() + timedelta(minutes=30)
    ticket.first_response_warn_at = utcnow() + timedelta(minutes=20)
    db.session.commit()


def test_every_periodic_job_is_registered_with_rq_cron_and_runs_on_a_worker(
    app, agent, smtp_server, run_jobs
):
    from jobs import redis_connection
    from jobs.schedule import cron_scheduler, periodic_jobs

    require_redis()
    scheduler = cron_scheduler(redis_connection(), app.config["RQ_QUEUE"])
    registered = {job.name for job in scheduler.get_jobs()}
    assert registered == {job.name for job in periodic_jobs()}
    assert "sla-sweep" in registered and "surveys" in registered

    _due_reminder(agent)
    assert scheduler.enqueue_jobs()  # what `flask cron` does on each tick
    run_jobs()  # the periodic jobs, then the e-mails they queued
    run_jobs()
    assert [m["To"] for m in smtp_server.messages] == [agent.email]


def test_run_due_from_the_command_line_travels_in_time(app, agent, run_jobs):
    ticket = make_ticket()
    _breached_soon(ticket)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "run-due"])
    assert "sla-sweep: 0" in result.output
    later = (utcnow() + timedelta(hours=1)).isoformat()
    result = runner.invoke(args=["jobs", "run-due", "--at", later])
    assert "sla-sweep: " in result.output and "sla-sweep: 0" not in result.output
    run_jobs()  # with RQ, a worker acts on the alerts the sweep handed over
    kinds = db.session.scalars(
        select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)
    ).all()
    assert "sla_breach" in kinds


def test_make_run_without_redis_runs_the_schedule_in_a_thread(app, agent, tmp_path):
    if app.config.get("REDIS_URL"):
        pytest.skip("the in-process schedule is for `make run` without Redis")
    _due_reminder(agent)
    served = create_app({**app.config, "IN_PROCESS_SCHEDULER": True})
    scheduler = served.extensions["loopdesk_scheduler"]
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            db.session.expire_all()
            if db.session.scalar(select(Reminder.sent_at)) is not None:
                break
            time.sleep(0.2)
    finally:
        scheduler.stop()
        scheduler.join(10)
    assert db.session.scalar(select(Reminder.sent_at)) is not None
    assert (
        db.session.scalar(
            select(OutboxMessage.to_address).where(OutboxMessage.template == "reminder_due")
        )
        == agent.email
    )


def test_read_notifications_past_their_retention_are_deleted_where_jobs_run(
    app, agent, create_user, run_jobs
):
    """The same job on a real RQ worker (with Redis) or in this process (`make run`)."""
    from jobs import enqueue
    from jobs.schedule import delete_old_notifications, periodic_jobs
    from webapp.models import InboxNotification
    from webapp.services import inbox

    assert "inbox-retention" in {job.name for job in periodic_jobs()}
    ticket, now = make_ticket(), utcnow()
    other = create_user(email="other@example.com", name="Other")
    ages = {  # subject: (days old, read?)
        "old, read": (91, True),
        "old, unread": (200, False),
        "recent, read": (89, True),
        "someone else's old, read": (120, True),
    }
    for label, (days, read) in ages.items():
        owner = other if label.startswith("someone") else agent
        entry = inbox.record_notification(
            owner, "watched", ticket, {"kind": label}, now=now - timedelta(days=days)
        )
        entry.read_at = now - timedelta(days=days - 1) if read else None
    db.session.commit()

    enqueue(delete_old_notifications)  # an RQ job with Redis, run at once without it
    run_jobs()

    db.session.expire_all()
    kept = db.session.scalars(select(InboxNotification.context).order_by(InboxNotification.id))
    assert [c["kind"] for c in kept] == ["old, unread", "recent, read"]

    app.config["INBOX_RETENTION_DAYS"] = 0  # keep everything
    assert delete_old_notifications((now + timedelta(days=400)).isoformat()) == 0
    app.config["INBOX_RETENTION_DAYS"] = 30
    assert delete_old_notifications((now + timedelta(days=400)).isoformat()) == 1
