"""Two agents, two database connections, one ticket: one wins, the other gets a clear conflict."""

import threading
import time

import pytest

from webapp.extensions import db
from webapp.models import Team, TeamMembership, Ticket
from webapp.services.tickets import NewTicket, TicketConflict, create_ticket, fire


@pytest.fixture
def care_team(app, create_user):
    team = Team(slug="customer-care", name="Customer Care")
    db.session.add(team)
    members = []
    for email, name in (("a@example.com", "Ala"), ("b@example.com", "Bob")):
        user = create_user(email=email, name=name)
        user.working_hours = {}
        db.session.add(TeamMembership(team=team, user=user))
        members.append(user)
    db.session.commit()
    return members


def test_a_racing_move_gets_a_conflict_naming_who_moved_it_where(app, care_team):
    ticket = create_ticket(NewTicket(subject="Race", customer_locale="en"))
    db.session.commit()
    ticket_id, assignee_id = ticket.id, ticket.assignee_id
    with app.app_context():  # a second request: its own session and connection
        other = db.session.get(Ticket, ticket_id)
        other_actor = other.assignee
        assert other.state == "assigned"
        # Agent A moves the ticket and commits first.
        fire(other, "start", other_actor)
        db.session.commit()
    # Agent B still holds the old version of the ticket.
    assert ticket.state == "assigned"
    admin_b = db.session.get(type(ticket.assignee), assignee_id)
    with pytest.raises(TicketConflict) as conflict:
        fire(ticket, "resolve", admin_b)
    last = conflict.value.last_event
    assert (last.to_state, last.data["trigger"]) == ("in_progress", "start")
    assert last.actor_id == assignee_id
    db.session.rollback()
    fresh = db.session.get(Ticket, ticket_id)
    assert fresh.state == "in_progress"  # the winner's move, nothing overwritten


def test_expected_version_from_the_board_is_checked(app, care_team):
    ticket = create_ticket(NewTicket(subject="Stale card", customer_locale="en"))
    db.session.commit()
    with pytest.raises(TicketConflict):
        fire(ticket, "start", ticket.assignee, expected_version=ticket.version - 1)


def test_concurrent_round_robin_never_reuses_a_stale_pointer(app, care_team):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises writers anyway)")
    results: dict[str, str] = {}
    first_holds_lock = threading.Event()

    def route_one(name: str, hold: bool) -> None:
        with app.app_context():
            ticket = create_ticket(NewTicket(subject=name, customer_locale="en"))
            if hold:
                first_holds_lock.set()
                time.sleep(0.5)  # the second router must wait for this commit
            db.session.commit()
            results[name] = ticket.assignee.name

    first = threading.Thread(target=route_one, args=("one", True))
    first.start()
    first_holds_lock.wait(5)
    second = threading.Thread(target=route_one, args=("two", False))
    second.start()
    first.join(10)
    second.join(10)
    assert sorted(results.values()) == ["Ala", "Bob"]
