"""Business calendars: when a team works, so SLA clocks only run during open time.

Conventions that SLA code relies on:

- Every method takes timezone-aware datetimes (naive ones raise ValueError) and returns UTC.
- Weekly hours are local wall-clock times in the calendar's timezone. A local date is open
  during the intervals of its weekday plus the after-midnight part of the previous weekday's
  midnight-spanning intervals (("22:00", "06:00") on Monday is open Tuesday 00:00-06:00).
- A closed date (public holiday or extra closed date) is closed for its whole local day,
  00:00-24:00, including any night shift running into it or out of it.
- Open intervals are half-open [opens, closes). `add_business_time` returns the closing
  instant itself when the duration runs out exactly there, so a result is either open or an
  interval's closing instant (never later into closed time).
- Local times that do not exist (spring-forward gap) move forward to the end of the gap;
  local times that occur twice (fall-back) mean their first occurrence (fold=0). A day with a
  DST change therefore has one hour more or less of open time if an interval covers it.
- N business days move N open days forward keeping the business-time offset into the day
  (open time since that day's first opening), clamped to the target day's closing. An instant
  in closed time counts as the end of the open time before it (Wednesday 18:00 is Wednesday's
  closing; Saturday is Friday's closing), so on a uniform calendar "1d" equals one day's hours.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from workflow.durations import Duration
from workflow.yaml_documents import N_, Problem

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_SCAN_DAYS = 3700  # about ten years of consecutive closed days means "never open"
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
_WEEKDAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_CALENDAR_KEYS = (
    "timezone",
    "weekly_hours",
    "holiday_country",
    "closed_dates",
    "name",
    "label",
    "holiday_subdivision",
)
_CLOCK_PATTERN = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_ISO_DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DAY_CACHE_SIZE = 4096
_ZERO = timedelta(0)

MinuteInterval = tuple[int, int]  # minutes since local midnight; the end may pass 24:00
WeekHours = tuple[tuple[MinuteInterval, ...], ...]  # seven days, Monday first
OpenInterval = tuple[datetime, datetime]  # UTC, half-open


class CalendarError(ValueError):
    """A calendar definition that cannot be used; `messages` lists every problem found."""

    def __init__(self, messages: Sequence[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)


@dataclass(frozen=True)
class _CalendarSpec:
    """A validated calendar definition in normalised form."""

    timezone: str
    weekly_hours: WeekHours
    holiday_country: str | None
    closed_dates: frozenset[date]
    name: str | None
    labels: tuple[tuple[str, str], ...] = ()  # (language, text), sorted: hashable
    holiday_subdivision: str | None = None  # a state or region of holiday_country ("BY")


# --- reading definitions -------------------------------------------------------------------


def calendar_problems(data: object) -> list[Problem]:
    """Every problem in a calendar definition, each with its path inside the calendar."""
    return _read_calendar(data)[1]


def _read_calendar(data: object) -> tuple[_CalendarSpec | None, list[Problem]]:
    """Normalise a definition (None when invalid) and collect all problems in one pass."""
    if not isinstance(data, Mapping):
        return None, [Problem("", N_("expected a mapping with timezone and weekly_hours"))]
    errors: list[Problem] = []
    timezone = _read_timezone(data.get("timezone"), errors)
    weekly_hours = _read_weekly_hours(data.get("weekly_hours"), errors)
    holiday_country = _read_holiday_country(data.get("holiday_country"), errors)
    holiday_subdivision = _read_holiday_subdivision(
        holiday_country, data.get("holiday_subdivision"), errors
    )
    closed_dates = _read_closed_dates(data.get("closed_dates"), errors)
    name = data.get("name")
    if name is not None and not isinstance(name, str):
        errors.append(Problem("name", N_("expected text")))
    labels = _read_labels(data.get("label"), errors)
    for key in data:
        if key not in _CALENDAR_KEYS:
            errors.append(
                Problem(
                    str(key),
                    N_("unknown key (use %(keys)s)"),
                    params={"keys": ", ".join(_CALENDAR_KEYS)},
                )
            )
    if errors:
        return None, errors
    spec = _CalendarSpec(
        timezone,
        weekly_hours,
        holiday_country,
        closed_dates,
        name or None,
        labels,
        holiday_subdivision,
    )
    return spec, []


def _read_labels(value: object, errors: list[Problem]) -> tuple[tuple[str, str], ...]:
    """What admins call the calendar: one text (English) or language → text."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (("en", value.strip()),) if value.strip() else ()
    if isinstance(value, Mapping) and all(
        isinstance(lang, str) and isinstance(text, str) for lang, text in value.items()
    ):
        return tuple(sorted((lang, text.strip()) for lang, text in value.items() if text.strip()))
    errors.append(Problem("label", N_("must be a text or a mapping of language to text")))
    return ()


