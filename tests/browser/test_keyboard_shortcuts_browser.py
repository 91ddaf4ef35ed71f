"""Keyboard shortcuts for agents: the help in the agent's language, going to a page with
"g" and a letter, "/" to search, j/k through the tickets, r/n/a on a ticket; and no key
taken from someone typing, holding Ctrl, or working in the board's drawer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import staff_login
from tests.browser.htmx_wait import wait_for_htmx
from tests.helpers import make_ticket

pytestmark = pytest.mark.browser

FOCUSED_ID = "() => document.activeElement && document.activeElement.id"


@pytest.fixture
def polish_agent(create_user, builtin_forms):
    return create_user(locale="pl")


def test_the_help_opens_in_polish_and_gives_the_focus_back(page, live_server, polish_agent):
    staff_login.log_in(page, live_server, "agent@example.com")
    tickets_link = page.get_by_role("link", name="Zgłoszenia", exact=True)
    tickets_link.focus()
    page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Skróty klawiszowe")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("Przejdź do tablicy")
    expect(help_dialog).to_contain_text("Napisz notatkę wewnętrzną")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()
    expect(tickets_link).to_be_focused()

    # Without knowing "?": the button at the foot of every staff page.
    page.get_by_role("button", name="Skróty klawiszowe").click()
    expect(help_dialog).to_be_visible()
    help_dialog.get_by_role("button", name="Zamknij").click()
    expect(help_dialog).to_be_hidden()


def test_g_b_goes_to_the_board_and_slash_finds_its_search(page, live_server, polish_agent):
    staff_login.log_in(page, live_server, "agent@example.com")
    page.keyboard.press("g")
    page.keyboard.press("b")
    page.wait_for_url(f"{live_server}/board")
    page.keyboard.press("/")
    search = page.locator("#board-q")
    expect(search).to_be_focused()
    expect(search).to_have_value("")  # the "/" was not typed into it
    page.keyboard.type("gt")  # in the box, letters are text
    page.keyboard.press("Escape")  # leaves the box and keeps the text (no browser clearing)
    expect(search).not_to_be_focused()
    expect(search).to_have_value("gt")
    page.keyboard.press("g")
    page.keyboard.press("t")
    page.wait_for_url(f"{live_server}/tickets")
    page.keyboard.press("/")
    expect(page.locator("#ticket-search")).to_be_focused()


def test_j_j_enter_opens_the_second_ticket_of_the_list(page, live_server, polish_agent):
    for subject in ("Pierwsze", "Drugie", "Trzecie"):
        make_ticket(subject=subject)
    staff_login.log_in(page, live_server, "agent@example.com", then="/tickets")
    links = page.locator("#ticket-rows > tr > td:first-child a")
    expect(links).to_have_count(3)
    second = links.nth(1).inner_text()
    page.keyboard.press("j")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("j")
    expect(links.nth(1)).to_be_focused()
    page.keyboard.press("k")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/tickets/{second}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_on_a_ticket_r_n_a_reach_its_fields_and_typing_stays_typing(
    page, live_server, polish_agent
):
    ticket = make_ticket()
    url = f"{live_server}/tickets/{ticket.number}"
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{ticket.number}")
    reply = page.locator("#ws-reply-text")
    page.keyboard.press("r")
    expect(reply).to_be_focused()
    page.keyboard.type("g b ? j")
    page.wait_for_timeout(300)
    assert page.url == url
    expect(reply).to_have_value("g b ? j")
    expect(page.locator("#shortcuts-dialog")).to_be_hidden()
    page.keyboard.press("Escape")  # leaves the box, keeps the text
    expect(reply).not_to_be_focused()
    expect(reply).to_have_value("g b ? j")
    page.keyboard.press("n")
    expect(page.locator("#ws-note-text")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("a")
    assignee = page.locator("#ws-assignee")
    expect(assignee).to_be_visible()
    expect(assignee).to_be_focused()


def test_nothing_fires_with_ctrl_held(page, live_server, polish_agent):
    make_ticket()
    staff_login.log_in(page, live_server, "agent@example.com", then="/tickets")
    page.keyboard.press("Control+/")
    page.keyboard.press("Control+g")
    page.keyboard.press("b")
    page.keyboard.press("Alt+j")
    page.wait_for_timeout(300)
    assert page.url == f"{live_server}/tickets"
    expect(page.locator("#ticket-search")).not_to_be_focused()
    assert page.evaluate("() => document.activeElement === document.body")
    expect(page.locator("#shortcuts-dialog")).to_be_hidden()


def test_in_the_board_drawer_only_the_ticket_keys_work(page, live_server, polish_agent):
    make_ticket(subject="Paczka uszkodzona")
    staff_login.log_in(page, live_server, "agent@example.com", then="/board")
    page.keyboard.press("j")
    expect(page.locator(".board-card .card-number").first).to_be_focused()
    page.keyboard.press("o")
    drawer = page.locator("#drawer-dialog")
    expect(drawer.locator("#ws-reply-text")).to_be_visible()
    wait_for_htmx(page)
    page.keyboard.press("g")
    page.keyboard.press("t")  # the board behind the drawer is out of reach
    page.keyboard.press("r")
    reply = drawer.locator("#ws-reply-text")
    expect(reply).to_be_focused()
    page.keyboard.type("Dzień dobry")
    page.keyboard.press("Escape")  # leaves the box; the drawer and the text stay
    expect(reply).not_to_be_focused()
    expect(drawer).to_be_visible()
    expect(reply).to_have_value("Dzień dobry")
    assert re.fullmatch(rf"{live_server}/board/?", page.url)
    page.keyboard.press("Escape")  # the drawer's own Escape still closes it
    expect(drawer).to_be_hidden()
    expect(page.locator(".board-card .card-number").first).to_be_focused()


def test_the_letter_keys_work_with_a_russian_keyboard_layout(page, live_server, create_user):
    create_user(locale="ru")
    for subject in ("Первое", "Второе"):
        make_ticket(subject=subject)
    staff_login.log_in(page, live_server, "agent@example.com", then="/tickets")
    links = page.locator("#ticket-rows > tr > td:first-child a")
    expect(links).to_have_count(2)
    # On the ЙЦУКЕН layout the J key types "о" and the K key "л".
    for letter, code in (("о", "KeyJ"), ("о", "KeyJ"), ("л", "KeyK")):
        page.evaluate(
            "([key, code]) => document.activeElement.dispatchEvent("
            "new KeyboardEvent('keydown', {key, code, bubbles: true, cancelable: true}))",
            [letter, code],
        )
    expect(links.nth(0)).to_be_focused()
