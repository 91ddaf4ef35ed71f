"""Away / out of office: an agent's holiday or sick leave, from one day to another.

The agent (or an admin) picks whole days in the agent's own timezone; they are stored as
UTC instants, from the start of the first day away to the start of the day they are back,
so routing and notices compare one instant (`is_away`). While away an agent gets no
routed tickets (`workflow.routing.pick_assignee`), and their non-urgent notices wait for
their first working hours after `away_until` (`notifications.on_duty`). Colleagues can
still pick them by hand; the pickers say they are away (`away_text`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from flask_babel import get_locale
from flask_babel import gettext as _

from webapp.models import User
from webapp.services.local_time import zone_or_utc

NOTE_MAX = 120
MAX_DAYS_AHEAD = 365  # the last day away may be at most a year from today


class AwayRefused(ValueError):
    """The typed period cannot be saved; `errors` maps a field name to what is wrong."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class AwayDays:
    """A period as people say it: the first and the last day away, both included."""

    first_day: date
    last_day: date
    note: str = ""


def _zone(user: User) -> ZoneInfo:
    return zone_or_utc(user.timezone)


def is_away(user: User, now: datetime) -> bool:
    """Whether `user` is away at `now` (a period that has not begun or has ended: no)."""
    return (
        user.away_from is not None
        and user.away_until is not None
        and user.away_from <= now < user.away_until
    )


def away_days(user: User) -> AwayDays | None:
    """The stored period as days in the agent's timezone (None: no period set)."""
    if user.away_from is None or user.away_until is None:
        return None
    zone = _zone(user)
    first = user.away_from.astimezone(zone).date()
    back = user.away_until.astimezone(zone)
    last = back.date() - timedelta(days=1) if back.time() == time(0) else back.date()
    return AwayDays(first, max(first, last), user.away_note or "")


def last_day_away(user: User, now: datetime) -> date | None:
    """The last day `user` is away, if they are away at `now`."""
    days = away_days(user) if is_away(user, now) else None
    return days.last_day if days else None


def upcoming(user: User, now: datetime) -> AwayDays | None:
    """The period as days, while it is running or still ahead (an ended one: None)."""
    if user.away_until is None or user.away_until <= now:
        return None
    return away_days(user)


def short_date(day: date) -> str:
    """'12 Dec' ('12 gru', '12 дек.') in the viewer's language."""
    return format_skeleton("MMMd", day, locale=get_locale())


def away_text(user: User, now: datetime, *, with_note: bool = True) -> str:
    """'away until 12 Dec: At a conference' for the pickers; '' when not away now.

    Plain text: templates escape it like any other value (the note is the agent's own).
    """
    last = last_day_away(user, now)
    if last is None:
        return ""
    if user.away_note and with_note:
        return _("away until %(day)s: %(note)s", day=short_date(last), note=user.away_note)
    return _("away until %(day)s", day=short_date(last))


def _parse_day(text: str, field: str, errors: dict[str, str]) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = _("Enter a date such as %(example)s.", example="2026-12-24")
        return None


def read_days(first_text: str, last_text: str, note: str, *, today: date) -> AwayDays | None:
    """Check the typed period: None means 'not away' (both days empty).

    An empty first day means from today. Raises `AwayRefused` with a message per field.
    """
    errors: dict[str, str] = {}
    first = _parse_day(first_text, "away_from", errors)
    last = _parse_day(last_text, "away_until", errors)
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        errors["away_note"] = _("The note has at most %(max)d characters.", max=NOTE_MAX)
    if errors:
        raise AwayRefused(errors)
    if first is None and last is None:
        if note:
            raise AwayRefused({"away_until": _("Enter the last day away, or clear the note.")})
        return None
    if last is None:
        raise AwayRefused({"away_until": _("Enter the last day away.")})
    first = first or today
    if last < first:
        errors["away_until"] = _("The last day away cannot be before the first day.")
    elif last < today:
        errors["away_until"] = _("The last day away has already passed.")
    elif last > today + timedelta(days=MAX_DAYS_AHEAD):
        errors["away_until"] = _("An away period can end at most a year from today.")
    if errors:
        raise AwayRefused(errors)
    return AwayDays(first, last, note)


def today_for(user: User, now: datetime) -> date:
    """Today's date where the agent is."""
    return now.astimezone(_zone(user)).date()


def set_away(user: User, days: AwayDays | None) -> None:
    """Store `days` (None: not away) as instants in the agent's timezone."""
    if days is None:
        user.away_from, user.away_until, user.away_note = None, None, ""
        return
    zone = _zone(user)
    start = datetime.combine(days.first_day, time(0), zone)
    back = datetime.combine(days.last_day + timedelta(days=1), time(0), zone)
    user.away_from, user.away_until, user.away_note = start, back, days.note


def audit_values(user: User) -> dict[str, str | None]:
    """What the audit log keeps of the period: days as the agent said them, and the note."""
    days = away_days(user)
    return {
        "away_from": days.first_day.isoformat() if days else None,
        "away_until": days.last_day.isoformat() if days else None,
        "away_note": (days.note or None) if days else None,
    }


def change_away(user: User, days: AwayDays | None) -> bool:
    """Set the agent's own period and note it in the audit log; False when nothing changed.

    (An admin's change on the agent edit page is part of that edit's `user.updated` entry.)
    """
    from webapp.services import audit

    before = audit_values(user)
    set_away(user, days)
    after = audit_values(user)
    if after == before:
        return False
    audit.record("user.away_changed", user, user.name, before=before, after=after)
    bring_back_held_notices(user)
    return True


def bring_back_held_notices(user: User, now: datetime | None = None) -> None:
    """Notices held for the end of a period that ended early go at the agent's next working
    hours, not on the day they had planned to be back (later ones wait as they were)."""
    from sqlalchemy import update

    from webapp.extensions import db
    from webapp.models import NoticeStatus, StaffNotice, utcnow
    from webapp.services.notifications import next_working_start

    now = now or utcnow()
    if is_away(user, now) or user.id is None:
        return
    start = next_working_start(user, now)
    db.session.execute(
        update(StaffNotice)
        .where(
            StaffNotice.user_id == user.id,
            StaffNotice.status == NoticeStatus.HELD,
            StaffNotice.deliver_after > start,
        )
        .values(deliver_after=start)
        .execution_options(synchronize_session=False)
    )