def overnight_notes(data: object) -> list[Problem]:
    """A note (not a problem) per interval that runs past midnight, for a valid calendar.

    ("17:00", "09:00") on Monday is a night shift: open Monday 17:00 to Tuesday 09:00. That
    is supported, but it is also what a swapped "09:00-17:00" looks like, so editors say it
    in words instead of accepting it silently. `params`: day, next_day (mon..sun), start,
    end and interval ("17:00–09:00").
    """
    spec, _errors = _read_calendar(data)
    if spec is None:
        return []
    notes = []
    for weekday, intervals in enumerate(spec.weekly_hours):
        for index, interval in enumerate(intervals):
            if interval[1] <= MINUTES_PER_DAY:
                continue
            start, end = _format_pair(interval)
            notes.append(
                Problem(
                    f"weekly_hours.{WEEKDAY_NAMES[weekday]}[{index}]",
                    N_("%(interval)s runs past midnight, until %(end)s on %(next_day)s"),
                    params={
                        "interval": _format_interval(interval),
                        "day": WEEKDAY_NAMES[weekday],
                        "next_day": WEEKDAY_NAMES[(weekday + 1) % 7],
                        "start": start,
                        "end": end,
                    },
                )
            )
    return notes


def _read_timezone(value: object, errors: list[Problem]) -> str:
    """An IANA zone name that zoneinfo can load."""
    if value is None:
        errors.append(Problem("timezone", N_("missing (use an IANA name such as Europe/Warsaw)")))
        return ""
    if not isinstance(value, str):
        errors.append(
            Problem(
                "timezone",
                N_("%(value)s is not a timezone name (e.g. Europe/Warsaw)"),
                params={"value": repr(value)},
            )
        )
        return ""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        errors.append(
            Problem("timezone", N_("unknown timezone %(value)s"), params={"value": repr(value)})
        )
    return value


def _read_weekly_hours(value: object, errors: list[Problem]) -> WeekHours:
    """Seven tuples of (start, end) minutes; an end below its start spans midnight."""
    week: list[tuple[MinuteInterval, ...]] = [() for _ in WEEKDAY_NAMES]
    if value is None:
        errors.append(
            Problem(
                "weekly_hours",
                N_("missing (e.g. %(example)s)"),
                params={"example": '{mon: [["09:00", "17:00"]]}'},
            )
        )
        return tuple(week)
    if not isinstance(value, Mapping):
        errors.append(
            Problem(
                "weekly_hours", N_("expected day names (mon..sun) mapped to [start, end] lists")
            )
        )
        return tuple(week)
    errors_before = len(errors)
    for key, day_value in value.items():
        day_name = key.lower() if isinstance(key, str) else key
        if day_name not in WEEKDAY_NAMES:
            errors.append(
                Problem(
                    "weekly_hours",
                    N_("unknown day %(day)s (use %(days)s)"),
                    params={"day": repr(key), "days": ", ".join(WEEKDAY_NAMES)},
                )
            )
            continue
        weekday = WEEKDAY_NAMES.index(day_name)
        if week[weekday]:
            errors.append(
                Problem(
                    f"weekly_hours.{key}", N_("%(day)s is given twice"), params={"day": day_name}
                )
            )
            continue
        week[weekday] = _read_day_intervals(day_value, f"weekly_hours.{key}", errors)
    if len(errors) == errors_before:
        errors.extend(_overlap_problems(week))
    if len(errors) == errors_before and not any(week):
        errors.append(Problem("weekly_hours", N_("no working hours in the week")))
    return tuple(week)


