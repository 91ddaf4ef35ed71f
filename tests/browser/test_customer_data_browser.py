"""An admin answers a customer's data request in the browser: find, confirm, erase."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.staff_login import log_in
from tests.browser.test_conversation_browser import serious_violations
from tests.helpers import make_ticket
from webapp.extensions import db
from webapp.models import Role, Ticket

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser):
    """A page that lets axe's script in (as the shared accessibility check does)."""
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


def test_an_admin_finds_and_erases_a_customers_data(page, live_server, create_user, app):
    create_user(email="root@example.com", name="Alex Admin", role=Role.ADMIN)
    ticket = make_ticket(
        subject="Courier lost my parcel",
        customer_name="Olga",
        customer_email="olga@example.ru",
        customer_locale="ru",
    )
    token = ticket.status_token
    log_in(page, live_server, "root@example.com", then="/admin/customer-data")
    page.get_by_label("Customer's e-mail address").fill("not an address")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_text("This is not an e-mail address")).to_be_visible()
    assert page.get_by_label("Customer's e-mail address").input_value() == "not an address"

    page.get_by_label("Customer's e-mail address").fill("  OLGA@Example.RU ")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("link", name=ticket.number)).to_be_visible()
    expect(page.get_by_text("Courier lost my parcel")).to_be_visible()
    assert serious_violations(page) == []

    page.get_by_role("button", name="Erase…").click()
    expect(page.get_by_role("heading", name="Erase the customer's data?")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Erase everything listed").click()
    expect(page.get_by_text("The customer's personal data was erased")).to_be_visible()
    db.session.expire_all()
    assert db.session.scalar(select(Ticket.customer_email).where(Ticket.id == ticket.id)) is None

    page.goto(f"{live_server}/t/{token}")
    expect(page.get_by_role("heading", name="Эта информация удалена")).to_be_visible()
    assert serious_violations(page) == []
