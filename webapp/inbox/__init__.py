"""The staff inbox: every notification a colleague got, the bell with their unread count."""

from flask import Blueprint

bp = Blueprint("inbox", __name__)

from webapp.inbox import views  # noqa: E402,F401  (registers the routes on bp)
