"""Admin area: staff accounts, the sent-mail log and webhooks (admins only)."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from webapp.admin import views, webhook_views  # noqa: E402,F401  (register the routes on bp)
