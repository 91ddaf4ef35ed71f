"""Admin area: staff accounts, the sent-mail log, webhooks and the audit log (admins only)."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from webapp.admin import audit_views, views, webhook_views  # noqa: E402,F401  (routes on bp)
