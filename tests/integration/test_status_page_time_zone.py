"""A request sent without JavaScript recorded no time zone: its status page reads on the clock
of the customer's other requests, as their list of requests does (the newest that knows one),
not on the server's. A request that knows its own zone keeps it."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.helpers import make_ticket, text_of
from webapp.extensions import db

LATE = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # already 1 December in Warsaw


def _status(client, ticket, lang: str = "pl") -> tuple[str, str]:
    """The status page as the customer reads it: its text, and its HTML."""
    page = client.get(f"/t/{ticket.status_token}?lang={lang}")
    assert page.status_code == 200
    return text_of(page), page.get_data(as_text=True)


def test_a_request_without_a_zone_reads_on_the_clock_of_the_customers_others(client):
    make_ticket(
        subject="Z przeglądarki",
        created_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        metadata={"timezone": "Europe/Warsaw"},
    )
    plain = make_ticket(subject="Bez JavaScriptu", created_at=LATE)
    said, html = _status(client, plain)
    assert "1.12.2026, 00:30 (czas środkowoeuropejski)" in said, said
    assert "(UTC)" not in said and "data-local-time" not in html
    russian, _html = _status(client, plain, "ru")
    assert "01.12.2026, 00:30 (Центральная Европа)" in russian, russian

    # He wrote again from New York: the request without a zone follows him, as his list
    # does; the one his browser sent from Warsaw stays on Warsaw's clock.
    warsaw = make_ticket(
        subject="Jeszcze z Warszawy",
        created_at=datetime(2026, 11, 3, 9, 0, tzinfo=UTC),
        metadata={"timezone": "Europe/Warsaw"},
    )
    make_ticket(
        subject="Jestem w Nowym Jorku",
        created_at=datetime(2026, 12, 3, 15, 0, tzinfo=UTC),
        metadata={"timezone": "America/New_York"},
    )
    said, _html = _status(client, plain)
    assert "30.11.2026, 18:30 (czas wschodnioamerykański)" in said, said
    assert "czas środkowoeuropejski" not in said
    said, _html = _status(client, warsaw)
    assert "czas środkowoeuropejski" in said and "wschodnioamerykański" not in said


def test_only_the_customers_own_requests_lend_their_zone(client):
    """Another customer's zone, one a link's field made up, a spam request's: none counts."""
    make_ticket(customer_email="ola@example.pl", metadata={"timezone": "Asia/Tokyo"})
    spam = make_ticket(metadata={"timezone": "Asia/Tokyo"})
    spam.spam_at = LATE
    make_ticket(metadata={"timezone": "Mars/Olympus_Mons"})
    db.session.commit()
    plain = make_ticket(subject="Bez JavaScriptu", created_at=LATE)
    said, html = _status(client, plain)
    assert "30.11.2026, 23:30 (UTC)" in said, said
    assert "data-local-time" in html  # app.js shows it on the reader's own clock

    make_ticket(
        customer_email="JAN@example.pl",  # the same address, as he typed it another time
        created_at=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
        metadata={"timezone": "Europe/Warsaw"},
    )
    said, _html = _status(client, plain)
    assert "1.12.2026, 00:30 (czas środkowoeuropejski)" in said, said


def test_the_customers_zone_costs_one_query_however_many_requests(client, count_queries):
    known = make_ticket(metadata={"timezone": "Europe/Warsaw"})
    plain = make_ticket(subject="Bez JavaScriptu", created_at=LATE)

    def queries(ticket) -> int:
        client.get(f"/t/{ticket.status_token}")  # the first visit may read more
        db.session.expire_all()
        with count_queries() as statements:
            assert client.get(f"/t/{ticket.status_token}").status_code == 200
        return len(statements)

    own, borrowed = queries(known), queries(plain)
    assert borrowed == own + 1
    for day in range(1, 9):
        make_ticket(created_at=datetime(2026, 10, day, 9, 0, tzinfo=UTC))
    assert queries(plain) == borrowed
