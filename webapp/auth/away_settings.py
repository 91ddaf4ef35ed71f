"""An agent's own away period (holiday, sick leave): set it, change it, end it early.

Only the logged-in agent's own period: there is no user id in these URLs. Admins set
anyone's on the agent edit page (`admin.update_user`).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.auth import bp
from webapp.extensions import db
from webapp.i18n import one_full_stop
from webapp.models import utcnow
from webapp.security import staff_required
from webapp.services import away, public_holidays


def _page(typed: dict[str, str], errors: dict[str, str] | None = None, status: int = 200):
    now = utcnow()
    user = current_user._get_current_object()
    return (
        render_template(
            "auth/away.html",
            typed=typed,
            errors=errors or {},
            period=away.upcoming(user, now),
            away_now=away.is_away(user, now),
            today=away.today_for(user, now),
            note_max=away.NOTE_MAX,
        ),
        status,
    )


def _typed_from(user) -> dict[str, str]:
    days = away.upcoming(user, utcnow())
    if days is None:
        return {"away_from": "", "away_until": "", "away_note": ""}
    return {
        "away_from": days.first_day.isoformat(),
        "away_until": days.last_day.isoformat(),
        "away_note": days.note,
    }


@bp.get("/account/away")
@staff_required
def away_settings():
    return _page(_typed_from(current_user))


@bp.post("/account/away")
@staff_required
def save_away():
    user = current_user._get_current_object()
    typed = {k: request.form.get(k, "")[:1000] for k in ("away_from", "away_until", "away_note")}
    try:
        days = away.read_days(
            typed["away_from"],
            typed["away_until"],
            typed["away_note"],
            today=away.today_for(user, utcnow()),
        )
    except away.AwayRefused as refused:
        return _page(typed, refused.errors, 422)
    away.change_away(user, days)
    db.session.commit()
    if days is None:
        flash(_("You are not marked away."), "success")
    else:
        said = _(
            "You are marked away from %(first)s to %(last)s.",
            first=away.short_date(days.first_day),
            last=away.short_date(days.last_day),
        )
        flash(one_full_stop(said), "success")
    return redirect(url_for("auth.away_settings"), code=303)


@bp.post("/account/away/end")
@staff_required
def end_away():
    """Back early (or never left): the period is cleared and routing picks them again."""
    away.change_away(current_user._get_current_object(), None)
    db.session.commit()
    flash(_("Welcome back: you are no longer marked away."), "success")
    back_to = "main.dashboard" if request.form.get("next") == "dashboard" else "auth.away_settings"
    return redirect(url_for(back_to), code=303)


@bp.app_template_global("short_date")
def short_date(day) -> str:
    return away.short_date(day)


@bp.app_template_filter("away_text")
def away_text(user) -> str:
    """' (away until 12 Dec: note)' beside a colleague's name in the pickers, or
    ' (public holiday: Labour Day)' on one they have off; '' otherwise."""
    now = utcnow()
    said = away.away_text(user, now) or public_holidays.off_today_text(user, now)
    return f" ({said})" if said else ""


@bp.app_template_filter("away_until")
def away_until(user) -> str:
    """'away until 12 Dec' without the note, for narrow places (the agents list), or
    'public holiday: Labour Day'."""
    now = utcnow()
    return away.away_text(user, now, with_note=False) or public_holidays.off_today_text(user, now)


@bp.app_template_filter("away_note_now")
def away_note_now(user) -> str:
    """The agent's note while they are away now; '' otherwise (a note from a past absence,
    or on a public holiday, would be old news in a tooltip)."""
    return (user.away_note or "") if away.last_day_away(user, utcnow()) else ""
