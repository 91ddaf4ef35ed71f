"""An admin follows up a response the form's rule let pass, on a phone, in Polish, without
JavaScript: the button stands clear of the conversation and opens the ticket."""

import pytest
from playwright.sync_api import expect

from tests.browser.staff_login import demo_admin_page

pytestmark = pytest.mark.browser


def test_a_ticket_is_opened_for_a_response_without_javascript(demo_data, browser, live_server):
    context, page = demo_admin_page(
        browser,
        live_server,
        "pl",
        viewport={"width": 390, "height": 844},
        java_script_enabled=False,
    )
    page.goto(f"{live_server}/admin/forms/nps/responses")
    item = page.locator("details:has(form.response-ticket)").first
    item.locator("summary").click()
    button = item.get_by_role("button", name="Otwórz zgłoszenie dla tej odpowiedzi")
    chat = item.locator(".staff-chat")
    gap = chat.bounding_box()["y"] - (button.bounding_box()["y"] + button.bounding_box()["height"])
    assert gap >= 8, gap  # it touched the first question's bubble
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    button.click()
    page.wait_for_url("**/tickets/LD-*")
    expect(page.get_by_text("Z tej odpowiedzi otwarto zgłoszenie")).to_be_visible()
    expect(page.locator("#ws-timeline")).to_contain_text("reguła formularza go nie wymagała")
    context.close()


def test_a_right_to_left_answer_reads_right_to_left_for_staff(demo_data, browser, live_server):
    """A customer's Hebrew words keep their own direction in the staff's transcript: the
    "!" that ends them is drawn at their left, not before their first word."""
    from tests.helpers import completed_response

    completed_response("nps", {"score": 3, "what_went_wrong": "שלום, תודה!"})
    context, page = demo_admin_page(browser, live_server, "en")
    page.goto(f"{live_server}/admin/forms/nps/responses")
    item = page.locator("#responses-list details", has_text="שלום")
    item.locator("summary").click()
    answers = item.locator(".staff-chat .bubble.customer .answer")
    expect(answers.nth(1)).to_have_text("שלום, תודה!")
    assert answers.nth(1).evaluate("a => getComputedStyle(a).direction") == "rtl"
    assert answers.first.evaluate("a => getComputedStyle(a).direction") == "ltr"  # the score
    context.close()


def test_several_ticked_responses_become_tickets_in_one_step(demo_data, browser, live_server):
    """Ticked on the first page and among the older responses loaded further down (the boxes
    belong to the step's form from outside it), followed up in one click, in Slovenian."""
    context, page = demo_admin_page(browser, live_server, "sl")
    page.goto(f"{live_server}/admin/forms/nps/responses")
    rows = page.locator("ol.response-list > li[id^=response-]")
    first_page = rows.count()
    page.locator("li.response-more").scroll_into_view_if_needed()
    expect(rows).not_to_have_count(first_page)  # older responses came in under the others
    boxes = page.locator("input[name=response]")
    first, last = boxes.first, boxes.last
    assert first.get_attribute("form") == last.get_attribute("form") == "responses-tickets"
    picked = [first.get_attribute("value"), last.get_attribute("value")]
    first.check()
    last.check()
    page.get_by_role("button", name="Odpri zahtevke za označene odgovore").click()
    expect(page.get_by_text("Odprta sta 2 zahtevka:")).to_be_visible()
    row = page.locator(f"#response-{picked[0]}")  # back on the first page: its ticket, no box
    expect(row.locator("summary")).to_contain_text("LD-")
    expect(row.locator("input[name=response]")).to_have_count(0)
    from webapp.extensions import db
    from webapp.models import Response

    db.session.expire_all()
    assert all(db.session.get(Response, int(i)).ticket_id for i in picked)
    context.close()
