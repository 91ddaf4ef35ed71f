"""Every change to a ticket is an event in its history."""

from __future__ import annotations

from typing import Any

from webapp.extensions import db
from webapp.models import Ticket, TicketEvent, User, utcnow


def record_event(
    ticket: Ticket,
    kind: str,
    actor: User | None = None,
    *,
    actor_kind: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    **data: Any,
) -> TicketEvent:
    """Append an event; `actor=None` means the system (or the customer, via actor_kind)."""
    event = TicketEvent(
        ticket=ticket,
        kind=kind,
        actor=actor,
        actor_kind=actor_kind or ("user" if actor else "system"),
        from_state=from_state,
        to_state=to_state,
        data=data,
        created_at=utcnow(),
    )
    db.session.add(event)
    return event
