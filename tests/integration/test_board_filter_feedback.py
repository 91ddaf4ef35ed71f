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


@pytest.mark.parametrize("htmx", [True, False])
def test_a_name_already_in_use_is_asked_about_before_its_filters_are_replaced(
    client, login, post_form, care, htmx
):
    login(care["agent"])  # Ola reads Polish
    post_form("/board/views", {"name": "Pilne", "priority": "urgent"}, htmx=True)
    post_form("/board/views", {"name": "Moje", "assignee": "me"}, htmx=True)

    asked = post_form(
        "/board/views", {"name": " Pilne ", "sla": "breached", "query": "sla=breached"}, htmx=htmx
    )
    assert asked.status_code == 422
    html = asked.get_data(as_text=True)
    assert "Masz już widok o nazwie „Pilne”." in text_of(asked)
    field = _name_field(html)
    assert 'value=" Pilne "' in field and "autofocus" in field
    assert 'aria-describedby="saved-view-replace-question"' in field
    assert "aria-invalid" not in field  # nothing is wrong with the name
    assert re.search(
        r'<button type="submit" name="replace" value="Pilne"[^>]*>Zastąp „Pilne”</button>', html
    )
    assert db.session.query(SavedView).filter_by(name="Pilne").one().query == "priority=urgent"
    if not htmx:  # the board again, still filtered as it was
        assert '<option value="breached" selected>' in html

    # "Replace" confirms this name only: it does not reach another view of the same agent.
    post_form("/board/views", {"name": "Moje", "sla": "breached", "replace": "Pilne"}, htmx=htmx)
    assert db.session.query(SavedView).filter_by(name="Moje").one().query == "assignee=me"

    replaced = post_form(
        "/board/views",
        {"name": "Pilne", "sla": "breached", "query": "sla=breached", "replace": "Pilne"},
        htmx=htmx,
    )
    assert replaced.status_code == (200 if htmx else 303)
    assert db.session.query(SavedView).filter_by(name="Pilne").one().query == "sla=breached"
    toast = text_of(replaced if htmx else client.get("/board?sla=breached"))
    assert "Zastąpiono widok „Pilne”: pokazuje teraz te filtry." in toast
    assert db.session.query(SavedView).count() == 2

    # The same filters under the same name: nothing to lose, nothing asked.
    again = post_form("/board/views", {"name": "Pilne", "sla": "breached"}, htmx=True)
    assert again.status_code == 200
    assert "Zapisano widok „Pilne”." in text_of(again)


def test_the_question_is_in_the_agents_language(client, login, post_form, care):
    login(care["other"])  # Ivan reads Russian
    post_form("/board/views", {"name": "Срочные", "priority": "urgent"}, htmx=True)
    asked = post_form("/board/views", {"name": "Срочные", "priority": "high"}, htmx=True)
    assert asked.status_code == 422
    assert "У Вас уже есть представление «Срочные»." in text_of(asked)
    assert "Заменить «Срочные»" in text_of(asked)