def _read_day_intervals(
    value: object, path: str, errors: list[Problem]
) -> tuple[MinuteInterval, ...]:
    """One day's [start, end] pairs; missing or empty means closed that day."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        errors.append(
            Problem(
                path,
                N_("expected a list of [start, end] pairs, e.g. %(example)s"),
                params={"example": '[["09:00", "17:00"]]'},
            )
        )
        return ()
    intervals: list[MinuteInterval] = []
    for index, pair in enumerate(value):
        item_path = f"{path}[{index}]"
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            errors.append(
                Problem(
                    item_path,
                    N_("expected [start, end], got %(value)s"),
                    params={"value": repr(pair)},
                )
            )
            continue
        start, end = (_read_clock(clock, item_path, errors) for clock in pair)
        if start is None or end is None:
            continue
        if start == MINUTES_PER_DAY:
            errors.append(Problem(item_path, N_("'24:00' can only end an interval")))
        elif start == end:
            errors.append(
                Problem(
                    item_path,
                    N_("empty interval %(start)s–%(end)s (use 00:00–24:00 for a whole day)"),
                    params={"start": pair[0], "end": pair[1]},
                )
            )
        else:
            intervals.append((start, end if end > start else end + MINUTES_PER_DAY))
    return tuple(intervals)


def _read_clock(value: object, path: str, errors: list[Problem]) -> int | None:
    """Minutes since local midnight for "HH:MM" (00:00 to 24:00) or a datetime.time."""
    if isinstance(value, time):
        return value.hour * 60 + value.minute
    match = _CLOCK_PATTERN.fullmatch(value) if isinstance(value, str) else None
    if match is not None:
        hours, minutes = int(match.group(1)), int(match.group(2))
        if minutes < 60 and (hours < 24 or (hours == 24 and minutes == 0)):
            return hours * 60 + minutes
    if isinstance(value, str):
        errors.append(
            Problem(path, N_("%(value)s is not a time (use HH:MM)"), params={"value": repr(value)})
        )
    else:  # YAML reads an unquoted 13:00 as the number 780
        errors.append(
            Problem(
                path,
                N_('%(value)s is not a time (use HH:MM, quoted in YAML: "13:00")'),
                params={"value": repr(value)},
            )
        )
    return None


def _overlap_problems(week: Sequence[Sequence[MinuteInterval]]) -> list[Problem]:
    """Intervals that overlap, including a night shift running into the next day's hours."""
    entries = [
        (weekday, index, weekday * MINUTES_PER_DAY + start, weekday * MINUTES_PER_DAY + end)
        for weekday, intervals in enumerate(week)
        for index, (start, end) in enumerate(intervals)
    ]
    messages = []
    for position, later in enumerate(entries):
        for earlier in entries[:position]:
            if any(
                earlier[2] < later[3] + shift and later[2] + shift < earlier[3]
                for shift in (-MINUTES_PER_WEEK, 0, MINUTES_PER_WEEK)
            ):
                later_path = f"weekly_hours.{WEEKDAY_NAMES[later[0]]}[{later[1]}]"
                messages.append(
                    Problem(
                        later_path,
                        N_("%(interval)s overlaps %(other)s"),
                        params={
                            "interval": _format_interval(week[later[0]][later[1]]),
                            "other": _entry_label(week, earlier),
                            # the same, apart, for screens that name the weekday in words
                            "other_day": WEEKDAY_NAMES[earlier[0]],
                            "other_interval": _format_interval(week[earlier[0]][earlier[1]]),
                        },
                    )
                )
    return messages


def _entry_label(week: Sequence[Sequence[MinuteInterval]], entry: tuple[int, ...]) -> str:
    """`mon[1] 13:00–17:00` style label for overlap messages."""
    weekday, index = entry[0], entry[1]
    return f"{WEEKDAY_NAMES[weekday]}[{index}] {_format_interval(week[weekday][index])}"


