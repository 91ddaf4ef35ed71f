"""Two agents answering one customer at once: the second is told before sending.

The reply form carries the newest customer-facing message the agent had on screen. If a
colleague replied, or the customer wrote again, since then, the reply is held back and the
agent reads what came in first: the customer gets neither two answers nor one that
misses what they just said.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select

from webapp.extensions import db
from webapp.models import Ticket, TicketEvent, User

CONVERSATION_EVENTS = ("public_reply", "customer_reply")


def last_message_id(events: Iterable[TicketEvent]) -> int:
    """The newest customer-facing message among `events` (the workspace's timeline)."""
    return max((e.id for e in events if e.kind in CONVERSATION_EVENTS), default=0)


def messages_since(ticket: Ticket, seen: int, agent: User) -> list[TicketEvent]:
    """Replies by colleagues and messages from the customer that came in after `seen`."""
    return list(
        db.session.scalars(
            select(TicketEvent)
            .where(
                TicketEvent.ticket_id == ticket.id,
                TicketEvent.id > seen,
                TicketEvent.kind.in_(CONVERSATION_EVENTS),
                or_(TicketEvent.actor_id.is_(None), TicketEvent.actor_id != agent.id),
            )
            .order_by(TicketEvent.id)
        )
    )
