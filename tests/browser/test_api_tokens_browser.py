"""The API tokens page on a phone in Polish, Russian and Slovenian: a token has a name, not a
person's ("Imię i nazwisko", "Имя"), and its row is a card, not a table wider than the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import staff_login
from webapp.models import Role

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("locale", "label", "read_only"),
    [
        ("pl", "Nazwa tokenu", "Tylko odczyt"),
        ("ru", "Название токена", None),
        ("sl", "Ime žetona", None),
    ],
)
def test_an_admin_names_a_token_and_reads_it_as_a_card_on_a_phone(
    page, live_server, create_user, locale, label, read_only
):
    create_user(email="ada@example.com", name="Ada Admin", role=Role.ADMIN, locale=locale)
    page.set_viewport_size({"width": 390, "height": 800})
    staff_login.log_in(page, live_server, "ada@example.com", then="/admin/api-tokens")
    page.get_by_label(label).fill("CRM Hubspot")
    if read_only:
        page.get_by_label(read_only).check()
    page.locator("form[action$='/api-tokens'] button[type=submit]").click()
    row = page.locator("table.stack-on-phone tbody tr").first
    expect(row.locator("th[scope=row]")).to_have_text("CRM Hubspot")
    # Measured once the new page has its style sheets: under CI load the row was there while
    # app.css was still on its way, and the unstyled table was 420 px wide.
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth")  # nothing hidden to the right
