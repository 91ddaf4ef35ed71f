"""The ticket list downloads as CSV, with the list's filters, for a spreadsheet."""

from __future__ import annotations

import contextvars
import csv
import io

import pytest
from flask.testing import FlaskClient

from tests.helpers import make_ticket
from webapp.extensions import db
from webapp.models import Team, TeamMembership
from webapp.services.tickets import add_label


@pytest.fixture
def ola(app, create_user):
    team = Team(slug="customer-care", name="Customer Care")
    db.session.add(team)
    agent = create_user(email="ola@example.com", name="Ola Nowak", locale="pl")
    agent.working_hours = {}
    db.session.add(TeamMembership(team=team, user=agent))
    db.session.commit()
    return agent


def _rows(response) -> list[dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


def test_the_export_has_every_filtered_ticket_newest_first_in_the_agents_words(client, login, ola):
    first = make_ticket(subject="Płatność nie działa", customer_name="Jan Kowalski")
    second = make_ticket(subject='=HYPERLINK("http://evil")', customer_email="zla@example.pl")
    add_label(second, "płatności", None)
    db.session.commit()
    login(ola)
    rows = _rows(client.get("/tickets.csv"))
    assert [r["ticket"] for r in rows] == [second.number, first.number]
    newest = rows[0]
    # A formula typed by a customer is text in the spreadsheet, not run.
    assert newest["subject"] == '\'=HYPERLINK("http://evil")'
    assert newest["labels"] == "detractor; płatności"  # routing's label, then the agent's
    assert newest["team"] == "Customer Care"
    assert newest["state"] == second.state and newest["state_label"] == "Przypisane"
    assert newest["assignee"] == "Ola Nowak" and newest["score"] == "2"
    assert newest["score_group"] == "detractor" and newest["customer_language"] == "pl"
    assert newest["created_at"].startswith(str(second.created_at.year))
    assert rows[1]["customer_name"] == "Jan Kowalski"

    # The list's filters and search apply, as in the list.
    assert [r["ticket"] for r in _rows(client.get("/tickets.csv?label=płatności"))] == [
        second.number
    ]
    assert [r["ticket"] for r in _rows(client.get("/tickets.csv?q=kowalski"))] == [first.number]


def test_assigned_to_me_exports_only_mine(client, login, ola, create_user):
    mine = make_ticket(subject="Moje")
    other = make_ticket(subject="Nie moje")
    other.assignee = create_user(email="ivan@example.com", name="Ivan")
    db.session.commit()
    login(ola)
    assert [r["ticket"] for r in _rows(client.get("/tickets.csv?mine=1"))] == [mine.number]


def test_the_list_links_to_its_export_with_its_filters(client, login, ola):
    make_ticket()
    login(ola)
    page = client.get("/tickets?mine=1&priority=high").get_data(as_text=True)
    assert 'href="/tickets.csv?mine=1&amp;priority=high"' in page
    assert "Pobierz te zgłoszenia jako CSV" in page


def test_the_export_streams_in_batches_with_a_fixed_number_of_queries(
    client, login, ola, count_queries, monkeypatch
):
    from webapp.services import csv_export

    monkeypatch.setattr(csv_export, "BATCH", 3)
    for n in range(4):
        make_ticket(subject=f"Zgłoszenie {n}")
    login(ola)

    def download():
        reply = FlaskClient.open(client, "/tickets.csv")
        return reply.is_streamed, reply.get_data(as_text=True)

    with count_queries() as few:
        streamed, body = contextvars.Context().run(download)
    assert streamed and body.count("\n") == 5  # header and four tickets, in two batches
    for n in range(4, 12):
        make_ticket(subject=f"Zgłoszenie {n}")
    with count_queries() as many:
        assert contextvars.Context().run(download)[1].count("\n") == 13
    # Twelve tickets in batches of three: at most two queries a batch (tickets, their
    # labels), the viewer and whether two-step sign-in is required, never one per ticket.
    assert len(few) <= 2 + 2 * 2 and len(many) <= 2 + 2 * 5


def test_only_staff_may_export(client):
    reply = client.get("/tickets.csv")
    assert reply.status_code in (302, 303) and "/login" in reply.headers["Location"]
