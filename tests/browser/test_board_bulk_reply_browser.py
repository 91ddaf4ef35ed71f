"""An agent answers several customers at once from the board, each in their own language."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser import staff_login
from tests.browser.ticket_setup import new_ticket, on_duty_in_customer_care
from webapp.extensions import db
from webapp.models import CannedReply, TicketEvent

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(app, create_user):
    on_duty_in_customer_care(create_user())
    db.session.add(CannedReply(title="Fixed", locale="en", body="Hello {name}, it is fixed."))
    db.session.commit()
    return [new_ticket("Parcel arrived broken"), new_ticket("Second parcel broken too")]


def test_two_selected_customers_get_the_template_after_a_confirmation(page, live_server, desk):
    staff_login.log_in(page, live_server, "agent@example.com", then="/board")
    for ticket in desk:
        page.locator(f"#card-{ticket.number} .card-select").check()
    bar = page.locator("#bulk-form")
    bar.get_by_text("Reply with a template").click()
    bar.get_by_label("Template in English").select_option(label="Fixed")
    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    bar.get_by_role("button", name="Send replies").click()
    results = page.locator("#bulk-results")
    for ticket in desk:
        expect(results).to_contain_text(f"Done: {ticket.number}")
    assert questions == ["Send the chosen templates to the customers of the selected tickets?"]
    replies = db.session.scalars(
        select(TicketEvent.data).where(TicketEvent.kind == "public_reply")
    ).all()
    assert [r["text"] for r in replies] == ["Hello Jan, it is fixed."] * 2


def test_dismissing_the_confirmation_sends_nothing(page, live_server, desk):
    staff_login.log_in(page, live_server, "agent@example.com", then="/board")
    page.locator(f"#card-{desk[0].number} .card-select").check()
    bar = page.locator("#bulk-form")
    bar.get_by_text("Reply with a template").click()
    bar.get_by_label("Template in English").select_option(label="Fixed")
    page.on("dialog", lambda dialog: dialog.dismiss())
    bar.get_by_role("button", name="Send replies").click()
    page.wait_for_timeout(500)
    assert (
        db.session.scalar(select(TicketEvent.id).where(TicketEvent.kind == "public_reply")) is None
    )


def test_the_reply_is_previewed_for_the_selection_before_it_is_sent(page, live_server, desk):
    staff_login.log_in(page, live_server, "agent@example.com", then="/board")
    page.locator(f"#card-{desk[0].number} .card-select").check()
    bar = page.locator("#bulk-form")
    bar.get_by_text("Reply with a template").click()
    preview = page.locator("#bulk-reply-preview")
    expect(preview).to_contain_text("English · 1 selected ticket")
    expect(preview).to_contain_text("No template chosen for this language")
    bar.get_by_label("Template in English").select_option(label="Fixed")
    expect(preview).to_contain_text("Hello Jan, it is fixed.")
    page.locator(f"#card-{desk[1].number} .card-select").check()
    expect(preview).to_contain_text("English · 2 selected tickets")
    assert (
        db.session.scalar(select(TicketEvent.id).where(TicketEvent.kind == "public_reply")) is None
    )