def _read_holiday_country(value: object, errors: list[Problem]) -> str | None:
    """A country code the `holidays` package knows, upper-cased."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        errors.append(
            Problem(
                "holiday_country",
                N_("%(value)s is not a country code (e.g. PL)"),
                params={"value": repr(value)},
            )
        )
        return None
    code = value.upper()
    country, _, region = code.partition("-")
    if region and _is_known_country(country) and region in holiday_subdivisions(country):
        # "DE-BY", as the SLA page names a region: two keys in the YAML
        errors.append(
            Problem(
                "holiday_country",
                N_(
                    "%(value)s names a region: write holiday_country: %(country)s and "
                    "holiday_subdivision: %(region)s"
                ),
                params={"value": repr(value), "country": country, "region": region},
            )
        )
        return None
    if not _is_known_country(code):
        errors.append(
            Problem(
                "holiday_country",
                N_("unknown country code %(value)s"),
                params={"value": repr(value)},
            )
        )
        return None
    return code


def _read_holiday_subdivision(
    country: str | None, value: object, errors: list[Problem]
) -> str | None:
    """A state or region of the holiday country with its own public holidays ("BY")."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or country is None:
        errors.append(
            Problem(
                "holiday_subdivision",
                N_("%(value)s is not a subdivision of the holiday country"),
                params={"value": repr(value)},
            )
        )
        return None
    code = value.upper()
    region = code.removeprefix(f"{country}-")
    if code != region and region in holiday_subdivisions(country):
        errors.append(
            Problem(
                "holiday_subdivision",
                N_("write the region's code without its country: %(region)s"),
                params={"region": region},
            )
        )
        return None
    if code not in holiday_subdivisions(country):
        errors.append(
            Problem(
                "holiday_subdivision",
                N_("%(value)s is not a subdivision of the holiday country"),
                params={"value": repr(value)},
            )
        )
        return None
    return code


@lru_cache(maxsize=64)
def holiday_subdivisions(country: str) -> tuple[str, ...]:
    """Codes of the states or regions `holidays` knows for a country, upper-cased."""
    try:
        known = holidays.country_holidays(country).subdivisions
    except NotImplementedError:
        return ()
    return tuple(str(code).upper() for code in known)


def is_known_holiday_country(code: str) -> bool:
    """Whether the `holidays` package has public holidays for this country code."""
    return isinstance(code, str) and code.isalpha() and _is_known_country(code.upper())


@lru_cache(maxsize=64)
def _is_known_country(code: str) -> bool:
    """Whether `holidays` has public holidays for this code (cached: lookups import modules)."""
    try:
        holidays.country_holidays(code)
    except NotImplementedError:
        return False
    return True


def _read_closed_dates(value: object, errors: list[Problem]) -> frozenset[date]:
    """Extra whole closed days, given as dates or ISO YYYY-MM-DD strings."""
    if value is None:
        return frozenset()
    if not isinstance(value, list | tuple | set | frozenset):
        errors.append(Problem("closed_dates", N_("expected a list of dates (YYYY-MM-DD)")))
        return frozenset()
    closed: set[date] = set()
    for index, item in enumerate(value):
        if isinstance(item, date) and not isinstance(item, datetime):
            closed.add(item)
            continue
        if isinstance(item, str) and _ISO_DATE_PATTERN.fullmatch(item):
            try:
                closed.add(date.fromisoformat(item))
                continue
            except ValueError:
                pass
        errors.append(
            Problem(
                f"closed_dates[{index}]",
                N_("%(value)s is not a date (use YYYY-MM-DD)"),
                params={"value": repr(item)},
            )
        )
    return frozenset(closed)


# --- calendar ------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _public_holidays(country: str, year: int, subdivision: str | None = None) -> frozenset[date]:
    """Public holidays of one country and year; cached because `holidays` is slow to build."""
    return frozenset(_holiday_names(country, year, subdivision, holiday_language(country, "en")))


@lru_cache(maxsize=1024)
def holiday_language(country: str, reader: str | None) -> str | None:
    """The language `holidays` names this country's holidays in for a reader ("pl", "ru"):
    the reader's own where the country has it (its own variant first: "en_CA" for an English
    reader of Canada's), else English ("en_US", or the country's own English), else the
    country's own language; None where `holidays` has no translations at all (its names are
    English then). Never None where it has some: `holidays` would guess the language from
    the server's environment (LANGUAGE, LANG), and one page would mix languages.
    Cached per country and reader: asking builds the country's holidays."""
    try:
        entity = holidays.country_holidays(country)
    except NotImplementedError:
        return None
    supported = tuple(entity.supported_languages or ())
    if not supported:
        return None
    default = entity.default_language
    language = (reader or "en").replace("-", "_").split("_")[0].lower()

    def base(code: str | None) -> str:
        return (code or "").split("_")[0].lower()

    if default in supported and base(default) == language:
        return default
    if reader in supported:
        return reader
    for wanted in (language, "en"):
        if wanted == "en" and base(default) != "en" and "en_US" in supported:
            return "en_US"
        found = next((code for code in supported if base(code) == wanted), None)
        if found is not None:
            return found
    return default if default in supported else supported[0]


