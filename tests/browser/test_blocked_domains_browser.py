"""An agent marks a bot's ticket as spam and blocks everyone at its domain; an admin sees the
domain on Blocked senders and unblocks it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser import staff_login
from tests.browser.htmx_wait import wait_for_htmx
from tests.browser.ticket_setup import new_ticket, on_duty_in_customer_care
from webapp.extensions import db
from webapp.models import BlockedSender, Role, Ticket

pytestmark = pytest.mark.browser


@pytest.fixture
def junk(app, create_user) -> Ticket:
    on_duty_in_customer_care(create_user())
    create_user(email="root@example.com", name="Rita Root", role=Role.ADMIN)
    db.session.commit()
    return new_ticket("Cheap watches, best prices")  # from jan@example.com


def _blocked() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(BlockedSender.email)))


def test_an_agent_blocks_the_domain_and_an_admin_lifts_it(page, live_server, junk):
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{junk.number}")
    wait_for_htmx(page)
    spam = page.locator("#ws-spam")
    spam.get_by_role("button", name="Mark as spam").click()
    expect(page.get_by_label("Block nobody")).to_be_checked()
    page.get_by_label("Block everyone at example.com").check()
    spam.get_by_role("button", name="Mark as spam").click()
    expect(page.locator("#toasts")).to_contain_text(
        f"{junk.number} was marked as spam and closed. Everyone at example.com is blocked."
    )
    expect(page.locator("#ws-timeline")).to_contain_text(
        "marked this ticket as spam and blocked everyone at its sender's domain."
    )
    assert _blocked() == ["@example.com"]

    page.context.clear_cookies()  # the agent leaves; the admin signs in
    staff_login.log_in(page, live_server, "root@example.com", then="/admin/blocked-senders")
    row = page.get_by_role("row").filter(has_text="Domain: every address at it")
    expect(row).to_contain_text("example.com")
    row.get_by_role("button", name="Unblock").click()
    expect(page.get_by_text("Everyone at example.com is no longer blocked.")).to_be_visible()
    assert _blocked() == []
