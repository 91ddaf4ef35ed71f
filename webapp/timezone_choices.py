"""The time zones a person picks from: grouped by region, "(UTC+01:00) Warsaw", in their language.

The stored value stays the IANA name (`Europe/Warsaw`); only what the list shows changes. Old
alias names (`Europe/Kiev`, `US/Eastern`) are left out of the list, so every place appears
once, under its current name; a person who already has one keeps it (`with_current`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from babel.core import get_global
from babel.dates import get_timezone_location
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from webapp.models.types import utcnow

REGIONS = {
    "Europe": _l("Europe"),
    "America": _l("Americas"),
    "Asia": _l("Asia"),
    "Africa": _l("Africa"),
    "Australia": _l("Australia"),
    "Pacific": _l("Pacific Ocean"),
    "Atlantic": _l("Atlantic Ocean"),
    "Indian": _l("Indian Ocean"),
    "Antarctica": _l("Antarctica"),
    "Arctic": _l("Arctic"),
}
# Where our customers' and agents' offices usually are, first in the list.
COMMON = (
    "UTC",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Berlin",
    "Europe/Ljubljana",
    "Europe/Paris",
    "Europe/Warsaw",
    "Europe/Kyiv",
    "Europe/Helsinki",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
)
OTHER = _l("Other time zones")

Choices = dict[str, list[tuple[str, str]]]


def offset_text(zone: str, now: datetime) -> str:
    """`UTC+01:00` for the zone's offset at `now` (summer and winter time differ)."""
    offset = now.astimezone(ZoneInfo(zone)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_label(zone: str, locale: str, now: datetime) -> str:
    """`(UTC+01:00) Warsaw`: the offset now and the zone's city in the reader's language."""
    city = "UTC" if zone == "UTC" else get_timezone_location(zone, locale, return_city=True)
    return f"({offset_text(zone, now)}) {city}"


def zone_in_words(zone: str, locale: str, now: datetime) -> str:
    """`Warszawa, UTC+01:00`: a zone named inside a sentence, without the picker's brackets."""
    city = "UTC" if zone == "UTC" else get_timezone_location(zone, locale, return_city=True)
    return city if zone == "UTC" else f"{city}, {offset_text(zone, now)}"


def timezone_choices(with_current: str | None = None) -> Choices:
    """Region → [(IANA name, label)], each sorted by offset then city; common zones first.

    `with_current`: a real zone missing from the list (an old alias) is added under "Other",
    so editing a profile never switches someone's zone silently.
    """
    locale = str(get_locale() or "en")
    now = utcnow()
    groups = dict(_groups(locale, now.replace(minute=0, second=0, microsecond=0)))
    listed = {name for choices in groups.values() for name, _label in choices}
    if with_current and with_current not in listed and with_current in _known_zones():
        groups[str(OTHER)] = [(with_current, zone_label(with_current, locale, now))]
    return groups


@lru_cache(maxsize=16)
def _groups(locale: str, hour: datetime) -> tuple[tuple[str, list[tuple[str, str]]], ...]:
    """Cached per language and hour: offsets only change on the hour (summer time). Called
    under the request's locale, which is `locale`, so the group names are in it too."""

    def choices(zones) -> list[tuple[str, str]]:
        rows = [
            (hour.astimezone(ZoneInfo(z)).utcoffset(), zone_label(z, locale, hour), z)
            for z in zones
        ]
        return [(zone, label) for _offset, label, zone in sorted(rows)]

    groups = [(str(_l("Common time zones")), choices(COMMON))]
    by_region: dict[str, list[str]] = {}
    for zone in _canonical_zones():
        by_region.setdefault(zone.split("/", 1)[0], []).append(zone)
    groups += [(str(label), choices(by_region.get(key, []))) for key, label in REGIONS.items()]
    return tuple(groups)


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=1)
def _canonical_zones() -> tuple[str, ...]:
    """Every zone in a region, without the old names CLDR lists as aliases."""
    aliases = get_global("zone_aliases")
    return tuple(
        sorted(
            zone
            for zone in _known_zones()
            if zone.split("/", 1)[0] in REGIONS and zone not in aliases
        )
    )