@lru_cache(maxsize=512)
def _holiday_names(
    country: str, year: int, subdivision: str | None = None, language: str | None = None
) -> Mapping[date, str]:
    """Each public holiday of one country (or its subdivision) and year with its name, in a
    language `holiday_language` chose (cached per country, region, year and language)."""
    found = holidays.country_holidays(
        country, subdiv=_subdiv_as_known(country, subdivision), years=year, language=language
    )
    return dict(found)


def _subdiv_as_known(country: str, subdivision: str | None) -> str | None:
    """The subdivision as `holidays` spells it (codes are matched case-blind here)."""
    if subdivision is None:
        return None
    try:
        known = holidays.country_holidays(country).subdivisions
    except NotImplementedError:
        return None
    return next((code for code in known if str(code).upper() == subdivision), None)


def public_holiday_name(
    country: str, day: date, subdivision: str | None = None, reader: str | None = "en"
) -> str | None:
    """The name of the public holiday on `day` (None: a working day), in the reader's
    language ("pl", "sl", "ru") where `holidays` has it for this country, else as
    `holiday_language` falls back; English when no reader is given."""
    try:
        language = holiday_language(country, reader)
        return _holiday_names(country, day.year, subdivision, language).get(day)
    except (NotImplementedError, KeyError, ValueError):
        return None


def _as_utc(at: datetime, argument: str) -> datetime:
    """The same instant in UTC; naive datetimes are refused because their zone is a guess."""
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise ValueError(f"{argument} must be a timezone-aware datetime, got {at!r}")
    return at.astimezone(UTC)


def _split_duration(duration: Duration | timedelta) -> tuple[int, timedelta]:
    """Business days and open time of a duration; a timedelta is open time only."""
    if isinstance(duration, Duration):
        return duration.days, timedelta(minutes=duration.minutes)
    if isinstance(duration, timedelta):
        if duration < _ZERO:
            raise ValueError(f"duration must not be negative, got {duration}")
        return 0, duration
    raise TypeError(f"duration must be a Duration or timedelta, got {duration!r}")


def _local_day_templates(week: WeekHours) -> WeekHours:
    """Per weekday, the local open minutes within 00:00-24:00, merged and sorted."""
    templates = []
    for weekday, intervals in enumerate(week):
        own = [(start, min(end, MINUTES_PER_DAY)) for start, end in intervals]
        spill = [
            (0, end - MINUTES_PER_DAY) for _, end in week[weekday - 1] if end > MINUTES_PER_DAY
        ]
        templates.append(_merge_touching(sorted(own + spill)))
    return tuple(templates)


def _merge_touching(intervals: Sequence[MinuteInterval]) -> tuple[MinuteInterval, ...]:
    """Join sorted intervals that touch, so a closing instant is a real closing."""
    merged: list[MinuteInterval] = []
    for start, end in intervals:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _open_time_before(intervals: Sequence[OpenInterval], instant: datetime) -> timedelta:
    """Open time of one day that lies before `instant`."""
    total = _ZERO
    for opens, closes in intervals:
        if opens < instant:
            total += min(closes, instant) - opens
    return total


def _instant_at_offset(intervals: Sequence[OpenInterval], offset: timedelta) -> datetime:
    """The instant `offset` of open time into a day, clamped to the day's last closing."""
    for opens, closes in intervals:
        if offset <= closes - opens:
            return opens + offset
        offset -= closes - opens
    return intervals[-1][1]


def _next_day(day: date) -> date:
    """The following date, refusing to run off the end of the datetime range."""
    if day.year >= 9999:
        raise ValueError("business time beyond the year 9998 is not supported")
    return day + timedelta(days=1)


def _previous_day(day: date) -> date:
    """The preceding date, refusing to run off the start of the datetime range."""
    if day.year <= 1:
        raise ValueError("business time before the year 2 is not supported")
    return day - timedelta(days=1)


