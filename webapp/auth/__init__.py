"""Staff login, logout, profile, notification settings, and passwords: set from an invitation
or a reset link, changed on the profile."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from webapp.auth import away_settings, notification_settings, two_step_views, views  # noqa: E402,F401  (register the routes)
