"""When a form takes new conversations: its schedule and its response limit.

Pure: the caller gives the clock, the installation's time zone and, only when the form
has a limit, how many responses were completed. A date in `opens_at` is the start of that
day and a date in `closes_at` the end of it (the midnight that begins the next day), both
in the form's `timezone` or the installation's, so `opens_at: 2026-12-01` with
`closes_at: 2026-12-14` takes answers for the whole of both days. A date-time without an
offset is read in the same zone. Open means opens_at <= now < closes_at and fewer
completed responses than max_responses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # the definition module checks schedules with the functions below
    from survey_forms.definition import FormDefinition


class Availability(StrEnum):
    OPEN = "open"
    NOT_YET = "not_yet"  # before opens_at
    CLOSED = "closed"  # at or after closes_at
    FULL = "full"  # max_responses completed


@dataclass(frozen=True)
class FormState:
    availability: Availability
    opens_at: datetime | None  # aware instants (in the form's zone), or None
    closes_at: datetime | None
    completed: int | None  # None when the form has no limit (nothing was counted)
    limit: int | None
    zone: str

    @property
    def is_open(self) -> bool:
        return self.availability is Availability.OPEN


def zone_of(definition: FormDefinition, default_zone: str) -> str:
    return definition.timezone or default_zone or "UTC"


def _aware(moment: date | datetime, zone: str, *, end_of_day: bool) -> datetime:
    tz = ZoneInfo(zone)
    if isinstance(moment, datetime):
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)
    day = moment + timedelta(days=1) if end_of_day else moment
    return datetime.combine(day, time(0), tzinfo=tz)


def opens_instant(moment: date | datetime, zone: str) -> datetime:
    return _aware(moment, zone, end_of_day=False)


def closes_instant(moment: date | datetime, zone: str) -> datetime:
    return _aware(moment, zone, end_of_day=True)


def has_schedule(definition: FormDefinition) -> bool:
    return bool(
        definition.opens_at is not None
        or definition.closes_at is not None
        or definition.max_responses is not None
    )


def form_state(
    definition: FormDefinition, now: datetime, default_zone: str, completed: int | None = None
) -> FormState:
    """Whether `definition` takes a new conversation at `now` (aware), and why not.

    `completed`: the form's completed responses, all versions; read only when the form has
    `max_responses` (a form without a limit is never full).
    """
    zone = zone_of(definition, default_zone)
    opens = opens_instant(definition.opens_at, zone) if definition.opens_at is not None else None
    closes = (
        closes_instant(definition.closes_at, zone) if definition.closes_at is not None else None
    )
    limit = definition.max_responses
    now = now.astimezone(UTC)
    if opens is not None and now < opens:
        availability = Availability.NOT_YET
    elif closes is not None and now >= closes:
        availability = Availability.CLOSED
    elif limit is not None and (completed or 0) >= limit:
        availability = Availability.FULL
    else:
        availability = Availability.OPEN
    return FormState(
        availability, opens, closes, completed if limit is not None else None, limit, zone
    )


def shows_time(moment: datetime) -> bool:
    """A moment at midnight reads as a day ("opens on 1 December"), any other with its time."""
    return moment.timetz().replace(tzinfo=None) != time(0)
