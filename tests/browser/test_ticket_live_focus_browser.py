"""A colleague's change redraws the open ticket (page or board drawer) while the agent works by
keyboard: the focus stays on the control they were on, never on the page's title, and a
control the change took away keeps the focus until the agent moves on."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import staff_login
from tests.browser.conftest import FAST_POLLS
from tests.browser.htmx_wait import wait_for_htmx
from tests.browser.ticket_setup import new_ticket, on_duty_in_customer_care
from webapp.extensions import db
from webapp.models import Ticket, User
from webapp.services.notes import add_note
from webapp.services.tickets import change_priority

pytestmark = pytest.mark.browser

# A change shows within two polls (1 s each here) and some slack for a loaded machine.
ARRIVES_WITHIN_MS = (2 * FAST_POLLS["LIVE_REFRESH_SECONDS"] + 5) * 1000

# How often the focus left an element of the page since the test started counting.
COUNT_FOCUS_LOSSES = """() => {
    window.focusLosses = 0;
    document.addEventListener("focusout", () => { window.focusLosses += 1; }, true);
}"""


@pytest.fixture
def ticket(app, create_user) -> Ticket:
    on_duty_in_customer_care(create_user())
    create_user(email="bea@example.com", name="Bea Brown")
    db.session.commit()
    return new_ticket()


def colleague() -> User:
    return db.session.query(User).filter_by(email="bea@example.com").one()


def open_ticket(page, live_server: str, ticket: Ticket) -> None:
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{ticket.number}")
    wait_for_htmx(page)


def test_a_colleagues_priority_change_redraws_the_header_under_the_focused_button(
    page, live_server, ticket
):
    open_ticket(page, live_server, ticket)
    page.get_by_text("Assign, team and priority").click()
    change = page.get_by_role("button", name="Change priority")
    change.focus()

    change_priority(db.session.get(Ticket, ticket.id), "urgent", colleague())
    db.session.commit()

    expect(page.locator("#ws-header hgroup")).to_contain_text("Urgent", timeout=ARRIVES_WITHIN_MS)
    wait_for_htmx(page)
    expect(change).to_be_focused()
    expect(page.locator("#ws-title")).not_to_be_focused()
    expect(page.locator("#ws-header details")).to_have_attribute("open", "")
    # Enter still acts on the control under the keyboard, in the new header.
    page.get_by_label("Priority").select_option("low")
    change.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#toasts")).to_contain_text("Priority changed to Low.")


def test_a_note_from_a_colleague_leaves_the_focus_on_the_disclosure(page, live_server, ticket):
    open_ticket(page, live_server, ticket)
    summary = page.locator("#ws-header summary")
    summary.focus()
    page.evaluate(COUNT_FOCUS_LOSSES)

    add_note(db.session.get(Ticket, ticket.id), "Courier confirmed the damage.", colleague())
    db.session.commit()

    expect(page.locator("#ws-timeline")).to_contain_text(
        "Courier confirmed the damage.", timeout=ARRIVES_WITHIN_MS
    )
    wait_for_htmx(page)
    expect(summary).to_be_focused()
    # The header was redrawn around the disclosure, which did not change: it stayed, focused,
    # and a screen reader had nothing to announce again.
    assert page.evaluate("window.focusLosses") == 0
    page.keyboard.press("Enter")
    expect(page.get_by_label("Priority")).to_be_visible()


def test_a_button_a_colleagues_move_took_away_keeps_the_focus_until_the_agent_moves_on(
    page, live_server, ticket
):
    from webapp.services.tickets import fire

    open_ticket(page, live_server, ticket)
    first = page.locator("#ws-header .ticket-actions button").first
    name = first.inner_text()
    trigger = page.locator("#ws-header .ticket-actions input[name=trigger]").first.input_value()
    first.focus()
    poll = page.locator("#ws-live")
    shown = poll.get_attribute("hx-get")

    # The agent moved it on in another tab.
    agent = db.session.query(User).filter_by(email="agent@example.com").one()
    fire(db.session.get(Ticket, ticket.id), trigger, agent)
    db.session.commit()

    expect(poll).not_to_have_attribute("hx-get", shown, timeout=ARRIVES_WITHIN_MS)
    wait_for_htmx(page)
    # The header still shows the button under the keyboard: nothing else took its place.
    expect(page.locator("#ws-header").get_by_role("button", name=name)).to_be_focused()
    # Once the keyboard leaves it, the header catches up with the move.
    page.locator("#ws-label-name").focus()
    expect(page.locator("#ws-header").get_by_role("button", name=name)).to_have_count(
        0, timeout=ARRIVES_WITHIN_MS
    )
    expect(page.locator("#ws-label-name")).to_be_focused()


def test_the_board_drawer_keeps_the_focus_through_its_live_refresh(page, live_server, ticket):
    staff_login.log_in(page, live_server, "agent@example.com", then="/board")
    page.locator(f"#card-{ticket.number} .card-number").focus()
    page.keyboard.press("Enter")
    drawer = page.locator("#drawer")
    expect(drawer.locator("#ws-title")).to_be_focused()
    wait_for_htmx(page)
    summary = drawer.locator("#ws-header summary")
    summary.focus()

    change_priority(db.session.get(Ticket, ticket.id), "urgent", colleague())
    db.session.commit()

    expect(drawer.locator("#ws-header hgroup")).to_contain_text("Urgent", timeout=ARRIVES_WITHIN_MS)
    wait_for_htmx(page)
    expect(summary).to_be_focused()
    expect(page.locator("#drawer-dialog")).to_be_visible()
