"""The customer's conversation as a phone user, a keyboard user and a zoomed-in reader meet it."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_conversation_browser import serious_violations
from tests.browser.test_file_picker_browser import reach_the_file_question
from tests.helpers import make_ticket
from webapp.extensions import db
from webapp.models import SurveyInvitation, SurveyStatus, utcnow

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


def focused(page) -> str:
    return page.evaluate(
        "(() => { const e = document.activeElement;"
        " return e.tagName + ' ' + (e.value || e.textContent || '').trim().slice(0, 60); })()"
    )


def test_a_question_with_help_text_fits_a_phone_screen(page, live_server, builtin_forms):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/ru/f/goal")
    page.locator("#composer button[value=no]").click()
    page.locator("#composer textarea").wait_for()
    help_text = page.locator("#current-question .help")
    expect(help_text).to_be_visible()
    # The long example wraps inside its bubble: nothing to scroll sideways for.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    bubble, help_box = page.locator("#current-question").bounding_box(), help_text.bounding_box()
    assert help_box["x"] + help_box["width"] <= bubble["x"] + bubble["width"]


def test_the_end_screen_takes_the_focus(page, live_server, builtin_forms):
    page.goto(f"{live_server}/en/f/goal")
    page.locator("#composer button[value=yes]").click()
    page.locator("#end").wait_for()
    page.wait_for_function("() => document.activeElement.closest('#end') !== null")
    assert "glad you found it" in focused(page)


def test_an_edit_link_puts_the_focus_on_the_answer_being_changed(page, live_server, builtin_forms):
    page.goto(f"{live_server}/en/f/nps")
    page.keyboard.press("7")
    page.locator("#composer textarea").wait_for()
    page.get_by_role("link", name="Edit answer 1", exact=True).click()
    page.wait_for_url("**edit=score**")
    page.wait_for_load_state("load")
    # Focus on the chosen score (announced as pressed), not lost on the page's body.
    page.wait_for_function("() => document.activeElement.matches('#composer .scale-button')")
    assert focused(page) == "BUTTON 7"
    assert page.locator("#composer [aria-pressed=true]").inner_text() == "7"


def test_the_chat_reads_each_question_once(page, live_server, builtin_forms):
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


def test_the_widget_dialog_fits_a_short_window(page, live_server, builtin_forms):
    """A 1366×800 laptop at 200 % zoom: the × must stay on the screen."""
    page.set_viewport_size({"width": 683, "height": 400})
    page.goto(f"{live_server}/widget/demo?lang=en")
    page.get_by_role("button", name="Feedback").click()
    page.frame_locator("iframe[title=Feedback]").locator("#composer").wait_for()
    dialog = page.locator(".ld-dialog").bounding_box()
    assert dialog["y"] >= 0 and dialog["y"] + dialog["height"] <= 400
    close = page.get_by_role("button", name="Close").bounding_box()
    assert close["y"] >= 0


def test_after_answer_again_switching_language_keeps_the_new_answers(
    page, live_server, builtin_forms
):
    """After "Answer again" (?new=1), once answered, a language link must not start over."""
    page.goto(f"{live_server}/en/f/goal?new=1")
    page.locator("#composer button[value=no]").click()
    page.locator("#composer textarea").wait_for()
    page.locator(".chat-languages").get_by_role("link", name="Polski").click()
    page.locator("#composer textarea").wait_for()
    assert "new=1" not in page.url
    assert page.locator("#transcript .bubble.customer").first.inner_text().startswith("Nie")


def test_the_typing_dots_are_not_read_aloud(page, live_server, builtin_forms):
    page.goto(f"{live_server}/en/f/goal")
    question = "Did you find what you were looking for today?"
    assert page.locator("#current-question").aria_snapshot() == f"- text: {question}"
    expect(page.get_by_role("form", name=question, exact=True)).to_be_visible()


def test_a_skipped_answer_and_the_demo_page_pass_axe(browser, live_server, builtin_forms):
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    page = context.new_page()  # the app's CSP forbids the injected axe script
    page.goto(f"{live_server}/en/f/report-problem")
    page.locator("#composer button[value=bug]").click()
    page.locator("#composer textarea").fill("The basket empties itself")
    page.locator("#composer button", has_text="Send").click()
    page.locator("#composer .skip").click()  # the page address
    page.locator("#composer input[type=file]").wait_for()
    expect(page.locator("#transcript em", has_text="Skipped")).to_be_visible()
    assert serious_violations(page) == []
    page.goto(f"{live_server}/widget/demo?lang=en")  # its code sample scrolls sideways
    assert serious_violations(page) == []
    context.close()


def test_a_file_over_5_mb_is_refused_before_it_is_sent_and_skip_moves_on(
    page, live_server, builtin_forms
):
    reach_the_file_question(page, live_server)
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


def test_without_javascript_a_refused_answer_shows_its_message_on_a_phone(
    browser, live_server, builtin_forms
):
    """The refusal comes back as a new page: it opens at the message, not at the title."""
    context = browser.new_context(
        java_script_enabled=False, locale="pl-PL", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto(f"{live_server}/pl/f/report-problem")
    page.locator("#composer button[value=bug]").click()
    page.locator("#composer textarea").fill("Koszyk opróżnia się sam po dodaniu produktu. " * 5)
    page.locator("#composer button", has_text="Wyślij").click()
    page.locator("#composer .skip").click()  # the page address
    page.locator("#composer input[type=file]").set_input_files(
        {"name": "notatki.txt", "mimeType": "text/plain", "buffer": b"hello"}
    )
    page.locator("#composer button", has_text="Prześlij").click()
    error = page.locator("#answer-error")
    expect(error).to_have_text("Prześlij obraz (PNG, JPEG, GIF, WebP) lub plik PDF.")
    expect(error).to_be_in_viewport()
    context.close()


def test_on_a_phone_the_nps_labels_name_their_numbers(page, live_server, builtin_forms):
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


def test_on_a_phone_the_nps_labels_of_an_emailed_survey_name_their_numbers(
    browser, live_server, builtin_forms
):
    """The score link of a survey e-mail: 0–10 on two rows, each label says its end."""
    survey = SurveyInvitation(
        ticket_id=make_ticket().id, form_slug="nps", status=SurveyStatus.SENT, due_at=utcnow()
    )
    db.session.add(survey)
    db.session.commit()
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server}/s/{survey.token}/3")
    prefixes = "els => els.map(e => getComputedStyle(e, '::before').content)"
    assert page.eval_on_selector_all(".scale-labels span", prefixes) == ['"0 – "', '"10 – "']
    context.close()


def swipe(page, cdp, distance: int, pause_ms: int = 0) -> None:
    """Drag a finger to scroll the page `distance` px (positive: down the page) in 10 moves."""
    begin = 650 if distance > 0 else 100
    touch = "Input.dispatchTouchEvent"
    cdp.send(touch, {"type": "touchStart", "touchPoints": [{"x": 200, "y": begin}]})
    for step in range(1, 11):
        if pause_ms:
            page.wait_for_timeout(pause_ms)  # a slow finger
        point = {"x": 200, "y": begin - distance * step / 10}
        cdp.send(touch, {"type": "touchMove", "touchPoints": [point]})
    cdp.send(touch, {"type": "touchEnd", "touchPoints": []})
    # Wait for the fling to come to rest: the same position for 300 ms. Counting frames is not
    # enough on a busy machine, where the compositor may start the fling after three frames.
    page.evaluate(
        "() => new Promise(r => { let last = -1, since = 0; const f = () => {"
        " if (scrollY !== last) { last = scrollY; since = performance.now(); }"
        " performance.now() - since >= 300 ? r() : requestAnimationFrame(f); }; f(); })"
    )


def scroll_in_frames(page, to: int, frames: int = 5) -> None:
    """Scroll to `to` px in a few animation frames (a quick, exactly measured move), then let
    the widget's own frame callback read where the page came to rest."""
    page.evaluate(
        "([to, frames]) => new Promise(r => { const from = scrollY; let n = 0;"
        " const f = () => { n += 1; scrollTo(0, from + (to - from) * n / frames);"
        " n < frames ? requestAnimationFrame(f) : requestAnimationFrame(() => r()); }; f(); })",
        [to, frames],
    )
    assert page.evaluate("scrollY") == to


