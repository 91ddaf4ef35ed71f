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


BROKEN_PAGES = {
    "name": "Broken pages go to product quality",
    "mode": "any",
    "field": ["form", "locale"],
    "op": ["=", "="],
    "value": ["report-problem", "de"],
    "team": "product-quality",
    "priority": "normal",
    "labels": "bug",
    "assign": "round_robin",
    "overflow_team": "customer-care",
    "watchers": "",
}


def routing_entries() -> list[AuditEntry]:
    db.session.expire_all()
    return db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "workflow.routing_changed")
        .order_by(AuditEntry.id)
    ).all()


def test_both_sides_name_the_teams_as_admins_know_them(
    builtin_forms, create_user, login, client, post_form
):
    add_rule(builtin_forms, create_user, login, client, post_form)
    (entry,) = routing_entries()
    assert entry.after["rules_added"] == [
        "Polish speakers: locale = pl and answers.score <= 6 → Product Quality"
    ]
    changed = post_form(
        f"{PAGE}/rules/1",
        {**BROKEN_PAGES, "team": "customer-care", **page_state(client)},
        htmx=True,
    )
    assert changed.status_code == 200, visible(changed)
    entry = routing_entries()[-1]
    assert entry.before["rules_changed"][0].endswith("→ Product Quality")
    assert entry.after["rules_changed"][0].endswith("→ Customer Care")
    log = visible(client.get("/admin/audit"))
    assert "→ customer-care" not in log and "→ product-quality" not in log
    assert "→ Customer Care" in log and "Polish speakers: locale = pl" in log


def test_changing_one_of_three_rules_lists_only_that_rule(
    builtin_forms, create_user, login, client, post_form
):
    active_version()
    login(create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN))
    changed = post_form(f"{PAGE}/rules/1", {**BROKEN_PAGES, **page_state(client)}, htmx=True)
    assert changed.status_code == 200, visible(changed)
    (entry,) = routing_entries()
    assert entry.before == {
        "revision": None,
        "rules_changed": [
            "Broken pages go to product quality: form = report-problem → Product Quality"
        ],
    }
    assert entry.after == {
        "revision": 1,
        "rules_changed": [
            "Broken pages go to product quality: form = report-problem or locale = de"
            " → Product Quality"
        ],
    }
    log = visible(client.get("/admin/audit"))
    assert (
        "Routing rules changed Broken pages go to product quality: form = report-problem → "
        "Product Quality → Broken pages go to product quality: form = report-problem or "
        "locale = de → Product Quality"
    ) in log
    assert "Unhappy customers" not in log and "Slovenian feedback" not in log


def test_reordering_and_removing_say_so_briefly(
    builtin_forms, create_user, login, client, post_form
):
    active_version()
    login(create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN))
    moved = post_form(f"{PAGE}/rules/2/move", {"direction": "up", **page_state(client)}, htmx=True)
    assert moved.status_code == 200, visible(moved)
    removed = post_form(f"{PAGE}/rules/0/remove", page_state(client), htmx=True)
    assert removed.status_code == 200, visible(removed)
    move, removal = routing_entries()
    assert set(move.before) == set(move.after) == {"revision", "rule_order"}
    assert move.after["rule_order"] == [
        "Unhappy customers get a fast call back",
        "Slovenian feedback",
        "Broken pages go to product quality",
    ]
    assert set(removal.before) == {"revision", "rules_removed"}
    assert removal.before["rules_removed"][0].startswith("Unhappy customers get a fast call back:")
    assert set(removal.after) == {"revision"}  # the two others moved up, unchanged
    log = visible(client.get("/admin/audit"))
    assert (
        "Order of the routing rules Unhappy customers get a fast call back; Broken pages go to "
        "product quality; Slovenian feedback → Unhappy customers get a fast call back; "
        "Slovenian feedback; Broken pages go to product quality"
    ) in log
    assert "Routing rules removed Unhappy customers get a fast call back: " in log
    assert "Slovenian feedback: locale = sl" not in log  # never listed with its condition


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
