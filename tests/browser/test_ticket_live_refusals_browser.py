"""An agent told why their action was refused still reads it after the open ticket page
refreshed itself (a colleague's change arrived), with what they had typed, and with the
section showing what changed meanwhile."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import staff_login
from tests.browser.conftest import FAST_POLLS
from tests.browser.htmx_wait import wait_for_htmx
from tests.browser.ticket_setup import new_ticket, on_duty_in_customer_care
from webapp.extensions import db
from webapp.models import Task, Ticket, User
from webapp.services.replies import receive_customer_reply
from webapp.services.tasks import move_task
from webapp.services.tickets import create_task

pytestmark = pytest.mark.browser

POLL_SECONDS = FAST_POLLS["LIVE_REFRESH_SECONDS"]
ARRIVES_WITHIN_MS = (2 * POLL_SECONDS + 5) * 1000
CONFLICT = "Someone else changed this ticket a moment ago. Please try again."


@pytest.fixture
def people(app, create_user) -> dict[str, User]:
    ada = create_user()
    on_duty_in_customer_care(ada)
    bea = create_user(email="bea@example.com", name="Bea Brown")
    db.session.commit()
    return {"ada": ada, "bea": bea}


def _colleague_gives_a_task(ticket: Ticket, title: str, to: User, by: User) -> None:
    create_task(db.session.get(Ticket, ticket.id), title, to, by)
    db.session.commit()


def _tab_hidden(page, hidden: bool) -> None:
    """The agent looks at another tab (the page stops polling) or comes back (it polls)."""
    page.evaluate(
        """hidden => {
            Object.defineProperty(document, "hidden", {configurable: true, get: () => hidden});
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        hidden,
    )


def test_a_refused_task_keeps_its_reason_and_text_when_a_colleagues_change_arrives(
    page, live_server, people
):
    ticket = new_ticket()
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{ticket.number}")
    wait_for_htmx(page)
    tasks = page.locator("#ws-tasks")
    tasks.get_by_text("New task").click()
    tasks.get_by_label("What needs doing?").fill("Call the courier")
    tasks.get_by_label("Details").fill("Ask for photos of the box")
    tasks.get_by_role("button", name="Create task").click()  # nobody chosen in "For"
    expect(tasks.get_by_text("Please choose a colleague.")).to_be_visible()
    wait_for_htmx(page)
    # The keyboard lands on the field at fault; the agent goes on to read the conversation.
    expect(tasks.get_by_label("For", exact=True)).to_be_focused()
    page.get_by_role("heading", name="Conversation").click()

    _colleague_gives_a_task(ticket, "Check the refund", people["bea"], people["bea"])

    # The section is redrawn with Bea's task, and the agent still reads why theirs was not
    # created, next to what they typed, the field at fault still pointing at the reason.
    expect(tasks).to_contain_text("Check the refund", timeout=ARRIVES_WITHIN_MS)
    expect(tasks.get_by_text("Please choose a colleague.")).to_be_visible()
    expect(tasks.get_by_label("What needs doing?")).to_have_value("Call the courier")
    expect(tasks.get_by_label("Details")).to_have_value("Ask for photos of the box")
    chooser = tasks.get_by_label("For", exact=True)
    expect(chooser).to_have_attribute("aria-invalid", "true")
    expect(chooser).to_have_accessible_description("Please choose a colleague.")

    # And so on through the next change: the reason stays until the agent acts on it.
    _colleague_gives_a_task(ticket, "Photograph the box", people["bea"], people["bea"])
    expect(tasks).to_contain_text("Photograph the box", timeout=ARRIVES_WITHIN_MS)
    expect(tasks.get_by_text("Please choose a colleague.")).to_be_visible()
    wait_for_htmx(page)
    chooser.select_option(label="Bea Brown")
    tasks.get_by_role("button", name="Create task").click()
    expect(tasks.get_by_text("Please choose a colleague.")).to_have_count(0)
    expect(tasks).to_contain_text("Call the courier")
    db.session.expire_all()
    titles = {t.title for t in db.session.query(Task).filter_by(ticket_id=ticket.id)}
    assert titles == {"Check the refund", "Photograph the box", "Call the courier"}


def test_actions_refused_as_stale_still_say_why_after_the_page_catches_up(
    page, live_server, people
):
    ada, bea = people["ada"], people["bea"]
    ticket = new_ticket()
    _colleague_gives_a_task(ticket, "Check the refund", ada, bea)
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{ticket.number}")
    wait_for_htmx(page)
    tasks = page.locator("#ws-tasks")
    expect(tasks.get_by_role("button", name="Accept")).to_be_visible()
    reply_box = page.get_by_label("Message", exact=True)
    reply_box.fill("Hello Jan, a new parcel is on its way.")

    # While the page does not poll (another tab in front), the task is accepted elsewhere
    # and the customer writes; then the agent acts on what the page still shows.
    _tab_hidden(page, True)
    page.wait_for_timeout((POLL_SECONDS + 1) * 1000)  # a poll under way has answered
    task = db.session.query(Task).filter_by(ticket_id=ticket.id).one()
    move_task(task, "accept", db.session.get(User, ada.id))
    receive_customer_reply(db.session.get(Ticket, ticket.id), "Where is my parcel?")
    db.session.commit()
    tasks.get_by_role("button", name="Accept").click()
    expect(tasks.get_by_text(CONFLICT)).to_be_visible()
    page.get_by_role("button", name="Send reply").click()
    moved_on = page.locator("#ws-reply").get_by_text("the conversation moved on")
    expect(moved_on).to_be_visible()

    # Back on the page: it polls, catches up with Bea's new task, and both reasons stay.
    _colleague_gives_a_task(ticket, "Photograph the box", ada, bea)
    _tab_hidden(page, False)
    expect(tasks).to_contain_text("Photograph the box", timeout=ARRIVES_WITHIN_MS)
    expect(tasks.get_by_text(CONFLICT)).to_be_visible()
    expect(moved_on).to_be_visible()
    expect(reply_box).to_have_value("Hello Jan, a new parcel is on its way.")
    expect(page.locator("#ws-conversation")).to_contain_text("Where is my parcel?")
