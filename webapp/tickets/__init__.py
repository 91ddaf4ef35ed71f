"""Staff views of tickets: the list, and the workspace where agents handle one ticket."""

from flask import Blueprint

bp = Blueprint("tickets", __name__)

# Registers the routes on bp.
from webapp.tickets import (  # noqa: E402,F401
    conversation_views,
    delivery_views,
    live_views,
    merge_views,
    spam_views,
    teamwork_views,
    views,
)
