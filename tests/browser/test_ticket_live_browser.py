"""An agent with a ticket open sees the customer's new message without reloading, while what
they are typing stays in the reply box, and sending it afterwards is not held back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser import staff_login
from tests.browser.conftest import FAST_POLLS
from tests.browser.htmx_wait import wait_for_htmx
from tests.browser.ticket_setup import new_ticket, on_duty_in_customer_care
from webapp.extensions import db
from webapp.models import Ticket, TicketEvent

pytestmark = pytest.mark.browser

# The page polls every LIVE_REFRESH_SECONDS, 1 s here (tests/browser/conftest.py): a change
# shows within two polls and some slack for a loaded machine.
POLL_SECONDS = FAST_POLLS["LIVE_REFRESH_SECONDS"]
ARRIVES_WITHIN_MS = (2 * POLL_SECONDS + 5) * 1000


@pytest.fixture
def ticket(app, create_user) -> Ticket:
    on_duty_in_customer_care(create_user())
    db.session.commit()
    return new_ticket()


def _replies_sent(ticket: Ticket) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count())
        .select_from(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "public_reply")
    )


def test_the_customers_message_appears_while_the_agent_keeps_typing(
    browser, page, live_server, ticket
):
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{ticket.number}")
    wait_for_htmx(page)
    box = page.get_by_label("Message", exact=True)
    box.fill("Hello Jan, a new parcel")

    customer = browser.new_context(locale="en-US")
    status_page = customer.new_page()
    status_page.goto(f"{live_server}/t/{ticket.status_token}")
    status_page.get_by_label("Add a message").fill("<b>The box</b> was wet too.")
    status_page.get_by_role("button", name="Send").click()
    expect(status_page.get_by_text("<b>The box</b> was wet too.").first).to_be_visible()
    customer.close()

    # Without a reload: the message is in the conversation, as text, and announced.
    thread = page.locator("#ws-conversation .staff-chat")
    expect(thread).to_contain_text("<b>The box</b> was wet too.", timeout=ARRIVES_WITHIN_MS)
    expect(page.locator("#ws-conversation b")).to_have_count(0)
    notice = page.locator("#ws-live-notice")
    expect(notice).to_have_attribute("aria-live", "polite")
    expect(notice).to_contain_text("New message from the customer")
    # What the agent typed is still there, and the keyboard still in the box.
    expect(box).to_have_value("Hello Jan, a new parcel")
    expect(box).to_be_focused()

    page.keyboard.type(" is on its way.")
    page.get_by_role("button", name="Send reply").click()
    expect(thread).to_contain_text("Hello Jan, a new parcel is on its way.")
    expect(page.get_by_text("the conversation moved on")).to_have_count(0)
    assert _replies_sent(ticket) == 1


def test_the_page_stops_polling_once_the_agent_is_logged_out(page, live_server, ticket):
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{ticket.number}")
    wait_for_htmx(page)
    page.context.clear_cookies()  # logged out elsewhere: the session is gone

    notice = page.locator("#ws-live-notice")
    expect(notice).to_contain_text("no longer updates by itself", timeout=ARRIVES_WITHIN_MS)
    expect(page.locator("#ws-live")).to_have_count(0)
    expect(page.locator("#toasts .toast")).to_have_count(0)  # said once, not an error each time


def test_a_section_the_agent_is_filling_in_is_not_redrawn_under_them(
    page, live_server, ticket, create_user
):
    from webapp.services.notes import add_note

    bea = create_user(email="bea@example.com", name="Bea Brown")
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{ticket.number}")
    wait_for_htmx(page)
    label = page.get_by_label("New label")
    label.fill("damaged-in-transit")

    add_note(db.session.get(Ticket, ticket.id), "Courier confirmed the damage.", bea)
    db.session.commit()

    expect(page.locator("#ws-timeline")).to_contain_text(
        "Courier confirmed the damage.", timeout=ARRIVES_WITHIN_MS
    )
    expect(label).to_have_value("damaged-in-transit")
    expect(label).to_be_focused()
    expect(page.locator("#ws-live-notice")).to_be_empty()  # a note is not a message

    # The poll carries on from the page it redrew: the next change arrives as well.
    add_note(db.session.get(Ticket, ticket.id), "Refund approved.", bea)
    db.session.commit()
    expect(page.locator("#ws-timeline")).to_contain_text(
        "Refund approved.", timeout=ARRIVES_WITHIN_MS
    )
    expect(label).to_have_value("damaged-in-transit")


@pytest.mark.usefixtures("one_minute")  # a 304 is expected some seconds later
def test_a_hidden_tab_does_not_poll_and_catches_up_when_shown(page, live_server, ticket):
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{ticket.number}")
    wait_for_htmx(page)
    polls = []
    page.on("request", lambda request: "/changes" in request.url and polls.append(request.url))
    page.evaluate(
        """() => {
            Object.defineProperty(document, "hidden", {configurable: true, get: () => true});
            document.dispatchEvent(new Event("visibilitychange"));
        }"""
    )
    page.wait_for_timeout((POLL_SECONDS + 1) * 1000)
    assert polls == []

    with page.expect_response(lambda answer: "/changes" in answer.url, timeout=2000) as shown:
        page.evaluate(
            """() => {
                Object.defineProperty(document, "hidden", {configurable: true, get: () => false});
                document.dispatchEvent(new Event("visibilitychange"));
            }"""
        )
    assert shown.value.status == 304  # nothing changed meanwhile: no body, nothing redrawn


def test_the_board_drawer_follows_others_changes_and_stops_asking_when_closed(
    page, live_server, ticket, create_user
):
    from webapp.services.notes import add_note
    from webapp.services.replies import receive_customer_reply

    bea = create_user(email="bea@example.com", name="Bea Brown")
    staff_login.log_in(page, live_server, "agent@example.com", then="/board")
    page.locator(f"#card-{ticket.number} .card-number").click()
    drawer = page.locator("#drawer-dialog")
    expect(drawer.locator("#ws-title")).to_be_focused()
    wait_for_htmx(page)
    drawer.get_by_label("Message", exact=True).fill("Hello Jan")

    add_note(db.session.get(Ticket, ticket.id), "Courier confirmed the damage.", bea)
    receive_customer_reply(db.session.get(Ticket, ticket.id), "The box was wet too.")
    db.session.commit()

    # Without reopening it: the open drawer shows both, and announces the customer's message.
    expect(drawer.locator("#ws-timeline")).to_contain_text(
        "Courier confirmed the damage.", timeout=ARRIVES_WITHIN_MS
    )
    expect(drawer.locator("#ws-conversation")).to_contain_text("The box was wet too.")
    expect(drawer.locator("#ws-live-notice")).to_contain_text("New message from the customer")
    expect(drawer.get_by_label("Message", exact=True)).to_have_value("Hello Jan")

    # Closed, it asks no more. Counted from the moment it is closed: with a poll a second,
    # one may well go out while the two Escapes are pressed, and that is still the open drawer's.
    page.keyboard.press("Escape")  # leaves the reply box, keeping "Hello Jan" (shortcuts.js)
    expect(drawer.get_by_label("Message", exact=True)).not_to_be_focused()
    page.keyboard.press("Escape")
    expect(drawer).not_to_be_visible()
    expect(page.locator("#ws-live")).to_have_count(0)
    polls = []
    page.on("request", lambda r: "/tickets/" in r.url and "/changes" in r.url and polls.append(r))
    page.wait_for_timeout((POLL_SECONDS + 1) * 1000)
    assert polls == []


def test_two_agents_on_one_ticket_see_each_other_and_who_is_writing(
    browser, page, live_server, ticket, create_user
):
    create_user(email="maja@example.com", name="Maja Novak")
    db.session.commit()
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{ticket.number}")
    wait_for_htmx(page)
    presence = page.locator("#ws-presence")
    expect(presence).to_be_empty()

    colleague = browser.new_context(locale="en-US")
    maja = colleague.new_page()
    staff_login.log_in(maja, live_server, "maja@example.com", then=f"/tickets/{ticket.number}")
    expect(maja.locator("#ws-presence")).to_contain_text("also has this ticket open")
    expect(presence).to_contain_text(
        "Maja Novak also has this ticket open.", timeout=ARRIVES_WITHIN_MS
    )
    maja.get_by_label("Message", exact=True).fill("Dear Jan, we are sending a new parcel")
    expect(presence).to_contain_text(
        "Maja Novak is writing a reply to the customer.", timeout=ARRIVES_WITHIN_MS
    )
    expect(presence).to_have_attribute("aria-live", "polite")
    colleague.close()
