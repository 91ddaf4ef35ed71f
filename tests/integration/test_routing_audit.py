"""The audit log of a routing-builder save: what the rules were and became, said the same way
on both sides."""

import html

from sqlalchemy import select

from tests.helpers import text_of
from tests.integration.test_routing_builder import PAGE, RULE, page_state
from webapp.extensions import db
from webapp.models import AuditEntry, Role
from webapp.services.workflow_versions import active_version


def visible(reply) -> str:
    return html.unescape(text_of(reply))


def add_rule(builtin_forms, create_user, login, client, post_form):
    active_version()  # the shipped workflow, as after the first ticket
    admin = create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN)
    login(admin)
    added = post_form(f"{PAGE}/rules", {**RULE, **page_state(client)}, htmx=True)
    assert added.status_code == 200, visible(added)


def test_both_sides_name_the_teams_as_admins_know_them(
    builtin_forms, create_user, login, client, post_form
):
    add_rule(builtin_forms, create_user, login, client, post_form)
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "workflow.routing_changed")
    )
    assert entry.before["rules"][0].endswith("→ Customer Care")
    assert entry.after["rules"][0] == entry.before["rules"][0]  # the same rule, the same words
    assert entry.after["rules"][-1].endswith("→ Product Quality")
    log = visible(client.get("/admin/audit"))
    assert "→ customer-care" not in log and "→ product-quality" not in log
    assert "→ Customer Care" in log and "Polish speakers: locale = pl" in log
