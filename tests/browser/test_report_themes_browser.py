"""The Reports page comes at once; what customers write about follows when it is counted,
says so while it is, and offers to try again when counting failed. Without JavaScript the
section links to itself as a page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import staff_login
from webapp.extensions import db

pytestmark = pytest.mark.browser


@pytest.fixture
def written_answers(builtin_forms):
    from tests.integration.test_dashboard import _respond

    for _ in range(2):
        _respond("nps", {"score": 3, "what_went_wrong": "The parcel came late"}, days_ago=0.01)
    db.session.commit()
    return builtin_forms


def test_the_themes_appear_after_the_page(page, live_server, written_answers):
    staff_login.log_in(page, live_server, written_answers.email, then="/reports?days=7")
    section = page.locator("#report-themes")
    theme = section.get_by_role("rowheader", name="parcel came", exact=False).first
    expect(theme).to_be_visible()
    expect(section.get_by_text("Counting what customers write about")).to_have_count(0)
    expect(page.locator("[aria-busy=true]")).to_have_count(0)
    expect(section).to_contain_text("Change against the previous 7 days")
    expect(section.get_by_role("link", name="See what customers write about")).to_have_count(0)


def test_a_failed_count_says_so_and_can_be_tried_again(page, live_server, written_answers):
    def fail(route):
        route.fulfill(status=500, body="boom", content_type="text/plain")

    page.route("**/reports/themes*", fail)
    staff_login.log_in(page, live_server, written_answers.email, then="/reports")
    section = page.locator("#report-themes")
    expect(section.get_by_role("alert")).to_contain_text(
        "What customers write about could not be counted just now."
    )
    expect(section.get_by_text("Counting what customers write about")).to_be_hidden()
    expect(section).to_have_attribute("aria-busy", "false")
    expect(page.locator("#toasts .toast")).to_have_count(0)  # said in place, once
    page.unroute("**/reports/themes*", fail)
    section.get_by_role("link", name="Try again").click()
    expect(section.get_by_role("rowheader").first).to_be_visible()
    expect(page.locator("#report-themes table")).to_contain_text("parcel")


def test_without_javascript_the_themes_are_a_link_away(browser, live_server, written_answers):
    context = browser.new_context(locale="en-US", java_script_enabled=False)
    try:
        page = context.new_page()
        staff_login.log_in(page, live_server, written_answers.email, then="/reports?days=7")
        expect(page.get_by_text("Counting what customers write about")).to_be_hidden()
        page.get_by_role("link", name="See what customers write about").click()
        expect(page.locator("main table.report-table")).to_contain_text("parcel")
        expect(page.get_by_role("link", name="Last 7 days")).to_have_attribute(
            "aria-current", "page"
        )
        page.get_by_role("link", name="Back to the whole report").click()
        expect(page.get_by_role("heading", name="Tickets and satisfaction by team")).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["pl", "ru"])
def test_on_a_1024_px_laptop_no_report_table_scrolls_sideways(
    page, live_server, written_answers, locale
):
    """The teams', agents' and weeks' tables were wider than the page at 1024 px in Polish
    and Russian ("Mediana pierwszej odpowiedzi"…): their last columns hid behind a scroll."""
    from tests.helpers import make_ticket
    from webapp.models import User

    make_ticket()
    db.session.query(User).filter_by(email=written_answers.email).one().locale = locale
    db.session.commit()
    page.set_viewport_size({"width": 1024, "height": 800})
    staff_login.log_in(page, live_server, written_answers.email, then="/reports")
    expect(page.locator("#report-themes table")).to_be_visible()  # counted after the page
    widths = page.locator(".table-wrap").evaluate_all(
        "ws => ws.map(w => [w.querySelector('th').textContent, w.scrollWidth - w.clientWidth])"
    )
    assert len(widths) >= 6
    assert [name for name, extra in widths if extra > 0] == []
