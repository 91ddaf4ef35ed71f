"""Two agents on one ticket see each other: the open page's live poll says who else has it
open and who is writing a reply to the customer, so nobody answers twice. Held in Redis
when the app has it, else in memory; both paths run in CI."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers import PASSWORD, csrf_token, make_ticket, text_of
from tests.integration.test_ticket_live_refresh import OpenPage
from tests.integration.test_workspace_conversation import add_people
from webapp.models import utcnow
from webapp.services import presence
from webapp.tickets import live_views

pytestmark = pytest.mark.usefixtures("one_minute")


@pytest.fixture
def people(app, client, create_user) -> dict:
    """(`client` makes every test client of the app an isolated browser: tests.conftest.)"""
    return add_people(create_user)


def _signed_in(app, user):
    """Another browser, logged in as `user`."""
    browser = app.test_client()
    browser.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(app, browser)},
    )
    return browser


def _open(browser, ticket) -> OpenPage:
    return OpenPage(browser, browser.get(f"/tickets/{ticket.number}").get_data(as_text=True))


def test_a_colleague_writing_a_reply_is_seen_and_forgotten_when_gone(app, people, monkeypatch):
    ticket = make_ticket()
    ola, bea = people["ola"], people["bea"]  # Ola reads Polish
    ola_page = _open(_signed_in(app, ola), ticket)
    assert ola_page.poll().status_code == 304  # alone on it: nothing to say

    bea_browser = _signed_in(app, bea)
    bea_page = _open(bea_browser, ticket)
    seen_by_bea = text_of(bea_browser.get(f"/tickets/{ticket.number}"))
    assert "Ola Nowak also has this ticket open." in seen_by_bea

    arrived = ola_page.poll()  # Bea opened it: Ola's next poll hears of her
    assert arrived.status_code == 200
    assert "Bea Brown też ma otwarte to zgłoszenie." in text_of(arrived)
    assert ola_page.poll().status_code == 304  # nothing new since

    bea_page.url += "&replying=1"  # a draft in Bea's reply box
    bea_page.poll()
    writing = ola_page.poll()
    assert "Bea Brown pisze teraz odpowiedź do klienta." in text_of(writing)

    # Bea closes the tab: three polls later she is no longer there.
    later = utcnow() + timedelta(seconds=30)
    monkeypatch.setattr(live_views, "utcnow", lambda: later)
    left = ola_page.poll()
    assert left.status_code == 200
    assert "Bea Brown" not in text_of(left)


def test_the_presence_line_names_several_colleagues_in_the_reader_s_language(app, people):
    ticket = make_ticket()
    now = utcnow()
    presence.here(ticket.id, people["ivan"].id, True, now)
    presence.here(ticket.id, people["bea"].id, True, now)
    page = text_of(_signed_in(app, people["ola"]).get(f"/tickets/{ticket.number}"))
    assert "Bea Brown i Ivan Petrov piszą teraz odpowiedź do klienta." in page


def _card(board_html: str, number: str) -> str:
    start = board_html.index(f'id="card-{number}"')
    return board_html[start : board_html.index("</li>", start)]


def test_the_board_marks_the_cards_colleagues_have_open_and_hears_when_they_come_and_go(
    app, people, monkeypatch
):
    ticket, other = make_ticket(subject="Opened by Bea"), make_ticket(subject="Nobody here")
    ola_browser = _signed_in(app, people["ola"])
    tag = ola_browser.get("/board/changes", headers={"HX-Request": "true"}).headers["ETag"]
    unchanged = ola_browser.get(
        "/board/changes", headers={"HX-Request": "true", "If-None-Match": tag}
    )
    assert unchanged.status_code == 304  # nobody about: the board stays as it is

    bea_page = _open(_signed_in(app, people["bea"]), ticket)  # Bea opens one ticket
    arrived = ola_browser.get(
        "/board/changes", headers={"HX-Request": "true", "If-None-Match": tag}
    )
    assert arrived.status_code == 200  # Ola's board hears of it at its next poll
    html = arrived.get_data(as_text=True)
    assert 'title="Bea Brown ma otwarte to zgłoszenie"' in _card(html, ticket.number)
    assert "card-presence" not in _card(html, other.number)

    bea_page.url += "&replying=1"
    bea_page.poll()
    writing = ola_browser.get(
        "/board/changes", headers={"HX-Request": "true", "If-None-Match": arrived.headers["ETag"]}
    ).get_data(as_text=True)
    assert 'title="Bea Brown pisze teraz odpowiedź do klienta"' in _card(writing, ticket.number)

    own = _signed_in(app, people["bea"]).get("/board").get_data(as_text=True)
    assert "card-presence" not in _card(own, ticket.number)  # nobody is shown themselves

    later = utcnow() + timedelta(seconds=30)  # Bea closed the tab
    monkeypatch.setattr("webapp.board.views.utcnow", lambda: later)
    gone = ola_browser.get("/board").get_data(as_text=True)
    assert "card-presence" not in _card(gone, ticket.number)
