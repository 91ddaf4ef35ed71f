"""Choosing files on the customer's pages speaks the page's language, not the browser's.

The browser's own file button says "Choose Files" in the browser's language whatever the page
says: with JavaScript it is replaced by a label drawn as a button (the input stays focusable,
visually hidden) and the names chosen; without JavaScript it is the plain input, still working.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_two_step_browser import serious_violations_of
from tests.helpers import make_ticket

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


@pytest.fixture
def german_browser(browser):
    """A browser set to German: its own file button would say "Datei auswählen"."""
    context = browser.new_context(locale="de-DE", bypass_csp=True)
    yield context.new_page()
    context.close()


def choosers_of(page) -> list:
    """File choosers the page opens, caught from now on (set up before any key is pressed)."""
    opened = []
    page.on("filechooser", lambda chooser: opened.append(chooser))
    return opened


def chooser_from(page, opened: list):
    """The file chooser a key just opened (its event may come a moment later)."""
    for _ in range(50):
        if opened:
            return opened.pop()
        page.wait_for_timeout(100)
    pytest.fail("no file chooser opened")


def reach_the_file_question(page, live_server: str) -> None:
    """Answer Polish "Report a problem" up to its screenshot question (the page address skipped)."""
    page.goto(f"{live_server}/pl/f/report-problem")
    page.locator("#composer button[value=bug]").click()
    page.locator("#composer textarea").fill("Koszyk się opróżnia")
    page.locator("#composer button", has_text="Wyślij").click()
    page.locator("#composer .skip").click()  # the page address


def test_a_russian_customer_chooses_files_by_keyboard_on_the_status_page(
    german_browser, live_server
):
    page = german_browser
    ticket = make_ticket(subject="Не приходит чек", customer_locale="ru")
    opened = choosers_of(page)
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(f"{live_server}/t/{ticket.status_token}")
    picker = page.get_by_label("Прикрепить файлы (необязательно)")  # its name: the field's label
    button = page.locator("label.file-picker-button")
    chosen = page.locator("#reply-files-chosen")
    expect(button).to_have_text("Выбрать файлы")
    expect(chosen).to_have_text("Файлы не выбраны")
    box = picker.bounding_box()
    assert box["width"] <= 1 and box["height"] <= 1  # the browser's German button is not seen
    assert not serious_violations_of(page)

    page.get_by_label("Добавить сообщение").fill("Вот скриншот")
    page.keyboard.press("Tab")  # from the message to the file input, hidden but focusable
    assert page.evaluate("document.activeElement.id") == "reply-files"
    assert button.evaluate("b => getComputedStyle(b).outlineStyle") == "solid"  # the focus shows
    page.keyboard.press("Space")
    chooser_from(page, opened).set_files(
        [
            {"name": "скриншот.png", "mimeType": "image/png", "buffer": PNG},
            {"name": "чек.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"},
        ]
    )
    expect(chosen).to_have_text("скриншот.png, чек.pdf")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.keyboard.press("Tab")  # on to Send
    assert page.evaluate("document.activeElement.textContent") == "Отправить"
    page.keyboard.press("Enter")
    expect(page.locator(".bubble.customer").last).to_contain_text("Вот скриншот")
    expect(page.locator(".bubble.customer .attached-file")).to_have_count(2)


def test_without_javascript_the_status_page_keeps_the_plain_file_input(browser, live_server):
    ticket = make_ticket(subject="Płatność nie działa", customer_locale="pl")
    context = browser.new_context(java_script_enabled=False, locale="pl-PL")
    page = context.new_page()
    page.goto(f"{live_server}/t/{ticket.status_token}")
    expect(page.locator("label.file-picker-button")).to_be_hidden()
    expect(page.locator("#reply-files-chosen")).to_be_hidden()
    picker = page.get_by_label("Dołącz pliki (opcjonalnie)")
    assert picker.bounding_box()["width"] > 50  # the browser's own control, usable as it is
    picker.set_input_files([{"name": "zrzut.png", "mimeType": "image/png", "buffer": PNG}])
    page.get_by_role("button", name="Wyślij", exact=True).click()
    expect(page.locator(".bubble.customer .attached-file").last).to_contain_text("zrzut.png")
    context.close()


def test_the_forms_file_question_names_the_file_and_refuses_a_large_one_beside_it(
    german_browser, live_server, builtin_forms
):
    page = german_browser
    opened = choosers_of(page)
    reach_the_file_question(page, live_server)
    picker = page.locator("#composer input[type=file]")
    expect(page.locator("#composer label.file-picker-button")).to_have_text("Wybierz plik")
    expect(page.locator("#answer-input-chosen")).to_have_text("Nie wybrano pliku")
    # Named by the question, described by the limits and the names chosen
    expect(picker).to_have_accessible_name(
        "Masz zrzut ekranu? Dołącz go – często pomaga nam szybciej znaleźć przyczynę."
    )
    expect(picker).to_have_accessible_description("Obraz lub plik PDF, do 5 MB. Nie wybrano pliku")
    page.wait_for_function("() => document.activeElement.id === 'answer-input'")  # the new step
    page.keyboard.press("Enter")
    chooser_from(page, opened).set_files(
        {"name": "zrzut.png", "mimeType": "image/png", "buffer": b"\x89PNG" + b"0" * 5_300_000}
    )
    expect(page.locator("#answer-input-chosen")).to_have_text(
        "zrzut.png – Plik jest większy niż 5 MB."
    )
    picker.set_input_files({"name": "mały.png", "mimeType": "image/png", "buffer": PNG})
    expect(page.locator("#answer-input-chosen")).to_have_text("mały.png")
    page.locator("#composer button", has_text="Prześlij").click()
    page.locator("#composer input[type=email]").wait_for()
    expect(page.locator("#transcript .bubble.customer").last).to_contain_text("mały.png")


def test_a_file_dropped_on_the_picker_is_chosen(page, live_server):
    """The browser's own input took a dropped file; the hidden one's picker does too."""
    ticket = make_ticket(subject="Zły rozmiar", customer_locale="pl")
    page.goto(f"{live_server}/t/{ticket.status_token}")
    page.locator(".file-picker-button").evaluate(
        """(target) => {
            const files = new DataTransfer();
            for (const name of ["faktura.pdf", "paragon.pdf"]) {
                const pdf = ["%PDF-1.4\\n%%EOF\\n"];
                files.items.add(new File(pdf, name, {type: "application/pdf"}));
            }
            for (const type of ["dragover", "drop"]) {
                const init = {bubbles: true, cancelable: true, dataTransfer: files};
                target.dispatchEvent(new DragEvent(type, init));
            }
        }"""
    )
    expect(page.locator("#reply-files-chosen")).to_have_text("faktura.pdf, paragon.pdf")
    assert page.locator("#reply-files").evaluate("i => i.files.length") == 2
    page.get_by_role("button", name="Wyślij", exact=True).click()
    expect(page.locator(".bubble.customer .attached-file")).to_have_count(2)
