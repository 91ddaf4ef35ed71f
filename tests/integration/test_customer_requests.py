"""The ticket page shows the customer's other requests: what they asked before or still await."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers import make_ticket, text_of
from webapp.extensions import db
from webapp.models import Team, TeamMembership, utcnow

XSS = '<script>alert("x")</script>'


@pytest.fixture
def ola(app, create_user):
    team = Team(slug="customer-care", name="Customer Care")
    db.session.add(team)
    agent = create_user(email="ola@example.com", name="Ola Nowak", locale="pl")
    db.session.add(TeamMembership(team=team, user=agent))
    db.session.commit()
    return agent


def _ticket(subject: str, email: str, days_ago: int):
    return make_ticket(
        subject=subject, customer_email=email, created_at=utcnow() - timedelta(days=days_ago)
    )


def test_the_customer_s_other_requests_newest_first_with_a_link_to_all(client, login, ola):
    older = [_ticket(f"Zgłoszenie {n}", "jan@example.pl", days_ago=10 - n) for n in range(6)]
    _ticket("Cudze zgłoszenie", "ktos@example.pl", days_ago=1)
    # The same address in another case.
    current = _ticket("Znowu nie działa", "Jan@Example.PL", days_ago=0)
    login(ola)
    response = client.get(f"/tickets/{current.number}")
    page, words = response.get_data(as_text=True), text_of(response)
    assert "6 innych zgłoszeń tego klienta" in words
    # The five newest, newest first, each linked, with its state in the agent's language.
    shown = [t.number for t in reversed(older[1:])]
    positions = [page.index(f'href="/tickets/{number}"') for number in shown]
    assert positions == sorted(positions)
    requests = page[
        page.index('class="customer-requests"') : page.index(
            "</details>", page.index('class="customer-requests"')
        )
    ]
    assert older[0].number not in requests and "Cudze zgłoszenie" not in words
    assert "Zgłoszenie 5 · Przypisane" in words
    # The list filtered by this ticket's customer shows them all.
    assert f'href="/tickets?customer={current.number}"' in page
    assert "Wszystkie zgłoszenia tego klienta (7)" in words
    listed = client.get(f"/tickets?customer={current.number}").get_data(as_text=True)
    assert all(t.number in listed for t in [*older, current])
    assert "Cudze zgłoszenie" not in listed


def test_one_other_request_reads_in_the_singular_and_has_no_all_link(client, login, ola):
    _ticket("Pierwsze", "jan@example.pl", days_ago=3)
    current = _ticket("Drugie", "jan@example.pl", days_ago=0)
    login(ola)
    words = text_of(client.get(f"/tickets/{current.number}"))
    assert "1 inne zgłoszenie tego klienta" in words
    assert "Wszystkie zgłoszenia" not in words


def test_nothing_is_shown_for_a_first_request_or_one_without_an_address(client, login, ola):
    first = _ticket("Pierwsze", "jan@example.pl", days_ago=0)
    anonymous = make_ticket(subject="Bez adresu", customer_email=None)
    make_ticket(subject="Też bez adresu", customer_email=None)
    login(ola)
    for ticket in (first, anonymous):
        assert "tego klienta" not in text_of(client.get(f"/tickets/{ticket.number}"))


def test_an_earlier_subject_is_escaped(client, login, ola):
    _ticket(XSS, "jan@example.pl", days_ago=2)
    current = _ticket("Nowe", "jan@example.pl", days_ago=0)
    login(ola)
    page = client.get(f"/tickets/{current.number}").get_data(as_text=True)
    assert XSS not in page and "&lt;script&gt;" in page


def test_the_page_s_query_count_does_not_grow_with_the_customer_s_requests(
    client, login, ola, count_queries
):
    current = _ticket("Nowe", "jan@example.pl", days_ago=0)
    login(ola)
    client.get(f"/tickets/{current.number}")

    def queries() -> int:
        with count_queries() as statements:
            assert client.get(f"/tickets/{current.number}").status_code == 200
        return len(statements)

    _ticket("Stare", "jan@example.pl", days_ago=1)
    one = queries()
    for n in range(8):
        _ticket(f"Stare {n}", "jan@example.pl", days_ago=n + 2)
    assert queries() == one


def test_a_merged_or_spam_request_says_so(client, login, ola):
    kept = _ticket("Płatność", "jan@example.pl", days_ago=3)
    duplicate = _ticket("Nadal płatność", "jan@example.pl", days_ago=2)
    junk = _ticket("Tanie zegarki", "jan@example.pl", days_ago=1)
    duplicate.merged_into_id, junk.spam_at = kept.id, utcnow()
    db.session.commit()
    current = _ticket("Znowu", "jan@example.pl", days_ago=0)
    login(ola)
    words = text_of(client.get(f"/tickets/{current.number}"))
    assert f"Nadal płatność · Przypisane · Scalone z {kept.number}" in words
    assert "Tanie zegarki · Przypisane ·" in words and "Spam" in words
