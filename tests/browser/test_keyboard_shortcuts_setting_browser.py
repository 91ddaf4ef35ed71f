"""Keyboard shortcuts an agent can turn off on their profile (WCAG 2.1.4), and "?" typed with
AltGr, as Polish and Slovenian keyboards on Windows send it (Ctrl and Alt together)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import staff_login
from tests.helpers import make_ticket

pytestmark = pytest.mark.browser

# A keydown as the browser sends it to the focused element; `init` adds the modifiers. It
# returns false when a shortcut took the key (preventDefault), true when the key stayed free.
PRESS = (
    "(init) => (document.activeElement || document.body).dispatchEvent("
    "new KeyboardEvent('keydown', Object.assign({bubbles: true, cancelable: true}, init)))"
)


@pytest.fixture
def polish_agent(create_user, builtin_forms):
    return create_user(locale="pl")


def test_turned_off_on_the_profile_g_b_and_question_mark_do_nothing(
    page, live_server, polish_agent
):
    make_ticket()
    staff_login.log_in(page, live_server, "agent@example.com", then="/profile")
    switch = page.get_by_role("switch", name="Używaj skrótów klawiszowych")
    expect(switch).to_be_checked()
    switch.uncheck()
    section = page.locator("#keyboard-shortcuts")
    section.get_by_role("button", name="Zapisz").click()
    expect(page.locator("#toasts")).to_contain_text("Skróty klawiszowe są wyłączone")
    expect(switch).not_to_be_checked()

    page.goto(f"{live_server}/tickets")
    page.keyboard.press("g")
    page.keyboard.press("b")
    page.keyboard.press("?")
    page.keyboard.press("j")
    page.evaluate(PRESS, {"key": "?", "ctrlKey": True, "altKey": True})
    page.wait_for_timeout(400)
    assert page.url == f"{live_server}/tickets"
    assert page.locator("dialog[open]").count() == 0
    assert page.evaluate("() => document.activeElement === document.body")

    # The foot of the page says how to get them back, and the way there works.
    page.get_by_role("link", name="Skróty klawiszowe są wyłączone: włącz je w profilu").click()
    page.wait_for_url(f"{live_server}/profile#keyboard-shortcuts")
    switch.check()
    section.get_by_role("button", name="Zapisz").click()
    expect(page.locator("#toasts")).to_contain_text("Skróty klawiszowe są włączone")
    # The toast is in the page as it arrives; the deferred script shows the footer's opener
    # once its keys listen: a key pressed before that would be lost (seen on a busy CI).
    expect(page.locator("[data-shortcuts-open]")).to_be_visible()
    page.keyboard.press("g")
    page.keyboard.press("b")
    page.wait_for_url(f"{live_server}/board")


def test_question_mark_typed_with_altgr_opens_the_help(page, live_server, polish_agent):
    staff_login.log_in(page, live_server, "agent@example.com", then="/tickets")
    help_dialog = page.get_by_role("dialog", name="Skróty klawiszowe")
    # Windows: AltGr arrives as Ctrl and Alt held together.
    page.evaluate(PRESS, {"key": "?", "code": "Comma", "ctrlKey": True, "altKey": True})
    expect(help_dialog).to_be_visible()
    expect(
        help_dialog.get_by_role("link", name="Wyłącz skróty klawiszowe w profilu")
    ).to_be_visible()
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()
    # Elsewhere the browser says AltGraph itself.
    page.evaluate(PRESS, {"key": "?", "modifierAltGraph": True})
    expect(help_dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()


def test_ctrl_or_alt_alone_with_question_mark_stays_the_browsers(page, live_server, polish_agent):
    staff_login.log_in(page, live_server, "agent@example.com", then="/tickets")
    for init in (
        {"key": "?", "ctrlKey": True},
        {"key": "?", "altKey": True},
        {"key": "?", "metaKey": True, "ctrlKey": True, "altKey": True},
        {"key": "/", "ctrlKey": True, "altKey": True},  # AltGr reaches "?" only
        {"key": "g", "ctrlKey": True, "altKey": True},
    ):
        assert page.evaluate(PRESS, init) is True, init  # not taken by a shortcut
    page.evaluate(PRESS, {"key": "b"})
    page.wait_for_timeout(300)
    assert page.url == f"{live_server}/tickets"
    expect(page.locator("#shortcuts-dialog")).to_be_hidden()
    expect(page.locator("#ticket-search")).not_to_be_focused()
