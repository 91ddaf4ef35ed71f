"""Each staff member's notification settings: per category at once, hourly digest or off;
the weekly summary on or off, and a preview of it on demand."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from webapp.auth import bp
from webapp.extensions import db, limiter
from webapp.models import utcnow
from webapp.security import staff_required
from webapp.services import notifications, weekly_summary
from webapp.services.assignment import working_hours_calendar
from webapp.tickets.presenters import describe_hours
from webapp.timezone_choices import zone_in_words


def _page(chosen: dict[str, str], error: str | None = None, status: int = 200):
    calendar = working_hours_calendar(current_user)
    return (
        render_template(
            "auth/notifications.html",
            categories=notifications.CATEGORIES,
            modes=notifications.MODES,
            chosen=chosen,
            hours=describe_hours(calendar) if calendar else None,
            timezone=zone_in_words(current_user.timezone or "UTC", str(get_locale()), utcnow()),
            error=error,
            weekly=weekly_summary.wants_summary(current_user),
        ),
        status,
    )


@bp.get("/account/notifications")
@staff_required
def notification_settings():
    return _page(notifications.preferences(current_user))


@bp.post("/account/notifications")
@staff_required
def save_notification_settings():
    current = notifications.preferences(current_user)
    try:
        chosen = notifications.read_settings(request.form, current)
    except notifications.BadSetting:
        message = _("Please choose at once, hourly digest or off for every kind of notification.")
        return _page(current, message, 422)
    notifications.save_settings(current_user, chosen)
    weekly_summary.save_choice(current_user, request.form.get("weekly_summary") == "on")
    db.session.commit()
    flash(_("Your notification settings are saved."), "success")
    return redirect(url_for("auth.notification_settings"), code=303)


def _preview_key() -> str:
    """Previews are counted per colleague, wherever they click from."""
    return f"weekly-summary-preview:{getattr(current_user, 'id', None) or request.remote_addr}"


@bp.post("/account/notifications/weekly-summary-preview")
@limiter.limit("3 per 10 minutes", key_func=_preview_key)
@staff_required
def preview_weekly_summary():
    """Write the weekly summary of last week to the colleague at once, opted in or not."""
    now = utcnow()
    weekly_summary.queue_preview(current_user, now)
    db.session.commit()
    week = weekly_summary.last_week(current_user, now)
    flash(
        _(
            "A preview of your weekly summary (week of %(date)s) is on its way to %(email)s.",
            date=format_date(week, "medium"),
            email=current_user.email,
        ),
        "success",
    )
    return redirect(url_for("auth.notification_settings"), code=303)
