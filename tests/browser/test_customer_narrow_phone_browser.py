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


def test_times_named_in_the_customers_zone_fit_the_bubbles_at_360px(browser, live_server):
    """A Polish customer in Warsaw wrote back: every time on her status page was named
    "(czas środkowoeuropejski)" beside the date on one unbreakable line, wider than a bubble
    at 360px, so the page scrolled sideways and her own bubble cut the name off."""
    from webapp.extensions import db
    from webapp.services.replies import receive_customer_reply

    ticket = make_ticket(subject="Płatność kartą nie przechodzi")
    ticket.facts = {**(ticket.facts or {}), "metadata": {"timezone": "Europe/Warsaw"}}
    receive_customer_reply(ticket, "Dziękuję, czekam")
    db.session.commit()
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="pl-PL")
    page = context.new_page()
    page.goto(f"{live_server}/t/{ticket.status_token}")
    mine = page.locator(".bubble.customer", has_text="Dziękuję, czekam")
    expect(mine).to_contain_text("(czas środkowoeuropejski)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for bubble in page.locator(".bubble:has(> small time)").all():
        time = bubble.locator("> small")
        assert time.evaluate("e => e.scrollWidth <= e.clientWidth"), time.inner_text()
        date = bubble.locator("> small time")
        assert lines_of(date) == 1, date.inner_text()  # the date itself never breaks
    context.close()
