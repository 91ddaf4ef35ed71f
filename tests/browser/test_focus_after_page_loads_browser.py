"""Where the keyboard is after a whole new page: a language switched, an answer sent without
JavaScript, a reply on the status page. Not at the top of the page (the skip link, then the
header), but at the question, the end screen or the reply box, as after an htmx answer."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.helpers import make_ticket
from webapp.extensions import db
from webapp.models import Ticket

pytestmark = pytest.mark.browser

ON_THE_QUESTION = "#composer [data-autofocus-first]"


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


@pytest.fixture
def no_script_page(browser):
    """A customer whose browser runs no JavaScript: every answer is a whole page."""
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    yield context.new_page()
    context.close()


def focused(page) -> str:
    """The focused element, as a person would point at it: its tag, id and text."""
    return page.evaluate(
        """() => { const e = document.activeElement, text = (e.textContent || "").trim();
        return `${e.tagName.toLowerCase()}#${e.id} ${text.slice(0, 40)}`; }"""
    )


def wait_for_focus_on(page, selector: str) -> None:
    page.wait_for_function(
        "selector => document.activeElement && document.activeElement.matches(selector)",
        arg=selector,
    )


def arrive(page, selector: str) -> None:
    """Wait for a whole new page to have loaded, not only for `selector` to be parsed: the
    fragment (#composer, #end) starts the Tab order only then. A Tab pressed earlier, under
    CI load, went from the top of the page and what was typed next went nowhere."""
    page.locator(selector).wait_for()
    page.wait_for_load_state("load")


def test_after_switching_language_the_keyboard_is_at_the_question(page, live_server, builtin_forms):
    page.goto(f"{live_server}/ru/f/nps")
    page.locator("#composer button[value='3']").click()
    wait_for_focus_on(page, "#composer textarea")  # the htmx answer: focus moved by itself
    page.keyboard.type("Оплата картой не проходит")

    page.get_by_role("link", name="Polski").click()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    wait_for_focus_on(page, "#composer textarea")  # not the skip link, not the header
    expect(page.locator("#composer textarea")).to_have_value("Оплата картой не проходит")
    assert page.locator("#current-question").is_visible()
    page.keyboard.press("Tab")  # on from there: "Send", not the page's header
    assert focused(page).startswith("button# Wyślij"), focused(page)

    # Started from /pl/f/nps (the language in the path) just the same.
    page.goto(f"{live_server}/pl/f/nps")
    page.get_by_role("link", name="Slovenščina").click()
    expect(page.locator("html")).to_have_attribute("lang", "sl")
    wait_for_focus_on(page, "#composer textarea")

    # At the end, the end screen's message has it.
    page.locator("#composer button.skip").click()  # what went wrong
    page.locator("#composer input[autocomplete=name]").wait_for()
    page.locator("#composer button.skip").click()  # name
    page.locator("#composer input[type=email]").wait_for()
    page.locator("#composer button.skip").click()  # e-mail
    page.locator("#end").wait_for()
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    wait_for_focus_on(page, "#end [data-autofocus-first]")
    assert page.url.endswith("#end")


def test_without_javascript_each_answer_leads_the_keyboard_to_the_next_question(
    no_script_page, live_server, builtin_forms
):
    page = no_script_page
    page.goto(f"{live_server}/f/nps")
    page.locator("#composer button[value='3']").click()
    arrive(page, "#composer textarea")
    assert page.url.endswith("#composer")
    # The fragment starts the Tab order at the question: the first Tab is in its answer box.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('#composer textarea')"), focused(page)
    assert not page.evaluate("document.activeElement.hasAttribute('autofocus')")

    page.get_by_role("link", name="Русский").click()
    arrive(page, "html[lang=ru]")
    assert page.url.endswith("#composer")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('#composer textarea')"), focused(page)

    page.keyboard.type("Оплата картой не проходит")
    page.locator("#composer button[type=submit]:not(.skip)").click()
    arrive(page, "#composer input[autocomplete=name]")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('#composer input')"), focused(page)
    page.keyboard.type("Ольга")
    page.keyboard.press("Enter")
    arrive(page, "#composer input[type=email]")
    page.keyboard.press("Tab")
    page.keyboard.type("olga@example.ru")
    page.keyboard.press("Enter")
    arrive(page, "#end")
    assert page.url.endswith("#end")
    page.keyboard.press("Tab")  # from the end screen: the link to the request's status page
    ticket = db.session.scalar(select(Ticket))
    assert page.evaluate("document.activeElement.getAttribute('href')") == (
        f"/t/{ticket.status_token}"
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_after_a_reply_on_the_status_page_the_keyboard_is_at_the_reply_box(
    browser, live_server, builtin_forms, javascript
):
    ticket = make_ticket()
    context = browser.new_context(java_script_enabled=javascript, locale="pl-PL")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/t/{ticket.status_token}")
        page.locator("#reply-message").fill("Czy coś już wiadomo?")
        page.get_by_role("button", name="Wyślij").click()
        page.locator(".bubble.customer", has_text="Czy coś już wiadomo?").wait_for()
        page.wait_for_load_state("load")  # the #reply fragment starts the Tab order only then
        assert page.url.endswith("#reply")
        if javascript:
            wait_for_focus_on(page, "#reply-message")
            expect(page.locator("#toasts")).to_contain_text("Dziękujemy")
        else:
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.id") == "reply-message", focused(page)
        assert page.locator("#reply-message").input_value() == ""
    finally:
        context.close()
