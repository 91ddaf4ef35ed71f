"""A refused answer is explained in the page's language, never in the browser's.

The browser's own validation bubbles speak the browser's language ("Please include an '@' in
the email address") and stop the answer before the server can say it in the customer's: the
conversation and its "continue later" box leave the checking to the server.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
EMAIL_REFUSED = "Vnesite veljaven e-poštni naslov, npr. name@example.com."


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_a_slovenian_page_in_an_english_browser_refuses_an_address_in_slovenian(
    browser, live_server, builtin_forms, javascript
):
    context = browser.new_context(locale="en-US", java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{live_server}/sl/f/goal")
    page.locator("#composer button[value=no]").click()
    page.locator("#composer textarea").fill("Ni bilo velikosti")
    page.locator("#composer button", has_text="Pošlji").click()
    page.locator("#composer .skip").click()  # what they were looking for
    email = page.locator("#composer input[type=email]")
    email.fill("jan@")
    email.press("Enter")
    expect(page.locator("#answer-error")).to_have_text(EMAIL_REFUSED)
    expect(page.locator("#composer input[type=email]")).to_have_value("jan@")  # to correct
    page.locator("#composer input[type=email]").fill("")
    page.locator("#composer input[type=email]").press("Enter")  # optional: empty is a skip
    expect(page.locator("#end")).to_be_visible()
    context.close()


def test_continue_later_refuses_an_address_in_the_pages_language(
    browser, live_server, builtin_forms
):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server}/sl/f/goal")
    page.locator("#composer button[value=no]").click()
    page.locator("#composer textarea").wait_for()
    page.locator(".continue-later summary").click()
    page.get_by_label("Vaš e-poštni naslov").fill("jan@")
    page.get_by_role("button", name="Pošljite mi povezavo").click()
    expect(page.locator("#continue-email-error")).to_have_text(EMAIL_REFUSED)
    expect(page.get_by_label("Vaš e-poštni naslov")).to_have_value("jan@")
    context.close()


def test_continue_later_refused_keeps_the_answer_being_typed(browser, live_server, builtin_forms):
    """The refusal draws the page again: the answer half typed in the conversation stays."""
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server}/ru/f/goal")
    page.locator("#composer button[value=no]").click()
    page.locator("#composer textarea").fill("Не нашёл размер")
    page.locator(".continue-later summary").click()
    page.get_by_label("Ваш адрес эл. почты").fill("ivan@example")
    page.get_by_role("button", name="Отправить мне ссылку").click()
    expect(page.locator("#continue-email-error")).to_be_visible()
    expect(page.locator("#composer textarea")).to_have_value("Не нашёл размер")
    expect(page.get_by_label("Ваш адрес эл. почты")).to_be_focused()
    context.close()
