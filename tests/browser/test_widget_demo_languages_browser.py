"""The widget demo shop page in Polish, in an English browser: the widget on it opens its form in
Polish, and after the page's language link to Russian, in Russian."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_polish_demo_pages_widget_opens_in_polish(page, live_server, builtin_forms):
    page.goto(f"{live_server}/pl/widget/demo")  # the browser itself asks for English
    expect(page.get_by_role("heading", name="Dodaj widżet do swojej strony")).to_be_visible()
    page.get_by_role("button", name="Opinia").click()
    frame = page.frame_locator("iframe[title=Opinia]")
    question = "Jak prawdopodobne jest, że polecisz nas znajomemu lub współpracownikowi?"
    expect(frame.locator("#current-question")).to_have_text(question)
    assert frame.locator("html").get_attribute("lang") == "pl"
    page.get_by_role("button", name="Zamknij").click()
    page.locator(".ld-overlay").wait_for(state="detached")

    page.get_by_role("navigation", name="Język").get_by_role("link", name="Русский").click()
    expect(page.get_by_role("heading", name="Добавьте виджет на свой сайт")).to_be_visible()
    page.get_by_role("button", name="Отзыв").click()
    frame = page.frame_locator("iframe[title=Отзыв]")
    question = "Насколько вероятно, что Вы порекомендуете нас другу или коллеге?"
    expect(frame.locator("#current-question")).to_have_text(question)
    assert frame.locator("html").get_attribute("lang") == "ru"
