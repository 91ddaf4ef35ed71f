"""On a ticket, "a" reaches the assignee menu: letters typed there pick a person by name
(the browser's type-ahead) but assign nobody; Escape puts the ticket's own choice back and
leaves the menu, Enter assigns. On the ticket's page and in the board's drawer."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import staff_login
from tests.browser.test_board_browser import desk  # noqa: F401 (fixture)
from tests.browser.ticket_setup import new_ticket
from webapp.extensions import db
from webapp.models import Ticket

pytestmark = pytest.mark.browser


def assignee_of(ticket: Ticket) -> str | None:
    db.session.expire_all()
    found = db.session.get(Ticket, ticket.id)
    return found.assignee.name if found.assignee else None


def test_on_the_ticket_page_escape_leaves_the_menu_and_enter_assigns(page, live_server, desk):  # noqa: F811
    ticket = new_ticket()
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{ticket.number}")
    menu = page.locator("#ws-assignee")
    ada = str(desk["ada"].id)
    page.keyboard.press("a")
    expect(menu).to_be_focused()
    expect(menu).to_have_value(ada)
    page.keyboard.type("b")  # type-ahead: Bob Builder is chosen in the menu, not assigned
    expect(menu).to_have_value(str(desk["bob"].id))
    page.wait_for_timeout(500)
    assert assignee_of(ticket) == "Ada Agent"

    page.keyboard.press("Escape")
    expect(menu).not_to_be_focused()
    expect(menu).to_have_value(ada)
    page.keyboard.press("j")  # the keys are shortcuts again, not names
    expect(menu).to_have_value(ada)
    assert assignee_of(ticket) == "Ada Agent"

    page.keyboard.press("a")
    expect(menu).to_be_focused()
    page.keyboard.type("b")
    page.keyboard.press("Enter")
    expect(page.locator("#ws-header hgroup")).to_contain_text("Bob Builder")
    assert assignee_of(ticket) == "Bob Builder"


def test_in_the_drawer_escape_first_undoes_the_choice_then_closes(page, live_server, desk):  # noqa: F811
    ticket = new_ticket()
    staff_login.log_in(page, live_server, "agent@example.com", then="/board")
    page.locator(f"#card-{ticket.number} .card-number").focus()
    page.keyboard.press("Enter")
    drawer = page.locator("#drawer-dialog")
    expect(drawer.locator("#ws-title")).to_be_focused()
    menu = drawer.locator("#ws-assignee")
    page.keyboard.press("a")
    expect(menu).to_be_focused()
    page.keyboard.type("b")
    expect(menu).to_have_value(str(desk["bob"].id))

    page.keyboard.press("Escape")  # undoes the choice; the drawer stays
    expect(menu).to_have_value(str(desk["ada"].id))
    expect(menu).not_to_be_focused()
    expect(drawer).to_be_visible()
    page.keyboard.press("Escape")  # nothing left to undo: closes the drawer
    expect(drawer).to_be_hidden()
    expect(page.locator(f"#card-{ticket.number} .card-number")).to_be_focused()
    assert assignee_of(ticket) == "Ada Agent"


def test_with_the_shortcuts_turned_off_the_menus_still_take_escape_and_enter(
    page,
    live_server,
    desk,  # noqa: F811
):
    """Escape and Enter are how the menus behave, not shortcuts: an agent who turned the
    shortcuts off on their profile gets them too, on the page and in the drawer."""
    desk["ada"].keyboard_shortcuts = False
    db.session.commit()
    ticket = new_ticket()
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{ticket.number}")
    assert page.locator("script[src*='shortcuts.js']").count() == 0
    ada, bob = str(desk["ada"].id), str(desk["bob"].id)
    page.get_by_text("Assign, team and priority").click()
    menu = page.locator("#ws-assignee")
    menu.focus()
    page.keyboard.type("b")
    expect(menu).to_have_value(bob)
    page.keyboard.press("Escape")
    expect(menu).not_to_be_focused()
    expect(menu).to_have_value(ada)
    assert assignee_of(ticket) == "Ada Agent"

    priority = page.locator("#ws-priority")
    priority.focus()
    chosen = priority.input_value()
    page.keyboard.press("ArrowDown")
    expect(priority).not_to_have_value(chosen)
    page.keyboard.press("Escape")
    expect(priority).to_have_value(chosen)

    menu.focus()
    page.keyboard.type("b")
    page.keyboard.press("Enter")
    expect(page.locator("#ws-header hgroup")).to_contain_text("Bob Builder")
    assert assignee_of(ticket) == "Bob Builder"

    other = new_ticket()
    page.goto(f"{live_server}/board")
    page.locator(f"#card-{other.number} .card-number").click()
    drawer = page.locator("#drawer-dialog")
    expect(drawer.locator("#ws-title")).to_be_focused()
    drawer.get_by_text("Assign, team and priority").click()
    menu = drawer.locator("#ws-assignee")
    menu.focus()
    page.keyboard.type("b")
    expect(menu).to_have_value(bob)
    page.keyboard.press("Escape")  # undoes the choice; the drawer stays
    expect(menu).to_have_value(ada)
    expect(menu).not_to_be_focused()
    expect(drawer).to_be_visible()
    menu.focus()
    page.keyboard.press("Escape")  # nothing changed: closes the drawer
    expect(drawer).to_be_hidden()
    assert assignee_of(other) == "Ada Agent"
