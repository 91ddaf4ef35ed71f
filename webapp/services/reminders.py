"""'Remind me' on a ticket: stored in UTC, e-mailed once when due.

Each due reminder is claimed with a conditional UPDATE (`… WHERE sent_at IS NULL`),
like the outbox claim, so overlapping runs never send one twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from webapp.extensions import db
from webapp.models import Reminder, Ticket, User, utcnow
from webapp.services.history import record_event
from webapp.services.local_time import LocalTimeOutOfRange, parse_local_datetime
from webapp.services.notifications import notify

MAX_NOTE = 500
BATCH = 500


# A reminder further ahead than this is a typo (2090, or 9999 from the date picker), not a plan.
HORIZON = timedelta(days=366)


class ReminderInThePast(ValueError):
    """A reminder for a moment already gone would never be useful (a typo in the date)."""


class ReminderTooFar(ValueError):
    """A reminder more than HORIZON ahead; `latest` is the last moment accepted now."""

    def __init__(self, local_when: str, latest: datetime):
        super().__init__(local_when)
        self.latest = latest


def create_reminder(ticket: Ticket, user: User, local_when: str, note: str = "") -> Reminder:
    """A reminder at a moment typed in the user's timezone.

    Raises BadLocalTime for a value we cannot read, ReminderInThePast for a moment that has
    passed (a minute's grace: "now" typed a little while ago is still fine), ReminderTooFar
    for one more than a year ahead.
    """
    now = utcnow()
    try:
        remind_at = parse_local_datetime(local_when, user.timezone)
    except LocalTimeOutOfRange as exc:  # the end of year 9999: far too far, as typed
        raise ReminderTooFar(local_when, now + HORIZON) from exc
    if remind_at < now - timedelta(minutes=1):
        raise ReminderInThePast(local_when)
    if remind_at > now + HORIZON:
        raise ReminderTooFar(local_when, now + HORIZON)
    reminder = Reminder(
        ticket=ticket, user=user, remind_at=remind_at, note=(note or "").strip()[:MAX_NOTE]
    )
    db.session.add(reminder)
    record_event(ticket, "reminder_set", user, remind_at=remind_at.isoformat(), note=reminder.note)
    return reminder


def cancel_reminder(reminder: Reminder, user: User) -> bool:
    """Delete a pending reminder; False if it was sent meanwhile (claimed by the sweep after
    the caller read it), which then stays as sent, with nothing recorded."""
    deleted = db.session.execute(
        delete(Reminder)
        .where(Reminder.id == reminder.id, Reminder.sent_at.is_(None))
        .execution_options(synchronize_session=False)
    ).rowcount
    if not deleted:
        db.session.refresh(reminder)
        return False
    record_event(reminder.ticket, "reminder_cancelled", user, note=reminder.note)
    return True


def pending_reminders(ticket: Ticket, user: User) -> list[Reminder]:
    return list(
        db.session.scalars(
            select(Reminder)
            .where(
                Reminder.ticket_id == ticket.id,
                Reminder.user_id == user.id,
                Reminder.sent_at.is_(None),
            )
            .order_by(Reminder.remind_at)
        )
    )


def _claim(reminder_id: int, now: datetime) -> bool:
    return bool(
        db.session.execute(
            update(Reminder)
            .where(Reminder.id == reminder_id, Reminder.sent_at.is_(None))
            .values(sent_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def deliver_due_reminders(now: datetime | None = None, limit: int = BATCH) -> int:
    """E-mail every due, unsent reminder once and note it on the ticket; returns how many."""
    now = now or utcnow()
    due_ids = db.session.scalars(
        select(Reminder.id)
        .where(Reminder.sent_at.is_(None), Reminder.remind_at <= now)
        .order_by(Reminder.remind_at)
        .limit(limit)
    ).all()
    sent = 0
    for reminder_id in due_ids:
        if not _claim(reminder_id, now):
            continue  # another run took it
        reminder = db.session.get(Reminder, reminder_id)
        user = reminder.user
        key = notify(
            user, "reminder", reminder.ticket, "reminder_due", {"note": reminder.note}, now=now
        )
        record_event(
            reminder.ticket, "reminder", None, to=user.name, note=reminder.note, message_key=key
        )
        db.session.commit()
        sent += 1
    return sent
