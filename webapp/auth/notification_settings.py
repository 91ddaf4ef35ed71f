"""Each staff member's notification settings: per category at once, hourly digest or off."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from webapp.auth import bp
from webapp.extensions import db
from webapp.models import utcnow
from webapp.security import staff_required
from webapp.services import notifications
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
    db.session.commit()
    flash(_("Your notification settings are saved."), "success")
    return redirect(url_for("auth.notification_settings"), code=303)
