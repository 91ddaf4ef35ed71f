"""The keyboard shortcuts' help is on every staff page, in the agent's language, and never
on the customer's side (its script would catch keys the conversation needs)."""

from __future__ import annotations

import pytest

from tests.helpers import make_ticket

HELP = 'id="shortcuts-dialog"'
SCRIPT = "js/shortcuts.js"


@pytest.mark.parametrize(
    "path", ["/dashboard", "/board", "/tickets", "/reports", "/notifications", "/profile"]
)
def test_staff_pages_carry_the_help_once_with_its_script_and_footer_button(
    client, login, agent, builtin_forms, path
):
    login(agent)
    html = client.get(path).get_data(as_text=True)
    assert html.count(HELP) == 1
    assert html.count(SCRIPT) == 1
    assert "data-shortcuts-open" in html
    assert "Go to the board" in html and "Write an internal note" in html


def test_the_go_to_shortcuts_name_the_pages_addresses(client, login, agent):
    login(agent)
    html = client.get("/dashboard").get_data(as_text=True)
    for key, href in [
        ("d", "/dashboard"),
        ("b", "/board"),
        ("t", "/tickets"),
        ("i", "/notifications"),
        ("r", "/reports"),
    ]:
        assert f'data-go="{key}" data-href="{href}"' in html


def test_the_ticket_page_has_the_fields_the_letter_keys_reach(client, login, agent, builtin_forms):
    ticket = make_ticket()
    login(agent)
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    for field in ('id="ws-reply-text"', 'id="ws-note-text"', 'id="ws-assignee"', HELP):
        assert field in html


def test_customer_pages_and_the_login_page_have_neither_help_nor_script(client, builtin_forms):
    ticket = make_ticket()
    for path in ["/f/nps", f"/t/{ticket.status_token}", "/login"]:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert HELP not in html and SCRIPT not in html and "data-shortcuts-open" not in html, path


@pytest.mark.parametrize(
    "locale, title, board, reply",
    [
        ("pl", "Skróty klawiszowe", "Przejdź do tablicy", "Napisz odpowiedź do klienta"),
        ("ru", "Сочетания клавиш", "Перейти к доске", "Написать ответ клиенту"),
        ("sl", "Bližnjice na tipkovnici", "Pojdi na tablo", "Napiši odgovor stranki"),
    ],
)
def test_the_help_speaks_the_agents_language(
    client, login, create_user, locale, title, board, reply
):
    login(create_user(locale=locale))
    html = client.get("/tickets").get_data(as_text=True)
    assert title in html and board in html and reply in html
    assert "Keyboard shortcuts" not in html and "Go to the board" not in html
