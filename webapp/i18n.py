"""Locale and timezone negotiation, and the Babel formatting helpers templates use.

Locale order: explicit choice (profile, then cookie) > Accept-Language > `en`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_date
from babel.dates import format_interval, get_datetime_format, get_timezone_name
from babel.dates import format_time as babel_time
from babel.dates import format_timedelta as babel_timedelta
from babel.dates import get_timezone as get_babel_timezone
from babel.lists import format_list
from babel.numbers import format_decimal as babel_decimal
from babel.units import format_unit
from flask import Flask, current_app, g, request
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    format_time,
    format_timedelta,
    get_locale,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from webapp.extensions import babel
from webapp.models.types import utcnow
from webapp.problem_text import problem_line, problem_message

LOCALE_COOKIE = "loopdesk_lang"
LOCALE_COOKIE_MAX_AGE = 365 * 24 * 3600


PRIORITY_LABELS = {
    "low": _l("Low"),
    "normal": _l("Normal"),
    "high": _l("High"),
    "urgent": _l("Urgent"),
}


def priority_label(priority: str) -> str:
    return str(PRIORITY_LABELS.get(priority, priority))


def supported_locales() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def normalise_locale(value: str | None) -> str | None:
    """Return `value` if it is one of our languages (case-insensitive), else None."""
    if not value:
        return None
    value = value.strip().lower().replace("_", "-").split("-")[0]
    return value if value in supported_locales() else None


def override_locale(locale: str) -> None:
    """Use `locale` for this request (customer pages speak the form's language)."""
    g.locale_override = locale


def _requested_language() -> str | None:
    """`lang` from the address or the posted form; a body too large to read has none."""
    try:
        return request.values.get("lang")
    except RequestEntityTooLarge:  # rendering the 413 page must not raise it again
        return request.args.get("lang")


def browser_language(supported) -> str | None:
    """The first of the browser's languages, in its order of preference, that we have.

    "pl-PL, en;q=0.5" is Polish: werkzeug's best_match prefers any exact match ("en") to a
    regional tag whose language we have ("pl-PL" for "pl"), and many browsers send only that.
    """
    supported = list(supported)
    for value, quality in request.accept_languages:
        tag = value.lower().replace("_", "-")
        if quality <= 0:
            continue
        for candidate in (tag, tag.split("-")[0]):
            if candidate in supported:
                return candidate
    return None


def select_locale() -> str:
    if getattr(g, "locale_override", None):
        return g.locale_override
    if request.blueprint == "public":  # a customer page names its language (/ru/, ?lang=, the form)
        prefix = (request.view_args or {}).get("prefix")
        chosen = normalise_locale(prefix) or normalise_locale(_requested_language())
        if chosen:
            return chosen
    if current_user and current_user.is_authenticated:
        chosen = normalise_locale(current_user.locale)
        if chosen:
            return chosen
    chosen = normalise_locale(request.cookies.get(LOCALE_COOKIE))
    if chosen:
        return chosen
    return browser_language(supported_locales()) or "en"


def adopt_chosen_locale(user) -> None:
    """At login, keep the language the visitor just picked with the switcher.

    The cookie is the latest explicit choice on this device; copying it into
    the profile keeps the two in agreement instead of flipping the language
    back the moment the user logs in.
    """
    chosen = normalise_locale(request.cookies.get(LOCALE_COOKIE))
    if chosen and chosen != user.locale:
        user.locale = chosen


def select_timezone() -> str | None:
    if current_user and current_user.is_authenticated:
        return current_user.timezone
    return None


def language_name(code: str) -> str:
    """The language's own name, e.g. 'polski' for pl, capitalised for a menu."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def language_name_for_viewer(code: str) -> str:
    """The language's name in the viewer's language where it starts a label, an option or a
    table cell ('Slovenian', 'Słoweński'); else the code. Inside a sentence use
    `language_in_sentence`: Polish, Russian and Slovenian write it in lower case there."""
    name = language_in_sentence(code)
    return name[:1].upper() + name[1:]


def language_in_sentence(code: str) -> str:
    """The language's name in the viewer's language as it is written inside a sentence:
    Babel's own casing, 'Slovenian' in English but 'słoweński', 'словенский', 'slovenščina'
    ("Szablon, język: słoweński"); else the code."""
    try:
        return Locale.parse(code).get_display_name(get_locale()) or code
    except (UnknownLocaleError, ValueError, TypeError):
        return code


def one_full_stop(sentence: str) -> str:
    """The sentence with one full stop where it ends on a value that brings its own:
    'до 9 дек.' and 'с 9 дек. 2026 г.', not 'до 9 дек..' (Russian and Slovenian dates
    end in an abbreviation's dot); an ellipsis stays."""
    if sentence.endswith("..") and not sentence.endswith("..."):
        return sentence[:-1]
    return sentence


def date_interval(start: date, end: date) -> str:
    """'Nov 30 – Dec 6, 2026' ('30 lis–6 gru 2026' in Polish): a span of days."""
    return format_interval(start, end, "yMMMd", locale=get_locale())


def relative_time(value: datetime | None) -> str:
    """'3 minutes ago' / 'in 2 hours' in the viewer's language."""
    if value is None:
        return ""
    return format_timedelta(value - utcnow(), add_direction=True, granularity="minute")


def short_duration(value: timedelta | None) -> str:
    """'12 min', '3 godz.', '2 дн.': how long something took, in the viewer's language."""
    if value is None:
        return ""
    return babel_timedelta(value, threshold=1.5, format="short", locale=get_locale())


def name_list(names: list[str]) -> str:
    """'Maja, Piotr and Anna' ('Maja, Piotr i Anna') in the viewer's language."""
    return format_list([str(name) for name in names], locale=get_locale())


def file_size(size: int | None) -> str:
    """'12 kB', '1,4 MB', '1,4 МБ': a file's size in the viewer's language."""
    size = size or 0
    locale = get_locale()
    if size < 1024 * 1024:
        return format_unit(max(1, round(size / 1024)), "digital-kilobyte", "short", locale=locale)
    return format_unit(round(size / 1024 / 1024, 1), "digital-megabyte", "short", locale=locale)


def datetime_with_zone(value: datetime | None, zone: str | None = None) -> str:
    """A moment for a reader whose time zone we do not know: '7 декабря 2026 г., 13:00 (UTC)'.

    The language's long date and short time (no seconds), joined as the language joins
    them, then the short name of the zone the time is shown in (the app's zone,
    BABEL_DEFAULT_TIMEZONE, unless a signed-in user has their own).
    With the reader's `zone` (a customer's browser told us: services.customer_timezone),
    the time is theirs, named in their words: 'środa, 9 grudnia 2026 14:00
    (czas środkowoeuropejski)'.
    """
    if value is None:
        return ""
    if zone:
        return datetime_in_zone(value, zone, "full")
    time = f"{format_time(value, 'short')} ({format_datetime(value, 'z')})"
    joined = str(get_datetime_format("long", locale=get_locale())).replace("'", "")
    return joined.replace("{0}", time).replace("{1}", format_date(value, "long"))


def zone_name(value: datetime, zone: str) -> str:
    """'czas środkowoeuropejski', 'Eastern Time', 'India Standard Time': the zone as the
    reader's language names it (the generic name; the one of that moment when the language
    has no generic one but an offset)."""
    tzinfo = get_babel_timezone(zone)
    local = value.astimezone(tzinfo)
    locale = get_locale()
    generic = get_timezone_name(local, "long", locale=locale, zone_variant="generic")
    if generic.startswith("GMT"):
        return get_timezone_name(local, "long", locale=locale)
    return generic


def datetime_in_zone(
    value: datetime, zone: str, date_format: str = "long", *, named: bool = True
) -> str:
    """The moment's date and short time in `zone`, joined as the language joins them, then
    the zone's name: '9 grudnia 2026 14:00 (czas środkowoeuropejski)'.

    `named=False` leaves the name out, for a page that sets it apart (the status page's
    bubbles: the date stays whole, the name may wrap below it on a phone).
    """
    tzinfo = get_babel_timezone(zone)
    locale = get_locale()
    time = babel_time(value, "short", tzinfo=tzinfo, locale=locale)
    if named:
        time = f"{time} ({zone_name(value, zone)})"
    day = babel_date(value.astimezone(tzinfo), date_format, locale=locale)
    joined = str(get_datetime_format(date_format, locale=locale)).replace("'", "")
    return joined.replace("{0}", time).replace("{1}", day)


def answer_day(value):
    """A day answered in a form, stored as '2026-03-09', as the reader writes it: '9 marca
    2026'; anything else (the erased marker) as it is."""
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return value
    return format_date(day, "long")


def answer_number(value):
    """A number answered in a form as the reader writes it ('1234,5', '1 234,5'), every
    digit kept; anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return babel_decimal(value, locale=get_locale(), decimal_quantization=False)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.filters["datetime"] = lambda v, fmt="medium": format_datetime(v, fmt) if v else ""
    app.jinja_env.filters["datetime_with_zone"] = datetime_with_zone
    app.jinja_env.filters["datetime_in_zone"] = datetime_in_zone
    app.jinja_env.filters["zone_name"] = zone_name
    app.jinja_env.filters["number"] = format_decimal
    app.jinja_env.filters["filesize"] = file_size
    app.jinja_env.filters["name_list"] = name_list
    app.jinja_env.filters["date_interval"] = date_interval
    app.jinja_env.filters["one_full_stop"] = one_full_stop
    app.jinja_env.filters["date"] = lambda v, fmt="medium": format_date(v, fmt) if v else ""
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["answer_day"] = answer_day
    app.jinja_env.filters["answer_number"] = answer_number
    app.jinja_env.filters["duration"] = short_duration
    app.jinja_env.filters["timeago"] = relative_time
    app.jinja_env.globals["language_name"] = language_name
    app.jinja_env.globals["language_name_for_viewer"] = language_name_for_viewer
    app.jinja_env.globals["language_in_sentence"] = language_in_sentence
    app.jinja_env.globals["priority_label"] = priority_label
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    app.jinja_env.globals["problem_message"] = problem_message
    app.jinja_env.globals["problem_line"] = problem_line
