"""The board says what is wrong where it is wrong: dates in the wrong order. With and
without JavaScript (htmx fragments or whole pages)."""

from __future__ import annotations

import re

import pytest

from tests.helpers import make_ticket, text_of
from tests.integration.test_board import card_numbers, seed_care


@pytest.fixture
def care(app, create_user) -> dict:
    return seed_care(create_user)


def test_the_board_says_when_created_from_is_after_created_to(client, login, care):
    ticket = make_ticket()
    login(care["agent"])
    day = ticket.created_at.date().isoformat()
    fine = client.get(f"/board?from={day}&to={day}", headers={"HX-Request": "true"})
    assert ticket.number in card_numbers(fine)
    assert "board-dates-problem" in fine.get_data(as_text=True)  # emptied after a fix
    assert "Utworzone od" not in text_of(fine)

    reversed_url = f"/board?from={day}&to=2020-01-01"
    page = client.get(reversed_url)
    html = page.get_data(as_text=True)
    problem = re.search(r'<p id="board-dates-problem"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert problem.strip() == (
        "Data „Utworzone od” jest późniejsza niż „do”, więc żadne zgłoszenie nie może pasować."
        " Wybierz datę początkową nie późniejszą niż końcowa."
    )
    assert re.search(
        r'<input type="date" name="to" value="2020-01-01"[^>]*aria-invalid="true"', html
    )
    assert not card_numbers(page)  # the empty board, explained

    fragment = client.get(reversed_url, headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert re.search(
        r'<p id="board-dates-problem"[^>]*hx-swap-oob="innerHTML"[^>]*>\s*Data „', text
    )
    assert "Żadne zgłoszenie nie może pasować: „Utworzone od” jest późniejsze niż „do”." in text
