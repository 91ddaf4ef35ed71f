"""The ticket list marks the rows whose ticket a colleague has open right now, as the board's
cards do: their initials, and the sentence for screen readers ("… has this ticket open", or
"… is writing a reply to the customer"). Read once for the page (Redis when the app has it,
else memory; both paths run in CI)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.helpers import make_ticket, text_of
from tests.integration.test_ticket_presence import _open, _signed_in
from tests.integration.test_workspace_conversation import add_people
from webapp.models import utcnow
from webapp.services import presence


@pytest.fixture
def people(app, client, create_user) -> dict:
    return add_people(create_user)


def _row(list_html: str, number: str) -> str:
    """The list's row of ticket `number`."""
    link = list_html.index(f"<strong>{number}</strong>")
    return list_html[list_html.rindex("<tr>", 0, link) : list_html.index("</tr>", link)]


def _marks(row_html: str) -> list[str]:
    """Each colleague's mark in a row as a screen reader reads it (initials, then the sentence)."""
    return [
        " ".join(re.sub(r"<[^>]+>", " ", mark).split())
        for mark in re.findall(r'<span class="card-presence[^"]*".*?</span></span>', row_html)
    ]


def test_the_list_marks_who_has_a_ticket_open_and_who_is_writing_a_reply(app, people):
    opened = make_ticket(subject="Opened by Bea")
    answered = make_ticket(subject="Answered by Ivan")
    alone = make_ticket(subject="Nobody here")
    _open(_signed_in(app, people["bea"]), opened)  # Bea reads one ticket
    ivan_page = _open(_signed_in(app, people["ivan"]), answered)
    ivan_page.url += "&replying=1"  # a draft in Ivan's reply box
    ivan_page.poll()

    ola = _signed_in(app, people["ola"])  # Ola reads Polish
    _open(ola, alone)  # her own presence is no news to her
    html = ola.get("/tickets").get_data(as_text=True)

    assert _marks(_row(html, opened.number)) == ["BB : Bea Brown ma otwarte to zgłoszenie"]
    assert 'title="Bea Brown ma otwarte to zgłoszenie"' in _row(html, opened.number)
    writing = _row(html, answered.number)
    assert _marks(writing) == ["IP : Ivan Petrov pisze teraz odpowiedź do klienta"]
    assert 'class="card-presence replying"' in writing  # the stronger mark, not colour alone
    assert _marks(_row(html, alone.number)) == []

    # The search's rows (htmx) carry the marks too, in the reader's language (Ivan: Russian).
    found = _signed_in(app, people["ivan"]).get("/tickets?q=Bea", headers={"HX-Request": "true"})
    assert "Bea Brown открыл(а) это обращение" in text_of(found)


def test_the_marks_go_when_the_colleague_has_left(app, people, monkeypatch):
    ticket = make_ticket()
    _open(_signed_in(app, people["bea"]), ticket)
    ola = _signed_in(app, people["ola"])
    assert "Bea Brown" in text_of(ola.get("/tickets"))

    later = utcnow() + timedelta(seconds=30)  # three polls missed: Bea closed the tab
    monkeypatch.setattr("webapp.tickets.views.utcnow", lambda: later)
    html = ola.get("/tickets").get_data(as_text=True)
    assert _marks(_row(html, ticket.number)) == []


def test_the_list_reads_presence_once_however_many_rows_are_marked(app, people, count_queries):
    tickets = [make_ticket(subject=f"Ticket {n}") for n in range(16)]
    ola = _signed_in(app, people["ola"])
    now = utcnow()
    presence.here(tickets[0].id, people["bea"].id, False, now)
    with count_queries() as few:
        assert ola.get("/tickets").status_code == 200
    for ticket in tickets[1:]:
        presence.here(ticket.id, people["bea"].id, False, now)
        presence.here(ticket.id, people["ivan"].id, True, now)
    with count_queries() as many:
        html = ola.get("/tickets").get_data(as_text=True)
    assert all(len(_marks(_row(html, t.number))) == 2 for t in tickets[1:])
    assert len(many) == len(few)
