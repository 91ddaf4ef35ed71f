"""Language names on the agent's pages: in the agent's own language, written as that
language writes them, lower case inside a sentence in Polish, Russian and Slovenian and
capitalised where they start a label or an option; the language switcher names each
language in itself."""

from __future__ import annotations

import re

import pytest

from tests.helpers import make_ticket, text_of


@pytest.fixture
def app_config() -> dict:
    return {"LOOPDESK_REPLY_ADDRESS": "support@example.com"}


def _switcher(html: str) -> list[str]:
    select = re.search(r'<select id="language-select".*?</select>', html, re.S).group(0)
    return [name.strip() for name in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


@pytest.mark.parametrize(
    ("locale", "merge_offer"),
    [
        ("pl", "Powiadom klienta e-mailem, w języku: słoweński"),
        ("en", "Tell the customer by e-mail, in Slovenian"),
    ],
)
def test_mid_sentence_a_language_follows_the_readers_casing_and_the_switcher_its_own(
    client, login, post_form, create_user, locale, merge_offer
):
    first = make_ticket(customer_email="maja@example.si", customer_locale="sl")
    duplicate = make_ticket(customer_email="maja@example.si", customer_locale="sl")
    login(create_user(email="agent@example.com", locale=locale))
    page = post_form(f"/tickets/{duplicate.number}/merge", {"number": first.number})
    assert merge_offer in text_of(page)
    assert _switcher(page.get_data(as_text=True)) == ["English", "Polski", "Русский", "Slovenščina"]
