"""What the browser tests about tickets start from: Ada on duty in Customer Care, and a
detractor's ticket that the routing gives her."""

from __future__ import annotations

from webapp.extensions import db
from webapp.models import Team, TeamMembership, Ticket, User
from webapp.services.tickets import NewTicket, create_ticket


def on_duty_in_customer_care(agent: User) -> Team:
    """`agent` is Customer Care's only member, with no working hours: always on duty."""
    team = Team(slug="customer-care", name="Customer Care")
    db.session.add(team)
    agent.working_hours = {}
    db.session.add(TeamMembership(team=team, user=agent))
    return team


def new_ticket(subject: str = "Parcel arrived broken") -> Ticket:
    """A detractor's ticket from Jan, created as the form's would be, and committed."""
    ticket = create_ticket(
        NewTicket(
            subject=subject,
            customer_name="Jan",
            customer_email="jan@example.com",
            customer_locale="en",
            answers={"nps": 3},
            score={"type": "nps", "value": 3, "category": "detractor"},
        )
    )
    db.session.commit()
    return ticket
