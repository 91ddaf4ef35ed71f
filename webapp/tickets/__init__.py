"""Staff views of tickets: the list, one ticket with its history and SLA clocks, moves."""

from flask import Blueprint

bp = Blueprint("tickets", __name__)

from webapp.tickets import views  # noqa: E402,F401  (registers the routes on bp)
