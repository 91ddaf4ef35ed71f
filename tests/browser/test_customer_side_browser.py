"""The customer's conversation as a phone user, a keyboard user and a zoomed-in reader meet it."""

import pytest

from tests.browser.test_conversation_browser import serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


@pytest.fixture
def forms(builtin_forms):
    return builtin_forms


def focused(page) -> str:
    return page.evaluate(
        "(() => { const e = document.activeElement;"
        " return e.tagName + ' ' + (e.value || e.textContent || '').trim().slice(0, 60); })()"
    )


def test_a_question_with_help_text_fits_a_phone_screen(page, live_server, forms):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/ru/f/goal")
    page.locator("#composer button[value=no]").click()
    page.locator("#composer textarea").wait_for()
    help_text = page.locator("#current-question .help")
    assert help_text.is_visible()
    # The long example wraps inside its bubble: nothing to scroll sideways for.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    bubble, help_box = page.locator("#current-question").bounding_box(), help_text.bounding_box()
    assert help_box["x"] + help_box["width"] <= bubble["x"] + bubble["width"]


def test_the_end_screen_takes_the_focus(page, live_server, forms):
    page.goto(f"{live_server}/en/f/goal")
    page.locator("#composer button[value=yes]").click()
    page.locator("#end").wait_for()
    page.wait_for_function("document.activeElement.closest('#end') !== null")
    assert "glad you found it" in focused(page)


def test_an_edit_link_puts_the_focus_on_the_answer_being_changed(page, live_server, forms):
    page.goto(f"{live_server}/en/f/nps")
    page.keyboard.press("7")
    page.locator("#composer textarea").wait_for()
    page.get_by_role("link", name="Edit answer 1", exact=True).click()
    page.wait_for_url("**edit=score**")
    page.wait_for_load_state("load")
    # Focus on the chosen score (announced as pressed), not lost on the page's body.
    page.wait_for_function("document.activeElement.matches('#composer .scale-button')")
    assert focused(page) == "BUTTON 7"
    assert page.locator("#composer [aria-pressed=true]").inner_text() == "7"


def test_the_chat_reads_each_question_once(page, live_server, forms):
    page.goto(f"{live_server}/en/f/nps")
    page.keyboard.press("7")
    page.locator("#composer textarea").fill("Too slow")
    page.locator("#composer").get_by_role("button", name="Send").click()
    page.get_by_role("link", name="Edit answer 2", exact=True).wait_for()
    heard = page.locator("#transcript").aria_snapshot()
    assert heard.count("How likely are you to recommend") == 1, heard
    links = page.locator("#transcript").get_by_role("link")
    assert [link.get_attribute("aria-label") for link in links.all()] == [
        "Edit answer 1",
        "Edit answer 2",
    ]


def test_the_widget_dialog_fits_a_short_window(page, live_server, forms):
    """A 1366×800 laptop at 200 % zoom: the × must stay on the screen."""
    page.set_viewport_size({"width": 683, "height": 400})
    page.goto(f"{live_server}/widget/demo?lang=en")
    page.get_by_role("button", name="Feedback").click()
    page.frame_locator("iframe[title=Feedback]").locator("#composer").wait_for()
    dialog = page.locator(".ld-dialog").bounding_box()
    assert dialog["y"] >= 0 and dialog["y"] + dialog["height"] <= 400
    close = page.get_by_role("button", name="Close").bounding_box()
    assert close["y"] >= 0


def test_the_typing_dots_are_not_read_aloud(page, live_server, forms):
    page.goto(f"{live_server}/en/f/goal")
    question = "Did you find what you were looking for today?"
    assert page.locator("#current-question").aria_snapshot() == f"- text: {question}"
    assert page.get_by_role("form", name=question, exact=True).is_visible()


def test_a_skipped_answer_and_the_demo_page_pass_axe(browser, live_server, forms):
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    page = context.new_page()  # the app's CSP forbids the injected axe script
    page.goto(f"{live_server}/en/f/report-problem")
    page.locator("#composer button[value=bug]").click()
    page.locator("#composer textarea").fill("The basket empties itself")
    page.locator("#composer button", has_text="Send").click()
    page.locator("#composer .skip").click()  # the page address
    page.locator("#composer input[type=file]").wait_for()
    assert page.locator("#transcript em", has_text="Skipped").is_visible()
    assert serious_violations(page) == []
    page.goto(f"{live_server}/widget/demo?lang=en")  # its code sample scrolls sideways
    assert serious_violations(page) == []
    context.close()


def test_a_file_over_5_mb_is_refused_before_it_is_sent_and_skip_moves_on(page, live_server, forms):
    page.goto(f"{live_server}/pl/f/report-problem")
    page.locator("#composer button[value=bug]").click()
    page.locator("#composer textarea").fill("Koszyk się opróżnia")
    page.locator("#composer button", has_text="Wyślij").click()
    page.locator("#composer .skip").click()  # the page address
    picker = page.locator("#composer input[type=file]")
    picker.set_input_files(
        {"name": "zrzut.png", "mimeType": "image/png", "buffer": b"\x89PNG" + b"0" * 5_300_000}
    )
    assert picker.evaluate("i => i.validationMessage") == "Plik jest większy niż 5 MB."
    sent = []
    page.on("request", lambda request: sent.append(request.method))
    page.locator("#composer button", has_text="Prześlij").click()
    page.wait_for_timeout(300)
    assert sent == []  # the browser kept the 5 MB at home
    page.locator("#composer .skip").click()
    page.locator("#composer input[type=email]").wait_for()
    assert page.locator("#transcript .bubble.customer").last.inner_text().startswith("Pominięto")


def test_on_a_phone_the_nps_labels_name_their_numbers(page, live_server, forms):
    """On two rows of buttons 10 is not at the right end under "Extremely likely"."""
    prefixes = "els => els.map(e => getComputedStyle(e, '::before').content)"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/en/f/nps")
    assert page.eval_on_selector_all("#composer .scale-labels span", prefixes) == [
        '"0 – "',
        '"10 – "',
    ]
    page.set_viewport_size({"width": 1366, "height": 800})  # one row: the ends say it
    assert page.eval_on_selector_all("#composer .scale-labels span", prefixes) == ["none", "none"]
