"""On a phone, the staff's lists are cards (one per row, each fact named), not tables that
scroll sideways; on a desktop they are tables."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import staff_login
from tests.helpers import make_ticket
from webapp.extensions import db
from webapp.models import Role
from webapp.services import audit

pytestmark = pytest.mark.browser

NAMED_FACTS = (
    "cells => cells.map(c => getComputedStyle(c, '::before').content.replaceAll('\"', ''))"
)


@pytest.mark.parametrize(
    "where, first_facts",
    [
        ("/tickets", ["Status", "Priorytet", "Zespół"]),
        ("/dashboard", ["Odpowiedzi", "Ukończone"]),
        ("/admin/", ["E-mail", "Rola"]),
        ("/admin/audit", ["Kto"]),
    ],
)
def test_on_a_phone_each_row_is_a_card_with_its_facts_named(
    page, live_server, create_user, builtin_forms, where, first_facts
):
    boss = create_user(email="szef@example.com", role=Role.ADMIN, locale="pl")
    ticket = make_ticket(subject="Paczka przyszła uszkodzona")
    audit.record("team.created", ticket.team, ticket.team.name, after={"name": "x"}, actor=boss)
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 800})
    staff_login.log_in(page, live_server, "szef@example.com", then=where)
    table = page.locator("table.stack-on-phone")
    row = table.locator("tbody tr").first
    expect(row).to_be_visible()
    named = row.locator("td[data-label]").evaluate_all(NAMED_FACTS)
    assert named[: len(first_facts)] == first_facts
    assert table.locator("thead").evaluate("el => el.offsetHeight") <= 1
    # Nothing scrolls sideways: every row fits the phone's width.
    assert row.evaluate("el => el.getBoundingClientRect().right") <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # On a desktop it is the usual table, with its column headers.
    page.set_viewport_size({"width": 1366, "height": 800})
    expect(table.locator("thead")).to_be_visible()
    assert row.locator("td[data-label]").evaluate_all(NAMED_FACTS)[0] in ("none", "normal")
