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


def test_the_customers_language_is_named_in_the_agents_language_on_every_agent_page(
    client, login, create_user
):
    """The reply box said "Polski" where the bulk bar said "Polish": the reader's language
    names the customer's, on the card, in the list, the workspace and the reply box."""
    ticket = make_ticket(customer_locale="pl")
    login(create_user(email="sam@example.com", locale="en"))
    workspace = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "Sent by e-mail in Polish and shown on the customer's status page." in workspace
    assert "Language Polish" in workspace
    assert "Polski" not in workspace.replace("English Polski Русский Slovenščina", "")
    listed = text_of(client.get("/tickets"))
    assert f"{ticket.number} Płatność nie działa Polish" in listed
    board = client.get("/board").get_data(as_text=True)
    assert '<abbr class="card-language" title="Polish">PL</abbr>' in board
    assert '<option value="pl" >Polish</option>' in board


def test_a_russian_agent_reads_it_in_lower_case_inside_the_reply_boxs_sentence(
    client, login, create_user
):
    ticket = make_ticket(customer_locale="sl")
    login(create_user(email="ivan@example.com", locale="ru"))
    workspace = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "Отправляется по эл. почте (язык: словенский)" in workspace
    assert "Язык Словенский" in workspace  # a value of its own starts with a capital
