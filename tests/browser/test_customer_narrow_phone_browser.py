"""The customer's pages on the narrowest phones (320px): what they must read whole stays whole."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers import make_ticket

pytestmark = pytest.mark.browser


def lines_of(locator) -> int:
    """How many lines the (inline) element is broken into."""
    return locator.evaluate("e => e.getClientRects().length")


def test_the_request_number_is_never_broken_at_its_hyphen(page, live_server):
    """ "Ваше обращение LD-1003" at 320px broke into "…LD-" and "1003" on the next line."""
    ticket = make_ticket(subject="Доставка задержалась на неделю", customer_locale="ru")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server}/t/{ticket.status_token}")
    heading = page.get_by_role("heading", name=f"Ваше обращение {ticket.number}")
    expect(heading).to_be_visible()
    number = heading.locator(".ticket-number")
    expect(number).to_have_text(ticket.number)
    assert lines_of(number) == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
