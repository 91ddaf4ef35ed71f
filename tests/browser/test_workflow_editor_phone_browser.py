"""The workflow editor's transitions and timers, on a phone: a card per transition and per
state, their facts named, nothing to scroll sideways; on a laptop they stay tables."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import staff_login
from webapp.models import Role

pytestmark = pytest.mark.browser

NAMED_FACTS = (
    "cells => cells.map(c => getComputedStyle(c, '::before').content.replaceAll('\"', ''))"
)


def test_transitions_and_timers_are_cards_on_a_phone(page, live_server, create_user):
    create_user(email="skrbnik@example.com", role=Role.ADMIN, locale="sl")
    page.set_viewport_size({"width": 390, "height": 800})
    staff_login.log_in(page, live_server, "skrbnik@example.com", then="/admin/workflow")
    for details, table in (
        ("details:has(table.workflow-transitions)", "table.workflow-transitions"),
        ("details.workflow-timers", "details.workflow-timers table"),
    ):
        page.locator(details).locator("summary").click()
        row = page.locator(table).locator("tbody tr").first
        expect(row).to_be_visible()
        assert row.locator("td[data-label]").evaluate_all(NAMED_FACTS)[0] in ("Iz", "Časovniki")
        scroller = page.locator(table).locator("xpath=ancestor::div[@class='table-wrap'][1]")
        assert scroller.evaluate("el => el.scrollWidth <= el.clientWidth")
        assert row.evaluate("el => el.getBoundingClientRect().right") <= 390
    first = page.locator("table.workflow-transitions tbody tr").first
    assert first.locator("td[data-label]").evaluate_all(NAMED_FACTS) == ["Iz", "V"]
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.locator("table.workflow-transitions thead")).to_be_visible()
