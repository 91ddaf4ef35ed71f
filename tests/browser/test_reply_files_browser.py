"""An agent attaches a PDF to a reply, previews it (the chosen file stays chosen, though the
section is redrawn) and sends: the history names the file and the customer's status page
offers it for download. The file button and the names chosen speak the agent's language."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_file_picker_browser import PNG, chooser_from, choosers_of
from tests.browser.test_workspace_browser import open_ticket, ticket  # noqa: F401 (fixture)
from tests.browser.ticket_setup import new_ticket, on_duty_in_customer_care
from webapp.extensions import db
from webapp.models import CannedReply

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n" + b"x" * 3000


def test_a_reply_with_a_file_survives_the_preview_and_reaches_the_status_page(
    browser,
    page,
    live_server,
    ticket,  # noqa: F811
):
    open_ticket(page, live_server, ticket)
    page.get_by_label("Message", exact=True).fill("Hello {name}, the label is attached.")
    files = page.get_by_label("Attach files (optional)")
    files.set_input_files([{"name": "label.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".reply-preview")).to_contain_text("the label is attached")
    page.wait_for_function("document.getElementById('ws-reply-files').files.length === 1")

    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#ws-timeline")).to_contain_text("label.pdf")
    page.wait_for_function("document.getElementById('ws-reply-files').files.length === 0")

    customer = browser.new_context(locale="en-US").new_page()
    customer.goto(f"{live_server}/t/{ticket.status_token}")
    link = customer.get_by_role("link", name="label.pdf")
    expect(link).to_be_visible()
    with customer.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "label.pdf"
    customer.context.close()


def test_a_polish_agent_chooses_reply_files_in_polish_and_their_names_survive_the_preview(
    browser, live_server, create_user
):
    """The browser is German: its own button would say "Datei auswählen". The agent reads
    Polish, so the picker does; the chosen names stay beside it through a preview."""
    on_duty_in_customer_care(create_user(locale="pl"))
    db.session.commit()
    waiting = new_ticket()
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    opened = choosers_of(page)
    open_ticket(page, live_server, waiting)
    picker = page.get_by_label("Dołącz pliki (opcjonalnie)")
    button = page.locator("#ws-reply label.file-picker-button")
    chosen = page.locator("#ws-reply-files-chosen")
    expect(button).to_have_text("Wybierz pliki")
    expect(chosen).to_have_text("Nie wybrano plików")
    box = picker.bounding_box()
    assert box["width"] <= 1 and box["height"] <= 1  # the browser's German button is not seen

    page.get_by_label("Wiadomość", exact=True).fill("Dzień dobry {name}, etykieta w załączniku.")
    picker.focus()
    assert button.evaluate("b => getComputedStyle(b).outlineStyle") == "solid"  # the focus shows
    page.keyboard.press("Space")
    chooser_from(page, opened).set_files(
        [
            {"name": "etykieta.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "zdjęcie.png", "mimeType": "image/png", "buffer": PNG},
        ]
    )
    expect(chosen).to_have_text("etykieta.pdf, zdjęcie.png")

    page.get_by_role("button", name="Podgląd").click()
    expect(page.locator(".reply-preview")).to_contain_text("etykieta w załączniku")
    expect(chosen).to_have_text("etykieta.pdf, zdjęcie.png")  # still chosen, still named
    page.wait_for_function("document.getElementById('ws-reply-files').files.length === 2")

    page.get_by_role("button", name="Wyślij odpowiedź").click()
    expect(page.locator("#ws-timeline")).to_contain_text("zdjęcie.png")
    expect(chosen).to_have_text("Nie wybrano plików")  # a sent reply's files are gone
    context.close()


def test_a_template_picked_after_the_files_and_the_next_step_keeps_both(
    page,
    live_server,
    ticket,  # noqa: F811
):
    """Picking a template redraws the reply box with the template after the draft: the files
    chosen before and "After sending" stay as the agent left them (both were dropped)."""
    db.session.add(CannedReply(title="Fixed", locale="en", body="It is fixed, {name}."))
    db.session.commit()
    open_ticket(page, live_server, ticket)
    page.get_by_label("Message", exact=True).fill("Hello,")
    files = page.get_by_label("Attach files (optional)")
    files.set_input_files([{"name": "label.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_label("After sending").select_option("resolve")
    page.get_by_label("Template").select_option(label="Fixed")
    expect(page.get_by_label("Message", exact=True)).to_have_value("Hello,\n\nIt is fixed, {name}.")
    expect(page.get_by_label("After sending")).to_have_value("resolve")
    expect(page.locator("#ws-reply-files-chosen")).to_have_text("label.pdf")
    page.wait_for_function("() => document.getElementById('ws-reply-files').files.length === 1")

    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#ws-timeline")).to_contain_text("label.pdf")
    expect(page.locator("#ws-header")).to_contain_text("Resolved")
    expect(page.locator("#ws-reply-files-chosen")).to_have_text("No files chosen")  # sent
