"""A Polish agent switches the language, logs in and works in a Polish interface."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_log_in_in_polish_and_see_the_polish_ui(page, live_server, create_user):
    create_user(email="anna@example.com", name="Anna Kowalska", password="haslo-bardzo-dlugie")

    page.goto(f"{live_server}/login")
    assert page.locator("html").get_attribute("lang") == "en"
    # The switcher submits itself when JavaScript runs.
    with page.expect_navigation():
        page.select_option("#language-select", "pl")
    assert page.locator("html").get_attribute("lang") == "pl"
    assert page.get_by_role("heading", level=1).inner_text() == "Zaloguj się do Loopdesku"

    page.get_by_label("E-mail").fill("anna@example.com")
    page.get_by_label("Hasło").fill("zle-haslo")
    page.get_by_role("button", name="Zaloguj się").click()
    expect(page.get_by_text("Nieprawidłowy e-mail lub hasło.")).to_be_visible()

    page.get_by_label("Hasło").fill("haslo-bardzo-dlugie")
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(f"{live_server}/dashboard")
    assert "Witamy, Anna Kowalska" in page.get_by_role("heading", level=1).inner_text()
    expect(page.get_by_role("button", name="Wyloguj się")).to_be_visible()
    expect(page.get_by_role("link", name="Pulpit")).to_be_visible()


def test_keyboard_users_can_skip_to_the_content(page, live_server):
    response = page.goto(f"{live_server}/no-such-page")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


# Records what leaves and enters the page's live region, from before the page's own scripts.
WATCH_TOASTS = """
window.__toasts = {removed: 0, added: 0};
new MutationObserver(function (changes) {
  changes.forEach(function (change) {
    if (change.target.id !== "toasts") { return; }
    window.__toasts.removed += change.removedNodes.length;
    window.__toasts.added += change.addedNodes.length;
  });
}).observe(document, {childList: true, subtree: true});
"""


def test_a_message_that_comes_with_the_page_is_announced(page, live_server, create_user):
    """Screen readers announce changes to a live region, not what it held on arrival: the
    welcome after logging in is taken out and put back once the page is read."""
    create_user(email="anna@example.com", name="Anna Kowalska", password="haslo-bardzo-dlugie")
    page.add_init_script(WATCH_TOASTS)
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill("anna@example.com")
    page.get_by_label("Password").fill("haslo-bardzo-dlugie")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/dashboard")
    toast = page.locator("#toasts .toast")
    toast.first.wait_for()
    page.wait_for_function("() => window.__toasts.removed >= 1 && window.__toasts.added >= 2")
    assert "Welcome back" in toast.first.inner_text()
