"""A page opened without a language in its address speaks the browser's first language we have."""

from __future__ import annotations

import pytest

from tests.helpers import text_of


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("pl-PL,en;q=0.5", "pl"),  # a regional tag first, plain English second: Polish
        ("sl-SI, en-US;q=0.8, en;q=0.7", "sl"),
        ("de-DE,ru;q=0.8,en;q=0.5", "ru"),  # German we lack: the next one we have
        ("de-DE,fr;q=0.9", "en"),
    ],
)
def test_a_form_opens_in_the_browsers_first_language_we_have(client, builtin_forms, header, lang):
    page = client.get("/f/nps", headers={"Accept-Language": header})
    assert f'<html lang="{lang}">' in page.get_data(as_text=True)


def test_the_login_page_speaks_polish_to_a_browser_asking_pl_pl_first(client):
    page = client.get("/login", headers={"Accept-Language": "pl-PL,en;q=0.5"})
    assert "Zaloguj" in text_of(page)
