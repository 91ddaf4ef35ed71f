"""The open ticket page after a section was held back (the agent was working in it), after
the agent's own priority or assignment and after a reply refused as the conversation moved
on: a customer's message is announced exactly once (or not, when the refusal showed it), and
the page's poll moves on with what the agent's action drew."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser import staff_login, test_ticket_live_focus_browser
from tests.browser.conftest import FAST_POLLS
from tests.browser.htmx_wait import wait_for_htmx
from webapp.extensions import db
from webapp.models import Ticket, TicketEvent
from webapp.services.notes import add_note
from webapp.services.replies import receive_customer_reply
from webapp.services.tickets import add_label

pytestmark = pytest.mark.browser

ARRIVES_WITHIN_MS = (2 * FAST_POLLS["LIVE_REFRESH_SECONDS"] + 5) * 1000
MESSAGE = "The box was wet too."

# Every time the live region by the reply box is given something to say.
COUNT_ANNOUNCEMENTS = """() => {
    window.announced = [];
    new MutationObserver(() => {
        const said = document.getElementById("ws-live-notice").textContent.trim();
        if (said) { window.announced.push(said); }
    }).observe(document.getElementById("ws-live-notice"), {childList: true});
}"""


ticket = test_ticket_live_focus_browser.ticket  # Bea Brown on duty beside the agent


def _bea():
    from webapp.models import User

    return db.session.query(User).filter_by(email="bea@example.com").one()


def _open(page, live_server: str, ticket: Ticket) -> None:
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{ticket.number}")
    wait_for_htmx(page)
    page.evaluate(COUNT_ANNOUNCEMENTS)


def _is_catch_up(request) -> bool:
    """The poll that asks for every section once a held one is free: it sends no tag."""
    return "/changes" in request.url and "if-none-match" not in request.headers


def _hold_the_labels(page, ticket: Ticket):
    """The agent types a label while a colleague's note arrives: the labels are held back."""
    label = page.get_by_label("New label")
    label.fill("damaged")
    add_note(db.session.get(Ticket, ticket.id), "Courier confirmed the damage.", _bea())
    db.session.commit()
    expect(page.locator("#ws-timeline")).to_contain_text(
        "Courier confirmed the damage.", timeout=ARRIVES_WITHIN_MS
    )
    return label


def _leave(label) -> None:
    label.fill("")
    label.evaluate("box => box.blur()")


def test_a_message_that_comes_with_the_catch_up_is_announced(app, page, live_server, ticket):
    _open(page, live_server, ticket)
    label = _hold_the_labels(page, ticket)
    written = []

    # The customer writes just as the page catches up with the labels. (Playwright calls this
    # in a greenlet of its own, outside the test's app context.)
    def catch_up(route) -> None:
        if _is_catch_up(route.request) and not written:
            with app.app_context():
                receive_customer_reply(db.session.get(Ticket, ticket.id), MESSAGE)
                db.session.commit()
            written.append(route.request.url)
        route.continue_()

    page.route(re.compile(r"/changes"), catch_up)
    _leave(label)

    expect(page.locator("#ws-conversation")).to_contain_text(MESSAGE, timeout=ARRIVES_WITHIN_MS)
    expect(page.locator("#ws-live-notice")).to_contain_text("New message from the customer")
    assert page.evaluate("window.announced").count("New message from the customer Read it") == 1


def test_a_message_announced_while_a_section_was_held_is_not_announced_again(
    page, live_server, ticket
):
    _open(page, live_server, ticket)
    label = _hold_the_labels(page, ticket)
    receive_customer_reply(db.session.get(Ticket, ticket.id), MESSAGE)
    db.session.commit()
    expect(page.locator("#ws-conversation")).to_contain_text(MESSAGE, timeout=ARRIVES_WITHIN_MS)
    expect(page.locator("#ws-live-notice")).to_contain_text("New message from the customer")
    expect(label).to_have_value("damaged")  # held: not redrawn under the agent

    with page.expect_response(lambda answer: _is_catch_up(answer.request)) as caught_up:
        _leave(label)
    assert caught_up.value.status == 200
    wait_for_htmx(page)
    assert page.evaluate("window.announced") == ["New message from the customer Read it"]


@pytest.mark.parametrize(
    ("menu", "choice", "button", "said"),
    [
        ("Priority", "Urgent", "Change priority", "Priority changed to Urgent."),
        ("Assignee", "Bea Brown", "Assign", "Assigned to Bea Brown."),
    ],
)
@pytest.mark.usefixtures("one_minute")  # a 304 is expected below
def test_the_agents_own_priority_or_assignment_moves_the_poll_on(
    page, live_server, ticket, menu, choice, button, said
):
    _open(page, live_server, ticket)
    page.get_by_text("Assign, team and priority").click()
    page.get_by_label(menu, exact=True).select_option(label=choice)
    with page.expect_response(lambda answer: answer.request.method == "POST") as acted:
        page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator("#toasts")).to_contain_text(said)

    # The action's own answer brought the poll on past its history line (the page said what
    # it showed), not a later poll that redrew every section: nothing is left to redraw.
    newest = db.session.scalar(
        select(func.max(TicketEvent.id)).where(TicketEvent.ticket_id == ticket.id)
    )
    assert re.search(rf'<div id="ws-live"[^>]*since={newest}&', acted.value.text())
    expect(page.locator("#ws-live")).to_have_attribute("hx-get", re.compile(rf"since={newest}&"))
    with page.expect_response(lambda answer: f"since={newest}&" in answer.url) as next_poll:
        pass
    assert next_poll.value.status == 304


def test_a_message_a_refused_reply_showed_is_not_announced_by_the_next_poll(
    page, live_server, ticket
):
    _open(page, live_server, ticket)
    page.get_by_label("Message", exact=True).fill("Hello Jan, a new parcel is on its way.")
    # While the page's polls are lost on the way, the customer writes and a colleague adds a
    # label: the agent sends on what the page still shows.
    page.route(re.compile(r"/changes"), lambda route: route.abort())
    receive_customer_reply(db.session.get(Ticket, ticket.id), MESSAGE)
    add_label(db.session.get(Ticket, ticket.id), "courier", _bea())
    db.session.commit()
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#ws-reply").get_by_text("the conversation moved on")).to_be_visible()
    expect(page.locator("#ws-conversation")).to_contain_text(MESSAGE)

    # The next poll draws the label, and says nothing of the message the refusal showed.
    page.unroute(re.compile(r"/changes"))
    expect(page.locator("#ws-labels")).to_contain_text("courier", timeout=ARRIVES_WITHIN_MS)
    wait_for_htmx(page)
    assert page.evaluate("window.announced") == []


@pytest.mark.usefixtures("one_minute")  # the label's answer moves the poll on
def test_the_sla_explanation_stays_open_through_the_agents_own_label(page, live_server, ticket):
    """The answer to a label draws the SLA again (a policy may ask for a label): what the
    agent unfolded there stays unfolded, as it does through a live poll."""
    _open(page, live_server, ticket)
    why = page.locator("#ws-sla details").first
    why.get_by_text("Why this due time?").click()
    expect(why).to_have_attribute("open", "")
    page.get_by_label("New label").fill("damaged")
    with page.expect_response(lambda answer: answer.request.method == "POST") as acted:
        page.get_by_role("button", name="Add", exact=True).click()
    assert 'id="ws-sla"' in acted.value.text() and 'id="ws-live"' in acted.value.text()
    expect(page.locator("#ws-labels")).to_contain_text("damaged")
    expect(page.locator("#ws-sla details").first).to_have_attribute("open", "")
