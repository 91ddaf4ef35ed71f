"""An agent marks themselves away in the browser, sees why a date is refused, is told on the
dashboard, and ends it; the pages pass the accessibility check on the way."""

from __future__ import annotations

import re
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


def test_on_a_phone_in_russian_each_hint_is_read_whole_beside_its_field(
    page, live_server, create_user
):
    """The note's example was a placeholder, cut off at 390 px ("например: В отпуске,
    обращайтес"), and the days' rule came after the note, as if it were the note's."""
    create_user(email="ivan@example.com", name="Ivan Petrov", locale="ru")
    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, live_server, "ivan@example.com", then="/account/away")
    note = page.get_by_label("Заметка для коллег (необязательно)")
    expect(note).to_have_accessible_description("например: В отпуске, обращайтесь к Анне")
    expect(note).not_to_have_attribute("placeholder", re.compile(".+"))
    example = page.get_by_text("например: В отпуске, обращайтесь к Анне")
    assert example.evaluate("e => e.scrollWidth <= e.clientWidth")  # whole, not cut off
    days = "Дни в Вашем часовом поясе, оба включительно."
    expect(page.get_by_label("Последний день отсутствия")).to_have_accessible_description(
        re.compile(days)
    )
    assert page.get_by_text(days).bounding_box()["y"] < note.bounding_box()["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
