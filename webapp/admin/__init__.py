"""Admin area: staff accounts and the sent-mail log (admins only)."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from webapp.admin import views  # noqa: E402,F401  (registers the routes on bp)
