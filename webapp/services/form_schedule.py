"""Whether a form takes new conversations now, and its schedule's moments in words.

The decision is `survey_forms.schedule.form_state`; this adds the clock, the installation's
time zone (LOOPDESK_TIMEZONE) and, only for a form with `max_responses`, one count of its
completed responses (all versions), which the (form_id, completed_at) index answers.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_time, get_datetime_format, get_timezone_gmt
from flask import current_app
from sqlalchemy import func, select

from survey_forms import schedule
from survey_forms.definition import FormDefinition
from webapp.extensions import db
from webapp.models import Form, Response
from webapp.models.types import utcnow
from webapp.services.local_time import zone_or_utc


def default_zone() -> str:
    """The installation's time zone: where a form without its own `timezone` reads dates."""
    return current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC"


def completed_count(form_id: int) -> int:
    """Completed responses towards the limit: spam takes no place (marking it frees one)."""
    return db.session.scalar(
        select(func.count())
        .select_from(Response)
        .where(
            Response.form_id == form_id,
            Response.completed_at.is_not(None),
            Response.spam.is_(False),
        )
    )


def state_of(
    form: Form, definition: FormDefinition, now: datetime | None = None
) -> schedule.FormState:
    """Open, not yet, closed or full: counts responses only when the form has a limit."""
    completed = completed_count(form.id) if definition.max_responses is not None else None
    return schedule.form_state(definition, now or utcnow(), default_zone(), completed)


def moment_text(
    moment: date | datetime, zone: str | None, locale: str, *, day_only: bool = False
) -> str:
    """A schedule moment as people read it, in `locale`: a day, or a day, a time and its offset.

    A date (or a date-time at midnight) is just the day: "1 grudnia 2026". A date-time is
    shown in `zone`; with `zone` None, one written with an offset keeps it (as the admin
    wrote it) and one without is read in the installation's zone.
    """
    if not isinstance(moment, datetime):
        return format_date(moment, "long", locale=locale)
    if zone is None and moment.tzinfo is not None:
        local = moment
    else:
        tz = zone_or_utc(zone or default_zone())
        local = (moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(tz)
    if day_only or not schedule.shows_time(local):
        return format_date(local.date(), "long", locale=locale)
    day = format_date(local.date(), "long", locale=locale)
    hour = format_time(local, "short", tzinfo=local.tzinfo, locale=locale)
    joined = get_datetime_format("long", locale=locale).replace("'", "")
    text = joined.replace("{0}", hour).replace("{1}", day)
    return f"{text} ({get_timezone_gmt(local, width='long', locale=locale)})"


def opens_text(definition: FormDefinition, locale: str, *, day_only: bool = False) -> str:
    if definition.opens_at is None:
        return ""
    return moment_text(definition.opens_at, definition.timezone, locale, day_only=day_only)


def closes_text(definition: FormDefinition, locale: str, *, day_only: bool = False) -> str:
    """The day it closes: for a date, that day (it is open all of it)."""
    if definition.closes_at is None:
        return ""
    return moment_text(definition.closes_at, definition.timezone, locale, day_only=day_only)