class BusinessCalendar:
    """Working hours in one timezone, minus public holidays and extra closed dates; immutable."""

    __slots__ = ("_spec", "_zone", "_day_templates", "_day_cache")

    def __init__(
        self,
        timezone: str,
        weekly_hours: Mapping[str, Sequence[Sequence[str | time]] | None],
        holiday_country: str | None = None,
        closed_dates: Iterable[date | str] = (),
        name: str | None = None,
        label: str | Mapping[str, str] | None = None,
    ) -> None:
        if not isinstance(closed_dates, str | list | tuple | set | frozenset | None):
            closed_dates = list(closed_dates)  # any other iterable, e.g. a generator
        data = {
            "timezone": timezone,
            "weekly_hours": weekly_hours,
            "holiday_country": holiday_country,
            "closed_dates": closed_dates,
            "name": name,
            "label": label,
        }
        self._set_up(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> BusinessCalendar:
        """Build from loaded YAML/JSON; raises CalendarError listing every problem."""
        calendar = cls.__new__(cls)
        calendar._set_up(data)
        return calendar

    def _set_up(self, data: object) -> None:
        """Validate once and precompute per-weekday local intervals."""
        spec, errors = _read_calendar(data)
        if spec is None:
            raise CalendarError([str(problem) for problem in errors])
        object.__setattr__(self, "_spec", spec)
        object.__setattr__(self, "_zone", ZoneInfo(spec.timezone))
        object.__setattr__(self, "_day_templates", _local_day_templates(spec.weekly_hours))
        object.__setattr__(self, "_day_cache", {})

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return self._spec == other._spec

    def __hash__(self) -> int:
        return hash(self._spec)

    def __repr__(self) -> str:
        return f"<BusinessCalendar {self.describe()}>"

    def counts_like(self, other: BusinessCalendar) -> bool:
        """Whether both calendars count the same open time (zone, hours, holidays, closed
        dates): a new name or label changes no deadline."""
        mine, theirs = self._spec, other._spec
        return (
            mine.timezone == theirs.timezone
            and mine.weekly_hours == theirs.weekly_hours
            and mine.holiday_country == theirs.holiday_country
            and mine.holiday_subdivision == theirs.holiday_subdivision
            and mine.closed_dates == theirs.closed_dates
        )

    @property
    def timezone(self) -> str:
        return self._spec.timezone

    @property
    def weekly_hours(self) -> dict[str, list[tuple[str, str]]]:
        """Open days with their intervals as "HH:MM" pairs (a copy)."""
        return {
            day_name: [_format_pair(interval) for interval in intervals]
            for day_name, intervals in zip(WEEKDAY_NAMES, self._spec.weekly_hours, strict=True)
            if intervals
        }

    @property
    def holiday_country(self) -> str | None:
        return self._spec.holiday_country

    @property
    def holiday_subdivision(self) -> str | None:
        return self._spec.holiday_subdivision

    @property
    def closed_dates(self) -> frozenset[date]:
        return self._spec.closed_dates

    @property
    def name(self) -> str | None:
        return self._spec.name

    @property
    def labels(self) -> dict[str, str]:
        """The calendar's name per language, as written in the definition (a copy)."""
        return dict(self._spec.labels)

    def label(self, locale: str) -> str:
        """What admins call it in `locale`: its label, else the English one, else its id in
        words ("warsaw_office" → "Warsaw office")."""
        labels = dict(self._spec.labels)
        return labels.get(locale) or labels.get("en") or humanise_calendar_id(self.name or "")

    # --- queries ---------------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        """Whether the team is working at this instant (closing instants are closed)."""
        instant = _as_utc(at, "at")
        intervals = self._day_intervals(self._local_date(instant))
        return any(opens <= instant < closes for opens, closes in intervals)

    def next_open(self, at: datetime) -> datetime:
        """`at` itself if open, else the start of the next open interval."""
        return next(self._open_intervals_from(_as_utc(at, "at")))[0]

    def add_business_time(self, start: datetime, duration: Duration | timedelta) -> datetime:
        """When `duration` of open time has elapsed after `start`: days first, then minutes."""
        instant = _as_utc(start, "start")
        days, open_time = _split_duration(duration)
        if not days and not open_time:
            return self.next_open(instant)
        if days:
            instant = self._add_business_days(instant, days)
        if open_time:
            instant = self._add_open_time(instant, open_time)
        return instant

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Open time in [a, b); zero when b is not after a."""
        start, end = _as_utc(a, "a"), _as_utc(b, "b")
        total = _ZERO
        if end <= start:
            return total
        day, last_day = self._local_date(start), self._local_date(end)
        while day <= last_day:
            for opens, closes in self._day_intervals(day):
                overlap = min(closes, end) - max(opens, start)
                if overlap > _ZERO:
                    total += overlap
            day = _next_day(day)
        return total

    def describe(self) -> str:
        """Compact English summary, e.g. "Europe/Warsaw, Mon–Fri 09:00–17:00, holidays: PL"."""
        parts = [self.timezone, _describe_week(self._spec.weekly_hours)]
        if self.holiday_country:
            region = f"-{self.holiday_subdivision}" if self.holiday_subdivision else ""
            parts.append(f"holidays: {self.holiday_country}{region}")
        if self.closed_dates:
            parts.append(_describe_closed_dates(self.closed_dates))
        text = ", ".join(parts)
        return f"{self.name}: {text}" if self.name else text

    # --- day-by-day machinery --------------------------------------------------------------

    def _local_date(self, instant: datetime) -> date:
        """The calendar date on the local wall clock at this instant."""
        return instant.astimezone(self._zone).date()

    def _is_closed_date(self, day: date) -> bool:
        """Whether the whole local day is a public holiday or an extra closed date."""
        if day in self._spec.closed_dates:
            return True
        country = self._spec.holiday_country
        return country is not None and day in _public_holidays(
            country, day.year, self._spec.holiday_subdivision
        )

    def public_holiday(self, at: datetime, reader: str | None = "en") -> str | None:
        """The public holiday on the local date at this instant, named for the reader ("pl";
        English by default: see `public_holiday_name`); None on other days, and for a
        calendar without holidays."""
        country = self._spec.holiday_country
        if country is None:
            return None
        day = self._local_date(_as_utc(at, "at"))
        return public_holiday_name(country, day, self._spec.holiday_subdivision, reader)

    def _day_intervals(self, day: date) -> tuple[OpenInterval, ...]:
        """One local date's open intervals in UTC (cached: every query walks whole days)."""
        cached = self._day_cache.get(day)
        if cached is not None:
            return cached
        intervals: tuple[OpenInterval, ...] = ()
        if not self._is_closed_date(day):
            bounds = (
                (self._wall_to_utc(day, start), self._wall_to_utc(day, end))
                for start, end in self._day_templates[day.weekday()]
            )
            intervals = tuple((opens, closes) for opens, closes in bounds if opens < closes)
        if len(self._day_cache) >= _DAY_CACHE_SIZE:
            self._day_cache.clear()
        self._day_cache[day] = intervals
        return intervals

    def _wall_to_utc(self, day: date, minute: int) -> datetime:
        """The instant a local wall clock shows `minute` past midnight of `day` (see module doc)."""
        wall = datetime(day.year, day.month, day.day) + timedelta(minutes=minute)
        local = wall.replace(tzinfo=self._zone)  # fold=0: the first of two ambiguous instants
        instant = local.astimezone(UTC)
        if instant.astimezone(self._zone).replace(tzinfo=None) == wall:
            return instant
        return self._end_of_gap(wall)

    def _end_of_gap(self, wall: datetime) -> datetime:
        """First instant after a spring-forward gap containing the nonexistent `wall` time."""
        earliest = wall.replace(tzinfo=self._zone, fold=1).astimezone(UTC)  # before the gap
        latest = wall.replace(tzinfo=self._zone, fold=0).astimezone(UTC)  # after the gap
        low, high = 0, int((latest - earliest).total_seconds())
        while low < high:  # smallest second whose wall clock is already past `wall`
            middle = (low + high) // 2
            candidate = earliest + timedelta(seconds=middle)
            if candidate.astimezone(self._zone).replace(tzinfo=None) > wall:
                high = middle
            else:
                low = middle + 1
        return earliest + timedelta(seconds=low)

    def _open_intervals_from(self, start: datetime) -> Iterator[OpenInterval]:
        """Open intervals ending after `start`, the first clipped to begin at `start`; endless."""
        day = self._local_date(start)
        days_without_open_time = 0
        while True:
            found = False
            for opens, closes in self._day_intervals(day):
                if closes > start:
                    found = True
                    yield max(opens, start), closes
            days_without_open_time = 0 if found else days_without_open_time + 1
            if days_without_open_time > MAX_SCAN_DAYS:
                raise ValueError(f"no open time within {MAX_SCAN_DAYS} days after {start}")
            day = _next_day(day)

    def _add_open_time(self, start: datetime, open_time: timedelta) -> datetime:
        """Walk open intervals until `open_time` is used up; exactly at closing returns closing."""
        intervals = self._open_intervals_from(start)
        remaining = open_time
        while True:
            opens, closes = next(intervals)
            if remaining <= closes - opens:
                return opens + remaining
            remaining -= closes - opens

    def _add_business_days(self, instant: datetime, days: int) -> datetime:
        """Same business-time offset into the day `days` open days later, clamped to closing."""
        day, offset = self._business_day_offset(instant)
        for _ in range(days):
            day = self._adjacent_open_day(day, _next_day)
        return _instant_at_offset(self._day_intervals(day), offset)

    def _business_day_offset(self, instant: datetime) -> tuple[date, timedelta]:
        """The open day an instant belongs to and the open time since that day's opening."""
        day = self._local_date(instant)
        intervals = self._day_intervals(day)
        if intervals and intervals[0][0] <= instant:
            return day, _open_time_before(intervals, instant)
        previous = self._adjacent_open_day(day, _previous_day)
        previous_intervals = self._day_intervals(previous)
        return previous, _open_time_before(previous_intervals, previous_intervals[-1][1])

    def _adjacent_open_day(self, day: date, step: Callable[[date], date]) -> date:
        """The nearest date with open time in the direction of `step`, excluding `day`."""
        for _ in range(MAX_SCAN_DAYS):
            day = step(day)
            if self._day_intervals(day):
                return day
        raise ValueError(f"no open day within {MAX_SCAN_DAYS} days of {day}")


# --- descriptions --------------------------------------------------------------------------


def humanise_calendar_id(name: str) -> str:
    """A calendar id as words, for a calendar without a label: "warsaw_office" → "Warsaw office"."""
    words = str(name).replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def _format_clock(minute: int) -> str:
    """ "HH:MM" for minutes since midnight; an end past midnight shows the next day's time."""
    if minute != MINUTES_PER_DAY:
        minute %= MINUTES_PER_DAY
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _format_pair(interval: MinuteInterval) -> tuple[str, str]:
    return _format_clock(interval[0]), _format_clock(interval[1])


def _format_interval(interval: MinuteInterval) -> str:
    return "–".join(_format_pair(interval))


def _describe_week(week: WeekHours) -> str:
    """Open days with their hours, runs of identical consecutive days as ranges."""
    if all(intervals == ((0, MINUTES_PER_DAY),) for intervals in week):
        return "24/7"
    groups: list[tuple[int, int, tuple[MinuteInterval, ...]]] = []
    for weekday, intervals in enumerate(week):
        if groups and groups[-1][1] == weekday - 1 and groups[-1][2] == intervals:
            groups[-1] = (groups[-1][0], weekday, intervals)
        elif intervals:
            groups.append((weekday, weekday, intervals))
    return ", ".join(
        f"{_day_range_label(first, last)} {', '.join(map(_format_interval, intervals))}"
        for first, last, intervals in groups
    )


def _day_range_label(first: int, last: int) -> str:
    if first == last:
        return _WEEKDAY_LABELS[first]
    return f"{_WEEKDAY_LABELS[first]}–{_WEEKDAY_LABELS[last]}"


def _describe_closed_dates(closed_dates: frozenset[date]) -> str:
    """List a few closed dates, count many."""
    if len(closed_dates) > 3:
        return f"{len(closed_dates)} closed dates"
    return "closed: " + ", ".join(day.isoformat() for day in sorted(closed_dates))


ALWAYS_OPEN = BusinessCalendar(
    timezone="UTC",
    weekly_hours={day_name: [("00:00", "24:00")] for day_name in WEEKDAY_NAMES},
    name="Always open",
)
