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


def test_a_save_is_one_entry_that_says_the_rules_changed(
    builtin_forms, create_user, login, client, post_form
):
    """Not a 'Saved a workflow draft' entry listing the same rules by name beside it."""
    add_rule(builtin_forms, create_user, login, client, post_form)
    entries = db.session.scalars(select(AuditEntry)).all()
    assert [entry.action for entry in entries] == ["workflow.routing_changed"]
    assert (entries[0].before["revision"], entries[0].after["revision"]) == (None, 1)
    log = visible(client.get("/admin/audit"))
    assert log.count("Changed the routing rules of the workflow draft") == 2  # filter, entry
    assert log.count("Saved a workflow draft") == 1  # the filter's choice only
    assert "Revision — → 1" in log and "Polish speakers: locale = pl" in log

    removed = post_form(f"{PAGE}/rules/3/remove", page_state(client), htmx=True)
    assert removed.status_code == 200, visible(removed)
    db.session.expire_all()
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["workflow.routing_changed"] * 2