def until(page, condition: str) -> None:
    """Wait for a condition on the page (wait_for_function needs eval, which the CSP forbids)."""
    page.evaluate(
        f"() => new Promise(r => {{ const f = () => ({condition}) ? r()"
        " : requestAnimationFrame(f); f(); })"
    )


@pytest.fixture
def phone_demo(browser, live_server, builtin_forms):
    """The widget's demo page on a touch phone, the widget waiting for exit intent."""
    context = browser.new_context(
        locale="en-US", viewport={"width": 390, "height": 700}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    page.goto(f"{live_server}/widget/demo?lang=en&trigger=exit-intent")
    page.wait_for_load_state("load")  # the async loader has armed its trigger
    yield page, cdp
    context.close()


def test_exit_intent_on_a_phone_is_a_fast_scroll_back_up(phone_demo):
    """No mouse leaves a phone's window: a quick swipe back up after reading down opens it."""
    page, cdp = phone_demo
    overlay = page.locator(".ld-overlay")
    # Fast, but hardly read anything: not leaving. Scrolled by script in a few frames, as a
    # finger would: a real flick here flung the page a screen down now and then on a busy
    # machine, and reading a screen is exactly what makes the next flick up an exit.
    scroll_in_frames(page, 150)
    scroll_in_frames(page, 0)
    assert overlay.count() == 0
    swipe(page, cdp, 450)  # reading down the page
    swipe(page, cdp, 450)
    assert page.evaluate("scrollY") >= 700
    swipe(page, cdp, -400)  # and flicking back towards the address bar
    page.frame_locator("iframe[title=Feedback]").locator("#composer").wait_for()
    page.get_by_role("button", name="Close").click()
    overlay.wait_for(state="detached")
    # Once per page view: reading on and flicking up again leaves the visitor alone.
    swipe(page, cdp, 450)
    swipe(page, cdp, 450)
    swipe(page, cdp, -400)
    assert overlay.count() == 0


def test_exit_intent_on_a_phone_ignores_a_slow_scroll_up(phone_demo):
    page, cdp = phone_demo
    swipe(page, cdp, 450)
    swipe(page, cdp, 450)
    top = page.evaluate("scrollY")
    swipe(page, cdp, -200, pause_ms=120)  # going back to re-read a paragraph
    assert page.evaluate("scrollY") < top - 150
    assert page.locator(".ld-overlay").count() == 0


def test_exit_intent_on_a_computer_is_the_mouse_leaving_through_the_top(
    page, live_server, builtin_forms
):
    page.set_viewport_size({"width": 1280, "height": 700})
    page.goto(f"{live_server}/widget/demo?lang=en&trigger=exit-intent")
    page.wait_for_load_state("load")  # the async loader has armed its trigger
    # Scrolling back up with a wheel is reading, not leaving.
    page.mouse.move(600, 300)
    page.mouse.wheel(0, 900)
    until(page, "scrollY > 0")
    page.mouse.wheel(0, -900)
    until(page, "scrollY === 0")
    assert page.locator(".ld-overlay").count() == 0
    page.mouse.move(600, 5)
    page.evaluate("document.dispatchEvent(new MouseEvent('mouseout', {clientX: 600, clientY: -2}))")
    page.frame_locator("iframe[title=Feedback]").locator("#composer").wait_for()


def test_the_widget_demo_and_its_form_log_no_errors(page, live_server, builtin_forms):
    """A developer checking the demo in the console sees no failed request (the tab's icon)."""
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server}/widget/demo?lang=pl&style=tab")
    page.get_by_role("button", name="Opinia").click()
    page.frame_locator("iframe").locator("#composer .scale-button").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert errors == []


