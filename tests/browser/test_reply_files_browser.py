"""An agent attaches a PDF to a reply, previews it (the chosen file stays chosen, though the
section is redrawn) and sends: the history names the file and the customer's status page
offers it for download."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_workspace_browser import open_ticket, ticket  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n" + b"x" * 3000


def test_a_reply_with_a_file_survives_the_preview_and_reaches_the_status_page(
    browser, page, live_server, ticket  # noqa: F811
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
