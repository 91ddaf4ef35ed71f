"""On the board, in a real browser: a view saved without a name, and dates in the wrong
order, are said where they happen; the focus goes where the fix is typed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import staff_login
from tests.browser.test_board_browser import TEXT_FITS
from tests.browser.ticket_setup import new_ticket, on_duty_in_customer_care
from webapp.extensions import db
from webapp.models import CannedReply

pytestmark = pytest.mark.browser


@pytest.fixture
def ada(app, create_user):
    ada = create_user(locale="pl")
    on_duty_in_customer_care(ada)
    db.session.commit()
    return ada


def test_saving_a_view_without_a_name_says_so_at_the_name_and_focuses_it(page, live_server, ada):
    staff_login.log_in(page, live_server, ada.email, then="/board")
    name = page.locator("#saved-view-name")
    name.fill("   ")
    page.get_by_role("button", name="Zapisz widok").click()
    error = page.locator("#saved-view-name-error")
    expect(error).to_have_text("Nadaj widokowi nazwę.")
    expect(page.locator("#saved-view-name")).to_be_focused()
    expect(page.locator("#saved-view-name")).to_have_attribute("aria-invalid", "true")

    page.locator("#saved-view-name").fill("Moje")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Moje")).to_be_visible()
    expect(page.locator("#saved-view-name-error")).to_have_count(0)


def test_dates_in_the_wrong_order_are_said_at_the_dates(page, live_server, ada):
    ticket = new_ticket()
    day = ticket.created_at.date().isoformat()
    page.set_viewport_size({"width": 1280, "height": 900})
    staff_login.log_in(page, live_server, ada.email, then=f"/board?from={day}")
    expect(page.locator(f"#card-{ticket.number}")).to_be_visible()
    problem = page.locator("#board-dates-problem")
    expect(problem).to_be_hidden()

    page.locator('input[name="to"]').fill("2020-01-01")
    expect(problem).to_contain_text("Data „Utworzone od” jest późniejsza niż „do”")
    expect(problem).to_be_visible()
    expect(page.locator("#board-message")).to_have_text(
        "Żadne zgłoszenie nie może pasować: „Utworzone od” jest późniejsze niż „do”."
    )
    expect(page.locator(f"#card-{ticket.number}")).to_have_count(0)

    page.locator('input[name="to"]').fill(day)
    expect(page.locator(f"#card-{ticket.number}")).to_be_visible()
    expect(problem).to_be_hidden()


def test_the_folded_filters_labels_start_where_their_fields_do(page, live_server, ada):
    """The filters' fold-out group shares its class name with a column's "load more" line,
    whose centring it inherited: "Utworzone od" floated above the middle of its field."""
    page.set_viewport_size({"width": 1280, "height": 900})
    staff_login.log_in(page, live_server, ada.email, then="/board")
    for name in ("from", "to", "label"):
        label = page.locator(f'label:has(> input[name="{name}"])')
        assert label.evaluate("el => getComputedStyle(el).textAlign") in ("start", "left")


@pytest.mark.parametrize("locale", ["pl", "ru", "sl"])
def test_the_bulk_reply_templates_are_read_in_full_on_a_phone(
    page, live_server, create_user, locale
):
    """ "Нет: пропустить этих клиентов" was cut off: the select kept the room a select beside
    a button has, though it stands alone on its line."""
    agent = create_user(email=f"{locale}@example.com", locale=locale)
    on_duty_in_customer_care(agent)
    for language in ("en", "pl", "ru", "sl"):
        db.session.add(CannedReply(title=f"Thanks ({language})", locale=language, body="Thanks"))
    db.session.commit()
    ticket = new_ticket()
    page.set_viewport_size({"width": 390, "height": 900})
    staff_login.log_in(page, live_server, agent.email, then="/board")
    page.locator(f"#card-{ticket.number} .card-select").check()
    page.locator(".bulk-reply summary").click()
    selects = page.locator(".bulk-reply select")
    expect(selects).to_have_count(4)
    fields = page.evaluate(
        TEXT_FITS.replace("#board-filters select, #bulk-form select", ".bulk-reply select")
    )
    for field in fields:
        assert field["fits"] and field["onScreen"], f"{field['text']!r} is cut off"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
