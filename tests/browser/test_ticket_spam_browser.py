"""An agent marks junk as spam from the ticket page: asked first, closed, its sender blocked;
"Not spam" undoes it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser import staff_login
from tests.browser.htmx_wait import wait_for_htmx
from tests.browser.ticket_setup import new_ticket, on_duty_in_customer_care
from webapp.extensions import db
from webapp.models import BlockedSender, Ticket

pytestmark = pytest.mark.browser


@pytest.fixture
def junk(app, create_user) -> Ticket:
    on_duty_in_customer_care(create_user())
    db.session.commit()
    return new_ticket("Cheap watches, best prices")


def _blocked() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(BlockedSender.email)))


def test_marking_as_spam_asks_then_closes_and_blocks_the_sender(page, live_server, junk):
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{junk.number}")
    wait_for_htmx(page)
    spam = page.locator("#ws-spam")
    spam.get_by_role("button", name="Mark as spam").click()
    expect(spam).to_contain_text(f"Mark {junk.number} as spam?")
    expect(spam).to_contain_text("Its status link shows “not found”.")
    block = page.get_by_label(f"Also block this sender ({junk.customer_email})")
    expect(block).not_to_be_checked()
    block.check()

    spam.get_by_role("button", name="Mark as spam").click()
    expect(page.locator(".spam-notice")).to_contain_text("This ticket was marked as spam")
    expect(page.locator("#toasts")).to_contain_text(
        f"{junk.number} was marked as spam and closed. Its sender is blocked."
    )
    expect(page.locator("#ws-timeline")).to_contain_text(
        "marked this ticket as spam and blocked its sender."
    )
    expect(page.get_by_role("button", name="Send reply")).to_have_count(0)
    expect(page.locator("#ws-header")).to_contain_text("Closed")
    db.session.expire_all()
    assert db.session.get(Ticket, junk.id).spam_at is not None
    assert _blocked() == [junk.customer_email.lower()]

    page.get_by_role("button", name="Not spam").click()
    expect(page.locator(".spam-notice")).to_have_count(0)
    expect(page.locator("#ws-timeline")).to_contain_text(
        "said this ticket is not spam and unblocked its sender."
    )
    assert _blocked() == []


def test_cancel_leaves_the_ticket_as_it_was(page, live_server, junk):
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{junk.number}")
    wait_for_htmx(page)
    spam = page.locator("#ws-spam")
    spam.get_by_role("button", name="Mark as spam").click()
    spam.get_by_role("button", name="Cancel").click()
    expect(spam).not_to_contain_text("as spam?")
    expect(spam.get_by_role("button", name="Mark as spam")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Ticket, junk.id).spam_at is None
