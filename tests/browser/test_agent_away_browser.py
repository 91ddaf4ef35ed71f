"""An agent marks themselves away in the browser, sees why a date is refused, is told on the
dashboard, and ends it; the pages pass the accessibility check on the way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.staff_login import log_in
from tests.browser.test_conversation_browser import serious_violations
from webapp.extensions import db
from webapp.models import utcnow
from webapp.services import away

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser):
    """A page axe can be loaded into (the app's CSP refuses inline scripts)."""
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


def test_an_agent_marks_themselves_away_and_comes_back(page, live_server, builtin_forms):
    ola = builtin_forms
    today = away.today_for(ola, utcnow())
    log_in(page, live_server, ola.email, then="/account/away")

    page.get_by_label("First day away").fill(today.isoformat())
    page.get_by_label("Last day away").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("Note for colleagues (optional)").fill("Holiday <b>Crete</b>")
    with page.expect_navigation():
        page.get_by_role("button", name="Save away period").click()
    last = page.get_by_label("Last day away")
    expect(last).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_have_text(
        "The last day away cannot be before the first day."
    )
    expect(page.get_by_label("Note for colleagues (optional)")).to_have_value(
        "Holiday <b>Crete</b>"
    )  # what was typed is kept
    assert serious_violations(page) == []

    last.fill((today + timedelta(days=4)).isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Save away period").click()
    page.goto(f"{live_server}/dashboard")
    notice = page.locator("#away-notice")
    expect(notice).to_contain_text("You are marked away until")
    assert serious_violations(page) == []
    with page.expect_navigation():
        notice.get_by_role("button", name="I am back: end it now").click()
    expect(page.locator("#away-notice")).to_have_count(0)
    db.session.refresh(ola)
    assert ola.away_until is None
