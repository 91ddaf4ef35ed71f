"""Admin area: staff accounts, the sent-mail log, webhooks and the audit log (admins only)."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

# Importing a module registers its routes on bp.
# one line per admin module
from webapp.admin import routing_views  # noqa: E402,F401,I001
from webapp.admin import form_builder_views  # noqa: E402,F401,I001
from webapp.admin import form_preview_views  # noqa: E402,F401,I001
from webapp.admin import workflow_views  # noqa: E402,F401,I001
from webapp.admin import form_views  # noqa: E402,F401,I001
from webapp.admin import form_response_views  # noqa: E402,F401,I001
from webapp.admin import canned_reply_views, email_template_views, team_views  # noqa: E402,F401,I001
from webapp.admin import audit_views  # noqa: E402,F401,I001
from webapp.admin import views  # noqa: E402,F401,I001
from webapp.admin import webhook_views  # noqa: E402,F401,I001
from webapp.admin import sla_alert_views  # noqa: E402,F401,I001
from webapp.admin import inbound_views  # noqa: E402,F401,I001
from webapp.admin import api_token_views  # noqa: E402,F401,I001
from webapp.admin import customer_data_views  # noqa: E402,F401,I001
from webapp.admin import blocked_sender_views  # noqa: E402,F401,I001
from webapp.admin import two_step_views  # noqa: E402,F401,I001
