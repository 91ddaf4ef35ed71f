"""A form's schedule and limit in words, in the admin's language (forms list, publish review).

Dates are the form's own moments (a date stays that day; a date-time is shown in the form's
time zone with its offset), formatted by Babel in the admin's language.
"""

from __future__ import annotations

from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey_forms.changes import SettingChange
from survey_forms.definition import FormDefinition, schedule_moment
from survey_forms.schedule import Availability, FormState
from webapp.models.types import utcnow
from webapp.services import form_schedule
from webapp.timezone_choices import zone_in_words

SETTING_LABELS = {
    "opens_at": _l("Opens"),
    "closes_at": _l("Closes"),
    "timezone": _l("Time zone of the dates"),
    "max_responses": _l("Response limit"),
}


def _locale() -> str:
    return str(get_locale() or "en")


def state_words(definition: FormDefinition, state: FormState) -> tuple[str, str]:
    """(words, status class) for the forms list: Open, Opens …, Closed …, Limit reached …

    Days only (a badge stays short); the form's page and the review give the time."""
    locale = _locale()
    if state.availability is Availability.NOT_YET:
        when = form_schedule.opens_text(definition, locale, day_only=True)
        return _("Opens %(date)s", date=when), "status-pending"
    if state.availability is Availability.CLOSED:
        when = form_schedule.closes_text(definition, locale, day_only=True)
        return _("Closed %(date)s", date=when), "status-inactive"
    if state.availability is Availability.FULL:
        return (
            _(
                "Limit reached (%(count)s/%(limit)s)",
                count=format_decimal(state.completed or 0),
                limit=format_decimal(state.limit),
            ),
            "status-inactive",
        )
    if state.limit is not None:
        return (
            ngettext(
                "%(count)s of %(limit)s response",
                "%(count)s of %(limit)s responses",
                state.limit,
                count=format_decimal(state.completed or 0),
                limit=format_decimal(state.limit),
            ),
            "status-ok",
        )
    return _("Open"), "status-ok"


def closes_words(definition: FormDefinition) -> str:
    """ "Closes 14 December 2026" under an open form's state; "" without a closing date."""
    if definition.closes_at is None:
        return ""
    when = form_schedule.closes_text(definition, _locale(), day_only=True)
    return _("Closes %(date)s", date=when)


def setting_change_words(
    change: SettingChange, zone_before: str | None, zone_after: str | None
) -> str:
    """ "Opens: at once → 1 December 2026": one schedule setting before and after publishing."""
    before = _value_words(change.key, change.before, zone_before)
    after = _value_words(change.key, change.after, zone_after)
    label = SETTING_LABELS.get(change.key, change.key)
    return _("%(setting)s: %(before)s → %(after)s", setting=label, before=before, after=after)


def schedule_facts(schedule: dict[str, str]) -> list[str]:
    """ "Opens: 1 December 2026", one per setting a version has (a first publication's review)."""
    zone = zone_for(schedule)
    return [
        _(
            "%(setting)s: %(value)s",
            setting=SETTING_LABELS[key],
            value=_value_words(key, schedule[key], zone),
        )
        for key in SETTING_LABELS
        if schedule.get(key)
    ]


def zone_for(schedule: dict[str, str]) -> str | None:
    """The zone a version's dates are shown in: its own; None: as written (an offset kept,
    else the installation's), as customers see them."""
    return schedule.get("timezone") or None


def _value_words(key: str, text: str, zone: str | None) -> str:
    locale = _locale()
    if key in ("opens_at", "closes_at"):
        if not text:
            return _("at once") if key == "opens_at" else _("never")
        moment = schedule_moment(text)
        return form_schedule.moment_text(moment, zone, locale) if moment else text
    if key == "timezone":
        if not text:
            installation = zone_in_words(form_schedule.default_zone(), locale, utcnow())
            return _("the installation's (%(zone)s)", zone=installation)
        try:
            return zone_in_words(text, locale, utcnow())
        except (LookupError, ValueError):
            return text
    if not text:
        return _("no limit")
    if text.isdigit():
        number = int(text)
        return ngettext(
            "%(count)s completed response",
            "%(count)s completed responses",
            number,
            count=format_decimal(number),
        )
    return text
