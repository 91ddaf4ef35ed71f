"""Public holidays of an agent's own working hours: which country (and region) they follow.

`User.public_holidays` is "" (none: their hours as they are), a country code ("PL") or a
country and one of its regions ("DE-BY"). `assignment.working_hours_calendar` closes those
days, so routing passes the agent by and their non-urgent notices wait, as outside their
hours. Countries are those the `holidays` package knows, named by Babel in the reader's
language; regions are offered only where they have holidays of their own that matter.
A region that is a territory of its own (US-PR, Puerto Rico) is named by Babel, as countries
are; another is named in the reader's language where pycountry's ISO 3166-2 translations have
it ("Niemcy – Bawaria (DE-BY)"), else by its official name, in its country's language
("Германия – Sachsen (DE-SN)"): a proper name, not English passing for a translation;
without pycountry's qualifiers ("Madryt (wspólnota)") and of a name in several languages
the first. Its ISO 3166-2 code stays beside the name either way.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date, datetime
from gettext import NullTranslations, translation

import holidays
import pycountry
from babel import Locale, UnknownLocaleError
from flask_babel import get_locale, gettext
from wtforms import SelectChoice

from webapp.services.local_time import zone_or_utc
from workflow.calendars import (
    WEEKDAY_NAMES,
    holiday_subdivisions,
    is_known_holiday_country,
    public_holiday_name,
)

# Countries whose regions keep different public holidays (German states, Swiss cantons…).
REGION_COUNTRIES = ("AT", "AU", "CA", "CH", "DE", "ES", "GB", "US")
_CODE = re.compile(r"^([A-Z]{2})(?:-([A-Z0-9]{1,4}))?$")
_REGION = re.compile(r"^[A-Z0-9]{1,4}$")


def split(value: str | None) -> tuple[str, str | None] | None:
    """("DE", "BY") for "DE-BY", ("PL", None) for "PL"; None for none or an unknown code."""
    match = _CODE.match((value or "").strip().upper())
    if match is None or not is_known_holiday_country(match.group(1)):
        return None
    country, region = match.groups()
    if region is not None and region not in holiday_subdivisions(country):
        return None
    return country, region


def normalise(value: str | None) -> str | None:
    """The stored form of a posted choice ("" for none); None when it is no known code."""
    if not (value or "").strip():
        return ""
    parts = split(value)
    if parts is None:
        return None
    country, region = parts
    return f"{country}-{region}" if region else country


def calendar_fields(value: str | None) -> dict[str, str]:
    """The calendar keys for a stored choice (nothing for none or a code no longer known)."""
    parts = split(value)
    if parts is None:
        return {}
    country, region = parts
    fields = {"holiday_country": country}
    if region:
        fields["holiday_subdivision"] = region
    return fields


def _locale_name() -> str:
    return str(get_locale() or "en")


def _sort_key(label: str) -> str:
    """Alphabetical across accents (Österreich among the O's), case-blind."""
    plain = unicodedata.normalize("NFKD", label)
    return "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()


def choices() -> list[tuple[str, str]]:
    """(value, label) for the picker in the reader's language, countries alphabetically,
    each followed by its regions where they matter; the caller adds the "none" choice."""
    return list(_choices(_locale_name()))


@functools.lru_cache(maxsize=16)
def _choices(locale_name: str) -> tuple[tuple[str, str], ...]:
    territories = _territories(locale_name)
    countries = sorted(
        (
            (code, territories[code])
            for code in holidays.list_supported_countries()
            if len(code) == 2 and code in territories
        ),
        key=lambda item: _sort_key(item[1]),
    )
    listed: list[tuple[str, str]] = []
    for code, name in countries:
        listed.append((code, name))
        if code in REGION_COUNTRIES:
            regions = _region_names_in(code, locale_name).items()
            listed.extend(
                (f"{code}-{region}", _region_label(name, code, region, named))
                for region, named in sorted(regions, key=lambda item: _sort_key(item[1]))
            )
    return tuple(listed)


def _region_label(country_name: str, country: str, region: str, named: str) -> str:
    if named == region:  # no name known: the code says it all
        return f"{country_name} – {country}-{region}"
    return f"{country_name} – {named} ({country}-{region})"


def holidays_label(country: str, region: str | None = None) -> str:
    """A country's public holidays as the reader names them ("Niemcy"), with its region's
    name and code where it keeps its own ("Niemcy – Bawaria (DE-BY)")."""
    locale_name = _locale_name()
    country_name = _territories(locale_name).get(country, country)
    if not region:
        return country_name
    named = _region_names_in(country, locale_name).get(region.upper(), region.upper())
    return _region_label(country_name, country, region.upper(), named)


def _territories(locale_name: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(locale_name).territories)
    except (UnknownLocaleError, ValueError, TypeError):
        return dict(Locale("en").territories)


@functools.lru_cache(maxsize=16)
def _region_names(country: str) -> dict[str, str]:
    """Region code → its official name, as the `holidays` package spells it first (in the
    country's own language: "Bayern", "Wien"); the code when unnamed."""
    entity = holidays.country_holidays(country)
    names: dict[str, str] = {}
    for alias, code in (getattr(entity, "subdivisions_aliases", None) or {}).items():
        names.setdefault(str(code).upper(), alias)
    return {
        region: names.get(region, region)
        for region in holiday_subdivisions(country)
        if _REGION.match(region)
    }


@functools.lru_cache(maxsize=64)
def _region_names_in(country: str, locale_name: str) -> dict[str, str]:
    """Region code → its name in the reader's language where pycountry translates its ISO
    3166-2 name ("Bawaria"), else its official name ("Bayern"). A "translation" that only
    repeats the ISO name is none (pycountry's English for "Madrid, Comunidad de")."""
    translated = _subdivision_translations(locale_name)
    territories = _territories(locale_name)
    as_territory = _territory_regions(country)
    iso_names = _iso_names(country)
    named: dict[str, str] = {}
    for region, official in _region_names(country).items():
        if region in as_territory and as_territory[region] in territories:
            named[region] = territories[as_territory[region]]  # Babel's "Portoryko"
            continue
        iso_name = iso_names.get(region)
        said = translated.gettext(iso_name) if iso_name else official
        named[region] = _plain(said if said and said != iso_name else official)
    return named


_QUALIFIER = re.compile(r"\s+\([^()]*\)$")


def _plain(name: str) -> str:
    """A region's name as a label reads it: without pycountry's qualifier in brackets
    ("Madryt (wspólnota)", beside the code in brackets anyway) and, of a name in several
    languages ("Fribourg / Freiburg / Friburgo / Friburg"), the first."""
    return _QUALIFIER.sub("", name.split(" / ")[0]).strip() or name


@functools.lru_cache(maxsize=16)
def _territory_regions(country: str) -> dict[str, str]:
    """Regions that are territories of their own in ISO 3166-1 (US-PR is Puerto Rico, PR)
    → that code, so Babel names them as it names countries ("Portoryko", "Пуэрто-Рико"),
    instead of pycountry's ISO forms ("Virgin Islands, U.S.", "United States Minor
    Outlying Islands" under "United States")."""
    found: dict[str, str] = {}
    for region, iso_name in _iso_names(country).items():
        own = pycountry.countries.get(alpha_2=region) if len(region) == 2 else None
        if own is not None and own.name == iso_name:
            found[region] = region
    return found


@functools.lru_cache(maxsize=16)
def _subdivision_translations(locale_name: str) -> NullTranslations:
    """pycountry's ISO 3166-2 names in one language, read from disk once per language
    (nothing at all for a language it lacks)."""
    return translation("iso3166-2", pycountry.LOCALES_DIR, languages=[locale_name], fallback=True)


@functools.lru_cache(maxsize=16)
def _iso_names(country: str) -> dict[str, str]:
    """Region code → its ISO 3166-2 name, which pycountry's translations are keyed by."""
    found = pycountry.subdivisions.get(country_code=country) or ()
    return {sub.code.partition("-")[2].upper(): sub.name for sub in found}


def picker_choices() -> list[SelectChoice]:
    """The form's choices: none first, then `choices()`."""
    return [
        SelectChoice("", gettext("None: working hours as they are")),
        *(SelectChoice(value, label) for value, label in choices()),
    ]


def choice_label(value: str | None) -> str:
    """How the picker names a stored choice ("Germany – Bavaria (DE-BY)"); "" for none."""
    if not value:
        return ""
    return dict(_choices(_locale_name())).get(value, value)


def holiday_name(value: str | None, day: date) -> str | None:
    """The public holiday on `day` for a stored choice, named in the reader's language where
    `holidays` has it for the country, else in English (`calendars.holiday_language`: one
    choice per country and reader, so a page never mixes them)."""
    parts = split(value)
    if parts is None:
        return None
    country, region = parts
    return public_holiday_name(country, day, region, _locale_name())


def holiday_today(user, now: datetime) -> str | None:
    """The public holiday the agent has today in their own zone, named for the reader."""
    if not user.public_holidays:
        return None
    return holiday_name(user.public_holidays, now.astimezone(zone_or_utc(user.timezone)).date())


def off_today_text(user, now: datetime) -> str:
    """'public holiday: Labour Day' beside the name of an agent who has today off for one
    (a day they would otherwise work, in their zone); '' on other days."""
    if not user.public_holidays:
        return ""
    today = now.astimezone(zone_or_utc(user.timezone)).date()
    hours = user.working_hours if isinstance(user.working_hours, dict) else {}
    if hours and not hours.get(WEEKDAY_NAMES[today.weekday()]):
        return ""  # their day off anyway
    name = holiday_name(user.public_holidays, today)
    return gettext("public holiday: %(holiday)s", holiday=name) if name else ""
