"""Periodic work, listed once and run two ways.

In production `flask cron` runs RQ's cron scheduler (`rq.cron.CronScheduler`), which
enqueues each job on the app's queue at its interval for the `rq` workers to run. Without
Redis (`make run`), `start_in_process` runs the same list in a background thread.

Every periodic job is safe to run twice at once or twice in a row: each claims the rows it
handles with a conditional UPDATE, so overlapping schedulers or a slow run never send
anything twice. Each takes an optional `now` (ISO 8601) so tests can travel in time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from jobs.context import in_app_context

log = logging.getLogger(__name__)


def parse_now(now: str | datetime | None) -> datetime | None:
    """`now` as jobs receive it (ISO text through Redis, or a datetime in-process)."""
    if now is None or isinstance(now, datetime):
        return now
    return datetime.fromisoformat(now)


@in_app_context
def sweep_sla(now: str | None = None) -> int:
    """Fire due SLA warnings and breaches (each once); returns how many fired."""
    from webapp.services import sla_clock

    return len(sla_clock.sweep(parse_now(now)))


@in_app_context
def fire_state_timers(now: str | None = None) -> int:
    """Fire the workflow's due state timers (each once): reminders, auto-resolve, auto-close."""
    from webapp.services import state_timers

    return state_timers.sweep(parse_now(now))


@in_app_context
def relay_outbox(now: str | None = None) -> int:
    """Hand over outbox rows a Redis outage or a crash left behind."""
    from webapp.outbox import relay_pending

    return relay_pending()


@in_app_context
def send_due_reminders(now: str | None = None) -> int:
    from webapp.services.reminders import deliver_due_reminders

    return deliver_due_reminders(parse_now(now))


@in_app_context
def delete_old_notifications(now: str | None = None) -> int:
    """Delete read inbox entries older than INBOX_RETENTION_DAYS (0 keeps them all)."""
    from flask import current_app

    from webapp.models import utcnow
    from webapp.services.inbox import delete_read_before

    days = int(current_app.config.get("INBOX_RETENTION_DAYS") or 0)
    if days <= 0:
        return 0
    return delete_read_before((parse_now(now) or utcnow()) - timedelta(days=days))


@in_app_context
def erase_expired_personal_data(now: str | None = None) -> int:
    """Erase customers' personal data older than the admin's retention period (off: nothing).

    Returns how many responses and tickets were erased."""
    from webapp.services.retention import erase_expired_data

    run = erase_expired_data(parse_now(now))
    return 0 if run is None else run.counts["responses"] + run.counts["tickets"]


@in_app_context
def poll_reply_mailbox(now: str | None = None) -> int:
    """Receive customers' e-mail replies from LOOPDESK_IMAP_URL (nothing when it is unset)."""
    from webapp.services.inbound_mail import poll_configured_mailbox

    return poll_configured_mailbox()


@dataclass(frozen=True)
class Periodic:
    name: str
    func: Callable
    every_seconds: int


def periodic_jobs() -> list[Periodic]:
    """Everything that runs on a clock. Imported lazily: the job modules import the app."""
    from jobs import notices, summaries, surveys, webhooks

    return [
        Periodic("sla-sweep", sweep_sla, 60),
        Periodic("state-timers", fire_state_timers, 60),
        Periodic("outbox-relay", relay_outbox, 60),
        Periodic("reminders", send_due_reminders, 60),
        Periodic("surveys", surveys.send_due_surveys, 60),
        Periodic("survey-reminders", surveys.send_survey_reminders, 60),
        Periodic("held-notices", notices.release_held_notices, 60),
        Periodic("digests", notices.send_digests, 3600),
        Periodic("weekly-summaries", summaries.send_weekly_summaries, 600),
        Periodic("webhook-relay", webhooks.relay_pending_deliveries, 60),
        Periodic("inbox-retention", delete_old_notifications, 24 * 3600),
        Periodic("data-retention", erase_expired_personal_data, 24 * 3600),
        Periodic("reply-mailbox", poll_reply_mailbox, 60),
    ]


def run_all_once(now: str | None = None) -> dict[str, object]:
    """Run every periodic job now, in this process (`flask jobs run-due`, tests)."""
    results: dict[str, object] = {}
    for job in periodic_jobs():
        try:
            results[job.name] = job.func(now)
        except Exception:  # one failing job must not stop the others
            log.exception("periodic job %s failed", job.name)
            results[job.name] = "failed"
    return results


def cron_scheduler(connection, queue_name: str):
    """RQ's cron scheduler with every periodic job registered on `queue_name`."""
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=connection, name=f"loopdesk-{queue_name}")
    for job in periodic_jobs():
        scheduler.register(
            job.func, queue_name, interval=job.every_seconds, name=job.name, job_timeout=300
        )
    return scheduler


class InProcessScheduler(threading.Thread):
    """`make run` without Redis: the same periodic jobs, in a daemon thread of the web server."""

    def __init__(self, app, tick_seconds: float = 5.0) -> None:
        super().__init__(name="loopdesk-scheduler", daemon=True)
        self.app = app
        self.tick_seconds = tick_seconds
        self.stopped = threading.Event()
        self._last_run: dict[str, float] = {}

    def run(self) -> None:
        import time

        while not self.stopped.is_set():
            clock = time.monotonic()
            for job in periodic_jobs():
                last = self._last_run.get(job.name)
                if last is not None and clock - last < job.every_seconds:
                    continue
                self._last_run[job.name] = clock
                try:
                    with self.app.app_context():
                        job.func()
                except Exception:
                    log.exception("periodic job %s failed", job.name)
            self.stopped.wait(self.tick_seconds)

    def stop(self) -> None:
        self.stopped.set()


def start_in_process(app) -> InProcessScheduler:
    scheduler = InProcessScheduler(app)
    scheduler.start()
    app.extensions["loopdesk_scheduler"] = scheduler
    return scheduler
