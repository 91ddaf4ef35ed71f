"""An agent works a ticket by keyboard: after each action the focus stays where they were,
a refused field takes the focus, and each change is confirmed where they can see it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import staff_login
from tests.browser.htmx_wait import wait_for_htmx
from tests.browser.ticket_setup import new_ticket, on_duty_in_customer_care
from webapp.extensions import db
from webapp.models import Ticket
from webapp.services.tickets import add_label

pytestmark = pytest.mark.browser


@pytest.fixture
def ticket(app, create_user) -> Ticket:
    on_duty_in_customer_care(create_user())
    create_user(email="bob@example.com", name="Bob Builder")
    db.session.commit()
    return new_ticket()


def open_ticket(page, live_server: str, ticket: Ticket) -> None:
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{ticket.number}")
    wait_for_htmx(page)


def test_focus_stays_on_the_control_used_after_a_note_and_a_preview(page, live_server, ticket):
    open_ticket(page, live_server, ticket)
    page.get_by_label("Note", exact=True).fill("Checked with the courier.")
    add_note = page.get_by_role("button", name="Add note")
    add_note.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#ws-timeline")).to_contain_text("Checked with the courier.")
    expect(page.get_by_role("button", name="Add note")).to_be_focused()

    page.get_by_label("Message").fill("Hello {name}")
    page.get_by_role("button", name="Preview").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".reply-preview")).to_contain_text("Hello Jan")
    expect(page.get_by_role("button", name="Preview")).to_be_focused()


def test_a_refused_reminder_puts_the_focus_on_the_date(page, live_server, ticket):
    open_ticket(page, live_server, ticket)
    page.locator("#ws-remind-at").fill("2020-01-01T10:00")
    page.get_by_label("Note to yourself").fill("Call Jan back")
    page.get_by_role("button", name="Set reminder").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#reminder-error")).to_be_visible()
    expect(page.locator("#ws-remind-at")).to_be_focused()
    expect(page.get_by_label("Note to yourself")).to_have_value("Call Jan back")


def test_cancelling_a_reminder_cancelled_in_another_tab_says_so_where_it_was(
    page, live_server, ticket
):
    from datetime import timedelta

    from sqlalchemy import delete

    from webapp.models import Reminder, User, utcnow
    from webapp.services.reminders import create_reminder

    agent = db.session.query(User).filter_by(email="agent@example.com").one()
    tomorrow = utcnow() + timedelta(days=1)
    create_reminder(ticket, agent, f"{tomorrow:%Y-%m-%d}T10:00", "Call Jan back")
    db.session.commit()
    open_ticket(page, live_server, ticket)
    cancel = page.locator("#ws-reminders").get_by_role("button", name="Cancel")
    expect(cancel).to_be_visible()
    # The other tab cancelled it (without a history line, so this page's poll does not
    # redraw the section first: the agent clicks a button that is still there).
    db.session.execute(delete(Reminder))
    db.session.commit()

    cancel.click()
    error = page.locator("#ws-reminders [role=alert]")
    expect(error).to_have_text("This reminder was already cancelled, perhaps in another tab.")
    expect(page.locator("#ws-reminders .reminder-list")).to_have_count(0)
    expect(page.locator("#toasts")).not_to_contain_text("is cancelled")


def test_a_refused_task_marks_the_field_at_fault_and_focuses_it(page, live_server, ticket):
    open_ticket(page, live_server, ticket)
    page.get_by_text("New task").click()
    page.get_by_label("What needs doing?").fill("Call the courier")
    page.get_by_role("button", name="Create task").click()
    colleague = page.get_by_label("For", exact=True)
    expect(colleague).to_be_focused()
    expect(colleague).to_have_attribute("aria-invalid", "true")
    expect(colleague).to_have_accessible_description("Please choose a colleague.")
    expect(page.get_by_label("What needs doing?")).not_to_have_attribute("aria-invalid", "true")


def test_changing_the_priority_is_confirmed_and_keeps_the_keyboard_nearby(
    page, live_server, ticket
):
    open_ticket(page, live_server, ticket)
    page.get_by_text("Assign, team and priority").click()
    page.get_by_label("Priority").select_option("urgent")
    page.get_by_role("button", name="Change priority").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#toasts")).to_contain_text("Priority changed to Urgent.")
    expect(page.locator("#ws-header hgroup")).to_contain_text("Urgent")
    # The disclosure closed with the new header: the focus is on its summary, not lost.
    expect(page.locator("#ws-header summary")).to_be_focused()


def test_adding_and_removing_a_label_is_confirmed_aloud(page, live_server, ticket):
    open_ticket(page, live_server, ticket)
    page.get_by_label("New label").fill("refund")
    page.get_by_label("New label").press("Enter")
    toasts = page.locator("#toasts")  # a polite live region: screen readers read it out
    expect(toasts).to_have_attribute("aria-live", "polite")
    expect(toasts.get_by_role("status")).to_contain_text("Label “refund” added.")
    page.get_by_role("button", name="Remove the label refund").click()
    expect(toasts).to_contain_text("Label “refund” removed.")
    expect(page.locator("#ws-labels")).not_to_contain_text("refund")


def test_a_long_link_in_a_note_and_a_long_label_wrap_on_a_phone(page, live_server, ticket):
    add_label(ticket, "reklamacje_niezadowolonych_klientow_sklep_internetowy", None)
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    open_ticket(page, live_server, ticket)
    link = "https://tracking.example.com/parcel?id=" + "A1B2C3D4E5" * 12
    page.get_by_label("Note", exact=True).fill(f"Courier says: {link}")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#ws-timeline")).to_contain_text("Courier says")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the ticket page scrolls sideways on a phone"


def test_the_state_buttons_sit_side_by_side(page, live_server, ticket):
    open_ticket(page, live_server, ticket)
    buttons = page.locator("#ws-header .ticket-actions button")
    assert buttons.count() >= 2
    first, second = buttons.nth(0).bounding_box(), buttons.nth(1).bounding_box()
    gap = second["x"] - (first["x"] + first["width"])
    assert 0 <= gap <= 24, f"{gap:.0f} px between the first two state buttons"


def test_mentioning_a_colleague_keeps_them_chosen_without_console_errors(page, live_server, ticket):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    open_ticket(page, live_server, ticket)
    find = page.get_by_placeholder("Find a colleague")
    find.fill("Bob")
    page.get_by_label("Bob Builder").check()
    find.fill("Ada")  # searching on keeps the chosen colleague ticked
    expect(page.get_by_label("Bob Builder")).to_be_checked()
    page.get_by_label("Note", exact=True).fill("Bob, can you check the courier?")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#ws-timeline")).to_contain_text("Bob Builder")
    assert errors == []


def test_why_a_state_button_is_disabled_wraps_on_a_phone(page, live_server, ticket, create_user):
    """A colleague who may not move the ticket reads the reason under each button, in their
    language, without the page scrolling sideways (Polish and Russian run longest)."""
    create_user(email="ola@example.com", name="Ola Nowak", locale="pl")
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    staff_login.log_in(page, live_server, "ola@example.com", then=f"/tickets/{ticket.number}")
    reason = page.locator("#ws-header .ticket-actions small").first
    expect(reason).to_contain_text("Mogą to zrobić tylko")
    assert reason.evaluate("el => el.getBoundingClientRect().right") <= 390
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the ticket page scrolls sideways on a phone"


def test_the_customers_address_wraps_at_its_at_sign_not_mid_word_on_a_phone(
    page, live_server, ticket
):
    """ "jan.wisniewski@ex" on one line and "ample.pl" on the next was hard to read (or copy)."""
    ticket.customer_email = "jan.wisniewski.kowalczyk@example-shop.pl"
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    open_ticket(page, live_server, ticket)
    words = ["jan", "wisniewski", "kowalczyk", "example", "shop"]
    for width in range(300, 400, 5):  # wherever the line ends, it ends between words
        page.set_viewport_size({"width": width, "height": 844})
        split = page.evaluate(
            """(words) => {
              const dd = [...document.querySelectorAll(".facts dd")]
                .find((el) => el.textContent.includes("@"));
              const walker = document.createTreeWalker(dd, NodeFilter.SHOW_TEXT);
              const split = [];
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                for (const word of words) {
                  const at = node.data.indexOf(word);
                  if (at < 0) continue;
                  const range = document.createRange();
                  range.setStart(node, at);
                  range.setEnd(node, at + word.length);
                  if (range.getClientRects().length > 1) split.push(word);
                }
              }
              return split;
            }""",
            words,
        )
        assert split == [], width