def test_the_widget_loader_stays_small():
    """Every page of a customer's site downloads it, before anyone asks for feedback."""
    loader = Path(__file__).parents[2] / "webapp" / "static" / "js" / "widget.js"
    assert loader.stat().st_size < 15_000


@pytest.mark.parametrize("path", ["/sl/f/nps", "/sl/f/nps?embed=1&channel=widget", "/sl/requests"])
def test_at_320px_in_slovenian_the_language_names_are_whole_and_nothing_scrolls_sideways(
    page, live_server, builtin_forms, path
):
    """The longest name, "Slovenščina", used to run off a 320px phone (the widget's too)."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server}{path}")
    current = page.locator(".chat-languages a[aria-current]")
    expect(current).to_have_text("Slovenščina")
    for link in page.locator(".chat-languages a").all():
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, (link.inner_text(), box)
        # its own text is not clipped either (an ellipsis or overflow: hidden inside it)
        assert link.evaluate("a => a.scrollWidth <= a.clientWidth"), link.inner_text()
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1] == 320, widths


RIGHT_TO_LEFT = "שלום, תודה!"  # Hebrew: a customer may write in a language the form is not in


def _x_of(answer, char: str) -> float:
    """Where on the screen a character of an answer's text is drawn."""
    return answer.evaluate(
        """(a, char) => {
          const node = a.firstChild, range = document.createRange();
          const at = node.textContent.indexOf(char);
          range.setStart(node, at); range.setEnd(node, at + 1);
          return range.getBoundingClientRect().x; }""",
        char,
    )


