"""One customer's requests are those with the same e-mail address (any case) or the same
*verified* customer id, wherever they are gathered: the ticket list's and board's "requests
from the customer of LD-…" filter (the ticket page's "All N requests" link), merging, and
the customer's own list of their requests. An unsigned id joins nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.helpers import api_token, bearer, make_ticket, text_of
from webapp.extensions import db
from webapp.models import Role, Team, TeamMembership, TicketAccess, TokenScope, utcnow


def _ticket(subject, email, ref=None, verified=True, days_ago=1, **fields):
    return make_ticket(
        subject=subject,
        customer_email=email,
        customer_ref=ref,
        customer_ref_verified=verified,
        created_at=utcnow() - timedelta(days=days_ago),
        **fields,
    )


@pytest.fixture
def customer(builtin_forms):
    """Jan, by his address (in two cases) and his verified shop id C-1, on eight requests;
    around him an unsigned C-1, another customer and a longer id."""
    mine = [
        _ticket("Both", "jan@example.pl", "C-1", days_ago=9),
        _ticket("By e-mail", "JAN@Example.pl", days_ago=8),
        _ticket("By e-mail again", "jan@example.pl", days_ago=7),
        _ticket("By id", None, "C-1", days_ago=6),
        _ticket("By id, work address", "jan@work.example", "C-1", days_ago=5),
        _ticket("By id, no address", None, "C-1", days_ago=4),
        _ticket("Widget again", None, "C-1", days_ago=3),
    ]
    others = [
        _ticket("Unsigned id", None, "C-1", verified=False),
        _ticket("Other customer", "ewa@example.pl", "C-2"),
        _ticket("Longer id", None, "C-10", days_ago=2),
    ]
    current = _ticket("Now", "jan@example.pl", "C-1", days_ago=0)
    return {"current": current, "mine": [current, *mine], "others": others}


def _listed_numbers(page: str) -> list[str]:
    rows = page[page.index('id="ticket-rows"') :]
    return list(dict.fromkeys(re.findall(r'href="/tickets/(LD-\d+)"', rows)))


def test_all_requests_link_lists_every_one_of_them_with_a_chip_to_take_off(
    client, login, create_user, customer
):
    current = customer["current"]
    anna = create_user(email="anna@example.com", name="Anna", role=Role.ADMIN, locale="pl")
    login(anna)
    page = client.get(f"/tickets/{current.number}").get_data(as_text=True)
    link = f'href="/tickets?customer={current.number}"'
    assert link in page
    assert "Wszystkie zgłoszenia tego klienta (8)" in text_of(
        client.get(f"/tickets/{current.number}")
    )
    listed = client.get(f"/tickets?customer={current.number}")
    html = listed.get_data(as_text=True)
    # All eight, the ticket itself among them: the address in any case, or the verified id.
    assert sorted(_listed_numbers(html)) == sorted(t.number for t in customer["mine"])
    words = text_of(listed)
    assert f"Zgłoszenia klienta z {current.number}" in words
    for other in customer["others"]:
        assert other.subject not in words
    # The chip takes the filter off; the search box keeps it.
    assert 'href="/tickets" class="chip-remove" aria-label="Usuń ten filtr"' in html
    assert f'<input type="hidden" name="customer" value="{current.number}">' in html
    searched = client.get(f"/tickets?customer={current.number}&q=widget")
    assert _listed_numbers(searched.get_data(as_text=True)) == [customer["mine"][-1].number]
    # Typed by hand: any case, or not a ticket number (dropped, never an error).
    assert len(_listed_numbers(client.get(f"/tickets?customer={current.number.lower()}").text)) == 8
    everything = client.get("/tickets?customer=nonsense%00")
    assert everything.status_code == 200 and "chip-remove" not in everything.text


def test_a_ticket_known_only_by_its_id_lists_the_id_s_requests(
    client, login, builtin_forms, customer
):
    by_id = customer["mine"][4]  # no address: its customer is the verified C-1 only
    login(builtin_forms)
    numbers = _listed_numbers(client.get(f"/tickets?customer={by_id.number}").text)
    expected = [t for t in customer["mine"] if t.customer_ref == "C-1"]
    assert sorted(numbers) == sorted(t.number for t in expected)
    unsigned = customer["others"][0]  # an unsigned id has no one's requests but its own
    assert _listed_numbers(client.get(f"/tickets?customer={unsigned.number}").text) == [
        unsigned.number
    ]


def test_the_board_the_csv_and_the_api_filter_by_the_customer_too(
    client, login, builtin_forms, customer
):
    current = customer["current"]
    login(builtin_forms)
    board = client.get(f"/board?customer={current.number}")
    words, html = text_of(board), board.get_data(as_text=True)
    assert f"Requests from the customer of {current.number}" in words
    assert f'<input type="hidden" name="customer" value="{current.number}">' in html
    for ticket in customer["mine"]:
        assert ticket.number in words
    for other in customer["others"]:
        assert other.number not in words
    exported = client.get(f"/tickets.csv?customer={current.number}").text
    assert sum(t.number in exported for t in customer["mine"]) == 8
    assert not any(t.number in exported for t in customer["others"])
    token = bearer(api_token(scope=TokenScope.READ))
    body = client.get(f"/api/v1/tickets?customer={current.number}", headers=token).get_json()
    assert {t["number"] for t in body["data"]} == {t.number for t in customer["mine"]}
    assert client.get("/api/v1/tickets?customer=C-1", headers=token).status_code == 400


def test_a_team_limited_agent_sees_only_their_teams_requests_of_the_customer(
    client, login, create_user, builtin_forms
):
    care = db.session.query(Team).filter_by(slug="customer-care").one()
    quality = db.session.query(Team).filter_by(slug="product-quality").one()
    ola = create_user(email="limited@example.com", name="Limited Ola")
    ola.ticket_access = TicketAccess.TEAMS
    db.session.add(TeamMembership(team=care, user=ola))
    ours = _ticket("Ours", "jan@example.pl", "C-1")
    ours_by_id = _ticket("Ours by id", None, "C-1")
    theirs = _ticket("Theirs", "jan@example.pl", "C-1")
    for ticket, team in ((ours, care), (ours_by_id, care), (theirs, quality)):
        ticket.team_id, ticket.assignee_id = team.id, None
    db.session.commit()
    login(ola)
    numbers = _listed_numbers(client.get(f"/tickets?customer={ours.number}").text)
    assert sorted(numbers) == sorted([ours.number, ours_by_id.number])
    # Another team's ticket names a customer this agent may not learn about: nothing.
    assert _listed_numbers(client.get(f"/tickets?customer={theirs.number}").text) == []
    assert ours.number not in text_of(client.get(f"/board?customer={theirs.number}"))


def test_the_list_s_query_count_does_not_grow_with_the_customer_s_requests(
    client, login, builtin_forms, customer, count_queries
):
    current = customer["current"]
    login(builtin_forms)
    url = f"/tickets?customer={current.number}"

    def queries() -> int:
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    queries()
    before = queries()
    for n in range(6):
        _ticket(f"More {n}", f"c{n}@example.pl", "C-1")
    assert queries() == before
    assert len(_listed_numbers(client.get(url).text)) == 14


def test_merging_offers_and_allows_the_same_verified_id_never_an_unsigned_one(
    client, login, post_form, create_user, builtin_forms
):
    from webapp.models import Ticket

    earlier = _ticket("Order 1 never came", "jan@example.pl", "C-1", days_ago=2)
    widget = _ticket("Widget: still no order", None, "C-1", days_ago=1)
    work = _ticket("From work", "jan@work.example", "C-1", days_ago=1)
    unsigned = _ticket("Unsigned", None, "C-1", verified=False)
    stranger = _ticket("Stranger", "ewa@example.pl", "C-2")
    dmitri = create_user(email="dmitri@example.com", name="Dmitri", role=Role.ADMIN, locale="ru")
    login(dmitri)
    page = client.get(f"/tickets/{widget.number}").get_data(as_text=True)
    section = page[page.index('id="ws-merge"') :]
    assert f'value="{earlier.number}"' in section and f'value="{work.number}"' in section
    assert unsigned.number not in section and stranger.number not in section
    assert "тем же подтверждённым ID клиента" in section
    # The unsigned id offers nothing, and a merge typed by hand is refused in Russian.
    page = client.get(f"/tickets/{unsigned.number}").get_data(as_text=True)
    assert 'name="target"' not in page[page.index('id="ws-merge"') :]
    refused = post_form(
        f"/tickets/{unsigned.number}/merge", {"number": earlier.number, "confirm": "1"}
    )
    assert refused.status_code == 422
    assert "Объединять можно только обращения одного клиента" in text_of(refused)
    assert db.session.get(Ticket, unsigned.id).merged_into_id is None
    merged = post_form(
        f"/tickets/{widget.number}/merge",
        {"number": earlier.number, "confirm": "1", "version": str(widget.version)},
    )
    assert merged.status_code in (200, 303)
    db.session.expire_all()
    assert db.session.get(Ticket, widget.id).merged_into_id == earlier.id
