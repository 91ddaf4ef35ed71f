"""Staff login, logout, profile, notification settings and setting a password from a link."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from webapp.auth import notification_settings, views  # noqa: E402,F401  (register the routes)
