"""The agent board: tickets as cards in lifecycle columns, moved by drag and drop or keyboard."""

from flask import Blueprint

bp = Blueprint("board", __name__)

from webapp.board import views  # noqa: E402,F401  (registers the routes on bp)
