"""A customer answers by keyboard in Russian; the page passes an automated accessibility check;
the widget opens on a host page, submits and closes."""

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.htmx_wait import BUSY
from webapp.extensions import db
from webapp.models import Response, Ticket

pytestmark = pytest.mark.browser
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


# Quiet: no htmx request or swap under way, and every animation that ends has ended (a new
# bubble's entrance, a fading toast); endless ones (a busy spinner) would never end.
SETTLED = """busy => !document.querySelector(busy) && document.getAnimations().every(
    a => a.playState !== "running" || a.effect.getComputedTiming().endTime === Infinity)"""


def serious_violations(page) -> list[str]:
    # axe judges colours and contrast as they are once the page has settled, not mid-fade.
    page.wait_for_function(SETTLED, arg=BUSY)
    page.add_script_tag(content=AXE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def axe_page(browser):
    """A page whose CSP lets the test inject axe-core (the app's own CSP forbids inline scripts)."""
    context = browser.new_context(bypass_csp=True, locale="ru-RU")
    yield context.new_page()
    context.close()


def focus_on_new_control(page) -> None:
    """Wait until the page has moved the keyboard focus to the next question's control."""
    page.wait_for_function(
        "() => document.activeElement"
        " && document.activeElement.matches('#composer [data-autofocus-first]')"
    )


def test_russian_nps_by_keyboard(axe_page, live_server, builtin_forms):
    page = axe_page
    page.goto(f"{live_server}/ru/f/nps")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert serious_violations(page) == []
    page.keyboard.press("2")  # the score, by its digit
    focus_on_new_control(page)  # focus moves to the new control by itself
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
    page.keyboard.type("Долго ждал ответа поддержки")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Send"
    page.locator("#composer input[name=value][autocomplete=name]").wait_for()
    focus_on_new_control(page)
    page.keyboard.type("Пётр")
    page.keyboard.press("Enter")
    page.locator("#composer input[type=email]").wait_for()
    focus_on_new_control(page)
    page.keyboard.type("petr@example.ru")
    page.keyboard.press("Enter")
    page.locator("#end").wait_for()
    assert serious_violations(page) == []
    ticket = db.session.scalar(select(Ticket))
    assert ticket.customer_locale == "ru" and ticket.number in page.locator("#end").inner_text()
    assert page.locator("#transcript .bubble.customer").count() == 4


def test_widget_opens_submits_and_closes(page, live_server, builtin_forms):
    page.goto(f"{live_server}/widget/demo?lang=en")
    shop_link = page.get_by_role("link", name="report-problem")
    shop_link.focus()  # where the visitor was before opening the widget
    launcher = page.get_by_role("button", name="Feedback")
    launcher.click()
    frame = page.frame_locator("iframe[title=Feedback]")
    frame.locator("#composer button[value='9']").click()
    frame.locator("#composer button[value='no']").click()
    frame.locator("#composer button.skip").click()
    # Wait for the next question: on a busy machine the first Skip may still be on the page.
    frame.locator("#composer input[type=email]").wait_for()
    frame.locator("#composer button.skip").click()
    frame.locator("#end").wait_for()
    response = db.session.scalar(select(Response))
    assert response.channel == "widget"
    assert response.meta["page_url"].endswith("/widget/demo?lang=en")
    # The form told the host page it is done: the launcher goes away for `data-days`.
    page.get_by_role("button", name="Feedback").wait_for(state="detached")
    page.keyboard.press("Escape")
    page.locator(".ld-overlay").wait_for(state="detached")
    # With the launcher gone, the keyboard goes back where it was, not to the page's top.
    expect(shop_link).to_be_focused()


def test_the_widget_wears_the_sites_brand(page, live_server, builtin_forms):
    page.goto(
        f"{live_server}/widget/demo?lang=pl&style=tab&position=left&color=%23f5c542"
        "&label=Jak+nam+poszło%3F"
    )
    launcher = page.get_by_role("button", name="Jak nam poszło?")
    launcher.wait_for()
    look = launcher.evaluate(
        "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color,"
        " b.getBoundingClientRect().left]"
    )
    # The brand colour, dark text on it (it is light), on the left edge.
    assert look[:2] == ["rgb(245, 197, 66)", "rgb(17, 17, 17)"] and look[2] < 50
    launcher.click()
    page.frame_locator("iframe[title=Opinia]").locator("#composer").wait_for()
    page.keyboard.press("Escape")
    page.locator(".ld-overlay").wait_for(state="detached")


def test_the_widget_keeps_keyboard_focus_and_fills_a_phone_screen(page, live_server, builtin_forms):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/widget/demo?lang=en&style=tab&position=left")
    page.get_by_role("button", name="Feedback").click()
    page.frame_locator("iframe[title=Feedback]").locator("#composer").wait_for()
    # Once loaded, the form has the focus (the loader moves it there).
    page.wait_for_function("() => document.activeElement.tagName === 'IFRAME'")
    box = page.locator(".ld-dialog").bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844)
    # Tab past the × (either way) stays in the dialog, never on the shop's links behind it
    close = page.get_by_role("button", name="Close")
    close.focus()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.tagName") == "IFRAME"
    page.locator(".ld-guard").last.focus()  # where Tab lands after the form's last control
    assert page.evaluate("document.activeElement.className") == "ld-close"


@pytest.mark.parametrize("slug", ["report-problem", "goal", "csat"])
def test_first_step_of_each_builtin_form_passes_axe(axe_page, live_server, builtin_forms, slug):
    axe_page.goto(f"{live_server}/sl/f/{slug}")
    assert serious_violations(axe_page) == []


def test_choice_chips_are_readable(page, live_server, builtin_forms):
    page.goto(f"{live_server}/en/f/report-problem")
    colours = page.eval_on_selector_all(
        "#composer .chip",
        "els => els.map(e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor])",
    )
    assert colours and all(text != background for text, background in colours)
    expect(page.get_by_role("button", name="Something isn't working")).to_be_visible()


def test_switching_language_keeps_what_the_customer_was_typing(page, live_server, builtin_forms):
    page.goto(f"{live_server}/en/f/report-problem")
    page.locator("#composer button[name=value]").first.click()
    box = page.locator("#composer textarea")
    box.fill("The checkout button does nothing")
    page.get_by_role("link", name="Slovenščina").click()
    page.wait_for_url("**lang=sl**")
    expect(page.locator("#composer textarea")).to_have_value("The checkout button does nothing")
    assert page.locator("html").get_attribute("lang") == "sl"
