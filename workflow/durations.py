"""Business durations such as "4h" or "2d" as written in workflow definitions.

Days (`d`) are business days of a calendar; hours and minutes are business minutes. The two
are kept apart because a business day has no fixed number of minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from workflow.yaml_documents import N_, fill

MAX_DAYS = 365
MINUTES_PER_HOUR = 60
MINUTES_PER_DAY = 24 * MINUTES_PER_HOUR
_MAX_NUMBER_DIGITS = 9  # longer numbers are far past MAX_DAYS; refuse before converting them

_DURATION_PATTERN = re.compile(
    r" *(?:(?P<days>[0-9]+)d)? *(?:(?P<hours>[0-9]+)h)? *(?:(?P<minutes>[0-9]+)m)? *",
    re.IGNORECASE,
)


NOT_A_DURATION = N_("'%(text)s' is not a duration (use 30m, 4h, 2d)")
TOO_LONG = N_("'%(text)s' is too long (at most %(max_days)sd)")


class DurationError(ValueError):
    """A duration text that cannot be used; the message is shown to whoever wrote it.

    `template` and `params` let the web layer show it in the reader's language.
    """

    def __init__(self, template: str, **params: object) -> None:
        super().__init__(fill(template, params))
        self.template = template
        self.params = params


@dataclass(frozen=True)
class Duration:
    """An amount of business time: whole business days plus business minutes."""

    days: int = 0
    minutes: int = 0

    def __post_init__(self) -> None:
        for field_name in ("days", "minutes"):
            value = getattr(self, field_name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(
                    f"Duration.{field_name} must be a whole number >= 0, got {value!r}"
                )

    def __add__(self, other: object) -> Duration:
        if not isinstance(other, Duration):
            return NotImplemented
        return Duration(days=self.days + other.days, minutes=self.minutes + other.minutes)

    def __bool__(self) -> bool:
        return bool(self.days or self.minutes)

    def __str__(self) -> str:
        hours, minutes = divmod(self.minutes, MINUTES_PER_HOUR)
        counts = ((self.days, "d"), (hours, "h"), (minutes, "m"))
        return "".join(f"{count}{unit}" for count, unit in counts if count) or "0m"

    def total_minutes_if_no_days(self) -> int | None:
        """Minutes as a plain number, or None when days are involved (their length varies)."""
        return None if self.days else self.minutes


def parse_duration(text: str) -> Duration:
    """Read "30m", "4h", "1h 30m", "2d4h" (case-insensitive), refusing anything ambiguous."""
    match = _DURATION_PATTERN.fullmatch(text) if isinstance(text, str) else None
    if match is None or not any(match.groups()):
        raise DurationError(NOT_A_DURATION, text=text)
    numbers = [number or "0" for number in match.group("days", "hours", "minutes")]
    if any(len(number.lstrip("0")) > _MAX_NUMBER_DIGITS for number in numbers):
        raise DurationError(TOO_LONG, text=text, max_days=MAX_DAYS)
    days, hours, minutes = (int(number) for number in numbers)
    duration = Duration(days=days, minutes=hours * MINUTES_PER_HOUR + minutes)
    if duration.days * MINUTES_PER_DAY + duration.minutes > MAX_DAYS * MINUTES_PER_DAY:
        raise DurationError(TOO_LONG, text=text, max_days=MAX_DAYS)
    return duration


def wall_clock(duration: Duration) -> timedelta:
    """The duration as plain elapsed time, a day being 24 hours (state timers count so)."""
    return timedelta(days=duration.days, minutes=duration.minutes)
