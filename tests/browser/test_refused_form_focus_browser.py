"""A staff form the server refused comes back as a whole page with the keyboard on the field
to put right, not on the skip link at the top: after the header and the admin menu, the
error under the field was a long way off for a keyboard or screen-reader user."""

import pytest
from playwright.sync_api import expect

from tests.browser.staff_login import log_in

pytestmark = pytest.mark.browser


def test_a_refused_address_comes_back_with_the_keyboard_on_it(page, live_server, admin):
    log_in(page, live_server, admin.email, then="/admin/webhooks/new")
    page.get_by_label("Name").fill("CRM")
    page.get_by_label("Payload URL").fill("crm.example.com")
    page.get_by_label("A ticket was created").check()
    page.get_by_role("button", name="Create webhook").click()

    url = page.get_by_label("Payload URL")
    expect(url).to_have_attribute("aria-invalid", "true")
    expect(url).to_be_focused()
    expect(page.get_by_label("Name")).not_to_have_attribute("aria-invalid", "true")


def test_no_event_chosen_puts_the_keyboard_on_the_first_event_and_says_why(
    page, live_server, admin
):
    log_in(page, live_server, admin.email, then="/admin/webhooks/new")
    page.get_by_label("Name").fill("CRM")
    page.get_by_label("Payload URL").fill("https://crm.example.com/in")
    page.get_by_role("button", name="Create webhook").click()

    events = page.get_by_role("group", name="Ticket events")
    expect(events).to_have_accessible_description("Choose at least one event.")
    expect(events.get_by_role("checkbox").first).to_be_focused()


def test_the_customer_data_page_puts_the_keyboard_on_what_it_refused(page, live_server, admin):
    log_in(page, live_server, admin.email, then="/admin/customer-data")
    page.get_by_label("Customer's e-mail address").fill("not an address")
    page.get_by_role("button", name="Find").click()
    address = page.get_by_label("Customer's e-mail address")
    expect(address).to_have_attribute("aria-invalid", "true")
    expect(address).to_be_focused()

    months = page.get_by_label("Erase customers' personal data this many months after")
    months.fill("many")
    page.get_by_role("button", name="Save the retention period").click()
    months = page.get_by_label("Erase customers' personal data this many months after")
    expect(months).to_have_attribute("aria-invalid", "true")
    expect(months).to_be_focused()
