"""A file chosen after the server refused the one before is judged on its own.

The server's "please upload an image or a PDF" was about the file sent before; once another
file is chosen it goes, so a too large new file is not said beside a wrong-type old one.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_file_picker_browser import reach_the_file_question
from tests.helpers import make_ticket

pytestmark = pytest.mark.browser
TEXT_FILE = {"name": "notatki.txt", "mimeType": "text/plain", "buffer": b"nie obraz"}
BIG_PNG = {"name": "duży.png", "mimeType": "image/png", "buffer": b"\x89PNG" + b"0" * 5_300_000}
WRONG_TYPE = "Prześlij obraz (PNG, JPEG, GIF, WebP) lub plik PDF."


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


def test_the_forms_file_question_drops_the_old_refusal_when_another_file_is_chosen(
    page, live_server, builtin_forms
):
    reach_the_file_question(page, live_server)
    picker = page.locator("#composer input[type=file]")
    picker.set_input_files(TEXT_FILE)
    page.locator("#composer button", has_text="Prześlij").click()
    error = page.locator("#composer .answer-error")
    expect(error).to_have_text(WRONG_TYPE)

    picker.set_input_files(BIG_PNG)
    expect(page.locator("#answer-input-chosen")).to_have_text(
        "duży.png – Plik jest większy niż 5 MB."
    )
    expect(error).to_have_count(0)  # one message, about the file chosen now
    expect(page.locator("#composer form")).not_to_have_attribute("aria-describedby", "answer-error")


def test_the_status_page_drops_the_old_refusal_and_refuses_a_large_file_at_once(page, live_server):
    ticket = make_ticket(subject="Zły plik", customer_locale="pl")
    page.goto(f"{live_server}/t/{ticket.status_token}")
    page.get_by_label("Dodaj wiadomość").fill("Oto plik")
    page.locator("#reply-files").set_input_files(TEXT_FILE)
    page.get_by_role("button", name="Wyślij", exact=True).click()
    error = page.locator("#reply-error")
    expect(error).to_have_text(WRONG_TYPE)
    expect(page.get_by_label("Dodaj wiadomość")).to_have_value("Oto plik")
    # Said at the files, where the keyboard is: the message was fine and is not marked.
    expect(page.locator("#reply-files")).to_be_focused()
    expect(page.get_by_label("Dodaj wiadomość")).not_to_have_attribute("aria-invalid", "true")

    page.locator("#reply-files").set_input_files([TEXT_FILE | {"name": "a.pdf"}, BIG_PNG])
    expect(page.locator("#reply-files-chosen")).to_have_text(
        "a.pdf, duży.png – Plik jest większy niż 5 MB."
    )
    expect(error).to_have_count(0)
    expect(page.get_by_label("Dodaj wiadomość")).not_to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Wyślij", exact=True).click()  # the browser holds it back
    expect(page.locator(".bubble.customer .answer")).to_have_count(0)


def test_a_message_refused_for_its_length_stays_when_a_file_is_chosen(page, live_server):
    """Only a refusal of the files is theirs to drop."""
    ticket = make_ticket(subject="Długi tekst", customer_locale="pl")
    page.goto(f"{live_server}/t/{ticket.status_token}")
    page.get_by_label("Dodaj wiadomość").evaluate("box => box.removeAttribute('maxlength')")
    page.get_by_label("Dodaj wiadomość").fill("x" * 5001)
    page.get_by_role("button", name="Wyślij", exact=True).click()
    expect(page.locator("#reply-error")).to_contain_text("5000")
    # The refusal is a new page: its scripts, which name the chosen file, run once it loads.
    page.wait_for_load_state()
    page.locator("#reply-files").set_input_files(
        {"name": "zrzut.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
    )
    expect(page.locator("#reply-files-chosen")).to_have_text("zrzut.pdf")
    expect(page.locator("#reply-error")).to_contain_text("5000")
