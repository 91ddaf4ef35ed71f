"""Start page, health check and the language switcher."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from webapp.main import views  # noqa: E402,F401  (registers the routes on bp)
