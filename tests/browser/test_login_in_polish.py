"""A Polish agent switches the language, logs in and works in a Polish interface."""

import pytest

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
    assert page.get_by_text("Nieprawidłowy e-mail lub hasło.").is_visible()

    page.get_by_label("Hasło").fill("haslo-bardzo-dlugie")
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(f"{live_server}/dashboard")
    assert "Witamy, Anna Kowalska" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("button", name="Wyloguj się").is_visible()
    assert page.get_by_role("link", name="Pulpit").is_visible()


def test_keyboard_users_can_skip_to_the_content(page, live_server):
    response = page.goto(f"{live_server}/no-such-page")
    assert response.status == 404
    assert page.get_by_role("heading", name="Page not found").is_visible()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
