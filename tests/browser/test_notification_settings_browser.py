"""A colleague sets how they are notified from a phone: every choice is on the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.staff_login import log_in
from webapp.extensions import db

pytestmark = pytest.mark.browser


def test_every_choice_is_on_a_phone_screen_and_saves(page, live_server, create_user):
    ola = create_user(email="ola@example.com", name="Ola Nowak", locale="pl")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "ola@example.com", then="/account/notifications")

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    choices = page.locator("main table.notification-matrix label[for]")
    expect(choices).to_have_count(6 * 3)
    for choice in choices.all():
        expect(choice).to_be_visible()
        box = choice.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, choice.inner_text()
    expect(choices).to_have_text(["Natychmiast", "Podsumowanie co godzinę", "Wyłączone"] * 6)

    # Tapping a choice's words picks it; the radio is named by its row and its choice.
    mentions_off = page.get_by_role("radio", name="Oznaczenia w notatkach wewnętrznych Wyłączone")
    page.locator("label[for=mentions-off]").click()
    expect(mentions_off).to_be_checked()
    with page.expect_navigation():
        page.get_by_role("button", name="Zapisz ustawienia powiadomień").click()
    expect(
        page.get_by_role("radio", name="Oznaczenia w notatkach wewnętrznych Wyłączone")
    ).to_be_checked()
    db.session.refresh(ola)
    assert ola.notification_settings["mentions"] == "off"


# Where the label's first word is drawn, against the box: on one line, or the box alone above.
FIRST_WORD_BESIDE_THE_BOX = """(box) => {
  const label = box.labels[0];
  const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
  let text = walker.nextNode();
  while (text && !text.textContent.trim()) { text = walker.nextNode(); }
  const start = text.textContent.search(/\\S/);
  const range = document.createRange();
  range.setStart(text, start);
  range.setEnd(text, start + 1);
  const word = range.getBoundingClientRect();
  const square = box.getBoundingClientRect();
  return Math.abs((word.top + word.bottom) / 2 - (square.top + square.bottom) / 2) < square.height;
}"""


def test_the_weekly_summary_box_sits_beside_its_words_on_a_phone(page, live_server, create_user):
    create_user(email="ola@example.com", name="Ola Nowak", locale="pl")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "ola@example.com", then="/account/notifications")
    box = page.get_by_role("checkbox", name="Wysyłaj mi e-mailem podsumowanie minionego tygodnia")
    expect(box).to_be_visible()
    assert box.evaluate(FIRST_WORD_BESIDE_THE_BOX), "the box stands alone above its label"
