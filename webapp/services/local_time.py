"""Dates and times as agents type them: in their own timezone, stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_or_utc(timezone: str | None) -> ZoneInfo:
    """The named time zone; UTC when it is empty or unknown (a stored name never breaks a page)."""
    try:
        return ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


class BadLocalTime(ValueError):
    """Not a date and time we can read."""


class LocalTimeOutOfRange(BadLocalTime):
    """A readable moment too close to year 9999 to turn into UTC (the date picker offers it)."""


def parse_local_datetime(value: str | None, timezone: str) -> datetime:
    """`2025-03-01T09:30` (an <input type=datetime-local>) in `timezone` → aware UTC."""
    text = (value or "").strip()
    if not text:
        raise BadLocalTime("empty")
    try:
        naive = datetime.fromisoformat(text)
    except ValueError as exc:
        raise BadLocalTime(text) from exc
    try:
        if naive.tzinfo is not None:
            return naive.astimezone(UTC)
        return naive.replace(tzinfo=zone_or_utc(timezone)).astimezone(UTC)
    except OverflowError as exc:  # 9999-12-31T23:00 west of Greenwich is past year 9999 in UTC
        raise LocalTimeOutOfRange(text) from exc


def parse_local_date_or_datetime(value: str | None, timezone: str) -> datetime:
    """A due date: a bare date means the end of that day in the agent's timezone."""
    text = (value or "").strip()
    if len(text) == 10:
        text += "T23:59"
    return parse_local_datetime(text, timezone)


def local_date(moment: datetime, timezone: str) -> date:
    """The calendar day `moment` falls on in `timezone` (UTC when it is unknown)."""
    zone = zone_or_utc(timezone)
    return moment.astimezone(zone).date()


def before_today(moment: datetime, timezone: str, now: datetime | None = None) -> bool:
    """Whether `moment` falls on a day before today, both days as seen in `timezone`."""
    return local_date(moment, timezone) < local_date(now or datetime.now(UTC), timezone)


def local_input_value(moment: datetime | None, timezone: str) -> str:
    """What to put back into a datetime-local input."""
    if moment is None:
        return ""
    zone = zone_or_utc(timezone)
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
