"""An agent follows "All N requests from this customer" from a ticket known by both an
address and a verified customer id: the ticket list shows all N under a chip in their
language, and the chip's × takes the filter off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.staff_login import log_in
from tests.helpers import make_ticket
from webapp.models import Role

pytestmark = pytest.mark.browser


def test_all_the_customer_s_requests_are_listed_under_a_chip_that_comes_off(
    browser, live_server, builtin_forms, create_user
):
    for n in range(3):
        make_ticket(subject=f"Przez e-mail {n}", customer_email="Jan@Example.pl")
    for n in range(3):
        make_ticket(
            subject=f"Widżet {n}",
            customer_email=None,
            customer_ref="C-1",
            customer_ref_verified=True,
        )
    make_ticket(subject="Cudze", customer_email="ewa@example.pl")
    current = make_ticket(
        subject="Teraz",
        customer_email="jan@example.pl",
        customer_ref="C-1",
        customer_ref_verified=True,
    )
    create_user(email="anna@example.com", role=Role.ADMIN, locale="pl")
    staff = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    agent = staff.new_page()
    log_in(agent, live_server, "anna@example.com", then=f"/tickets/{current.number}")
    requests = agent.locator(".customer-requests")
    requests.locator("summary").click()
    requests.get_by_role("link", name="Wszystkie zgłoszenia tego klienta (7)").click()
    chip = agent.locator(".filter-chips li")
    expect(chip).to_contain_text(f"Zgłoszenia klienta z {current.number}")
    rows = agent.locator("#ticket-rows tr")
    expect(rows).to_have_count(7)
    expect(agent.locator("#ticket-rows")).not_to_contain_text("Cudze")
    assert agent.evaluate("document.documentElement.scrollWidth") <= 390
    chip.get_by_role("link", name="Usuń ten filtr").click()
    expect(agent.locator(".filter-chips")).to_have_count(0)
    expect(agent.locator("#ticket-rows")).to_contain_text("Cudze")
    staff.close()
