"""A colleague turns on the weekly summary and asks for a preview, from a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.staff_login import log_in
from webapp.extensions import db
from webapp.models import OutboxMessage

pytestmark = pytest.mark.browser


def test_turning_the_weekly_summary_on_and_asking_for_a_preview(page, live_server, create_user):
    ola = create_user(email="ola@example.com", name="Ola Nowak", locale="pl")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "ola@example.com", then="/account/notifications")

    weekly = page.get_by_role("checkbox", name="Wysyłaj mi e-mailem podsumowanie")
    expect(weekly).not_to_be_checked()  # nobody gets it until they ask
    page.get_by_text("Wysyłaj mi e-mailem podsumowanie").click()  # its words tick it
    with page.expect_navigation():
        page.get_by_role("button", name="Zapisz ustawienia powiadomień").click()
    expect(page.get_by_role("checkbox", name="Wysyłaj mi e-mailem podsumowanie")).to_be_checked()
    db.session.refresh(ola)
    assert ola.notification_settings["weekly_summary"] is True

    preview = page.get_by_role("button", name="Wyślij mi teraz podgląd")
    box = preview.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    with page.expect_navigation():
        preview.click()
    expect(page.get_by_text("jest w drodze na adres ola@example.com")).to_be_visible()
    sent = db.session.scalars(select(OutboxMessage.to_address)).all()
    assert sent == ["ola@example.com"]
