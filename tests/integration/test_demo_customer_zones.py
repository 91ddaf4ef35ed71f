"""The demo's customers answered from browsers that told us their time zones, as real ones
do: their responses and tickets keep the zone, and their status pages and their list of
requests show times on their own clock, named in their language."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.helpers import text_of
from webapp.demo import DEMO_TICKETS
from webapp.extensions import db
from webapp.models import OutboxMessage, Response, Ticket
from webapp.services.customer_requests import send_link
from webapp.services.customer_timezone import customer_timezone


def _ticket(subject: str) -> Ticket:
    return db.session.scalar(select(Ticket).where(Ticket.subject == subject))


def test_every_demo_customer_s_browser_told_us_their_zone(demo_data):
    tickets = db.session.scalars(select(Ticket)).all()
    zones = {ticket.customer_email: customer_timezone(ticket) for ticket in tickets}
    assert None not in zones.values(), [email for email, zone in zones.items() if zone is None]
    # At home by their language mostly, a few abroad.
    by_locale = {t.customer_locale: customer_timezone(t) for t in tickets}
    assert by_locale["pl"] == "Europe/Warsaw" and by_locale["sl"] == "Europe/Ljubljana"
    assert zones["olga.smirnova@example.ru"] == "Europe/Moscow"
    assert zones["oliver@example.com"] == "America/New_York"
    assert len(set(zones.values())) >= 6
    # The ticket took it from the response it was made from, as a real submission does; a
    # survey answered by one click in an e-mail never ran app.js, and has none.
    for response in db.session.scalars(select(Response)):
        if "survey_invitation" in response.meta:
            assert "timezone" not in response.meta
            continue
        assert response.meta.get("timezone"), response.id
        if response.ticket_id is not None:
            ticket = db.session.get(Ticket, response.ticket_id)
            assert response.meta["timezone"] == customer_timezone(ticket)
    # The history behind today's tickets too (weeks of finished ones).
    assert len(tickets) > len(DEMO_TICKETS) + 30


def test_demo_status_pages_speak_of_the_customer_s_clock(demo_data, client):
    olga = text_of(client.get(f"/t/{_ticket('Доставка задержалась на неделю').status_token}"))
    assert "(Москва)" in olga and "(UTC)" not in olga
    jan = text_of(client.get(f"/t/{_ticket('Płatność kartą nie przechodzi').status_token}"))
    assert "(czas środkowoeuropejski)" in jan and "(UTC)" not in jan
    oliver = text_of(client.get(f"/t/{_ticket('Mobile app logs me out').status_token}"))
    assert "(Eastern Time)" in oliver and "(UTC)" not in oliver


def test_a_demo_customer_s_list_of_requests_is_in_their_zone(demo_data, client):
    """Jan wrote twice: his list names both requests on Warsaw's clock."""
    assert send_link("jan.wisniewski@example.pl", "pl")
    db.session.commit()
    mail = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.template == "requests_link")
        .order_by(OutboxMessage.id.desc())
    ).first()
    link = re.search(r"https?://[^/\s]+(/requests/\S+)", mail.body_text).group(1)
    said = text_of(client.get(link))
    assert said.count("(czas środkowoeuropejski)") == 2, said
    assert "Płatność kartą nie przechodzi" in said and "Nadal nie mogę zapłacić kartą" in said
    assert "(UTC)" not in said
