"""The board says what is wrong where it is wrong: a saved view without a name, dates in
the wrong order. With and without JavaScript (htmx fragments or whole pages)."""

from __future__ import annotations

import re

import pytest

from tests.helpers import make_ticket, text_of
from tests.integration.test_board import card_numbers, seed_care
from webapp.board.views import SAVED_VIEWS_PER_AGENT
from webapp.extensions import db
from webapp.models import SavedView


@pytest.fixture
def care(app, create_user) -> dict:
    return seed_care(create_user)


def _name_field(html: str) -> str:
    return re.search(r'<input[^>]*id="saved-view-name"[^>]*>', html).group(0)


@pytest.mark.parametrize("htmx", [True, False])
def test_a_view_without_a_name_is_refused_at_the_name_field_which_takes_the_focus(
    client, login, post_form, care, htmx
):
    login(care["agent"])  # Ola reads Polish
    response = post_form(
        "/board/views", {"name": "   ", "priority": "urgent", "query": "priority=urgent"}, htmx=htmx
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field = _name_field(html)
    assert "autofocus" in field and 'aria-invalid="true"' in field
    assert 'aria-describedby="saved-view-name-error"' in field
    error = re.search(r'<p id="saved-view-name-error"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert error.strip() == "Nadaj widokowi nazwę."
    assert db.session.query(SavedView).count() == 0
    if not htmx:  # the whole board again, still filtered as it was
        assert 'id="board-columns"' in html
        assert '<option value="urgent" selected>' in html


def test_a_refused_name_keeps_what_was_typed(client, login, post_form, care):
    login(care["agent"])
    for number in range(SAVED_VIEWS_PER_AGENT):
        db.session.add(SavedView(user_id=care["agent"].id, name=f"View {number}", query=""))
    db.session.commit()
    response = post_form("/board/views", {"name": "One too many"}, htmx=True)
    assert response.status_code == 422
    assert 'value="One too many"' in _name_field(response.get_data(as_text=True))


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