def test_a_right_to_left_answer_reads_right_to_left_with_its_punctuation_at_its_end(
    page, live_server, builtin_forms
):
    """Typed and shown in its own direction: the "!" ends the sentence on its left, where a
    reader of Hebrew looks for it, not before its first word on the right."""
    page.goto(f"{live_server}/pl/f/nps")
    page.keyboard.press("3")
    box = page.locator("#composer textarea")
    box.fill(RIGHT_TO_LEFT)
    assert box.evaluate("b => getComputedStyle(b).direction") == "rtl"
    page.get_by_role("button", name="Wyślij").click()
    answers = page.locator("#transcript .bubble.customer .answer")
    expect(answers).to_have_count(2)
    assert answers.nth(1).inner_text() == RIGHT_TO_LEFT
    assert _x_of(answers.nth(1), "!") < _x_of(answers.nth(1), "ש")
    # A Polish answer still reads left to right.
    assert answers.first.evaluate("a => getComputedStyle(a).direction") == "ltr"


def test_a_right_to_left_reply_on_the_status_page_reads_right_to_left(
    page, live_server, builtin_forms
):
    ticket = make_ticket(customer_locale="sl")
    page.goto(f"{live_server}/t/{ticket.status_token}")
    box = page.get_by_label("Dodajte sporočilo")
    box.fill(RIGHT_TO_LEFT)
    assert box.evaluate("b => getComputedStyle(b).direction") == "rtl"
    page.get_by_role("button", name="Pošlji").click()
    reply = page.locator(".chat .bubble.customer .answer").last
    expect(reply).to_have_text(RIGHT_TO_LEFT)
    assert _x_of(reply, "!") < _x_of(reply, "ש")


def test_a_long_unbroken_subject_wraps_on_a_phone(page, live_server, builtin_forms):
    """The subject is the customer's first words: a pasted address 120 characters long wraps
    in the status and survey pages' headers instead of widening them past a 320 px screen."""
    ticket = make_ticket(subject="https://example.com/" + "a" * 100, customer_locale="pl")
    survey = SurveyInvitation(
        ticket_id=ticket.id, form_slug="csat", status=SurveyStatus.SENT, due_at=utcnow()
    )
    db.session.add(survey)
    db.session.commit()
    page.set_viewport_size({"width": 320, "height": 640})
    for path in (f"/t/{ticket.status_token}", f"/s/{survey.token}/4"):
        page.goto(f"{live_server}{path}")
        expect(page.get_by_text("https://example.com/aaaa")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path


def test_a_customer_s_error_page_on_a_phone(page, live_server, builtin_forms):
    """A stale form link: the customer's own page, its words clear of its heading."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server}/pl/f/no-such-form")
    heading = page.get_by_role("heading", name="Nie znaleziono strony").bounding_box()
    words = page.locator(".public-error .bubble").bounding_box()
    assert words["y"] - (heading["y"] + heading["height"]) >= 8
    expect(page.get_by_role("link", name="Zobacz wszystkie swoje zgłoszenia")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
