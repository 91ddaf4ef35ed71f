"""Every change to a ticket is an event in its history."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from webapp.extensions import db
from webapp.models import Ticket, TicketEvent, User, utcnow


@dataclass(frozen=True)
class Integration:
    """An API token acting on a ticket: a named integration ("API: CRM"), never a user.

    Services that take an actor accept it where a colleague would act (notes, labels);
    it has no id, so nobody is skipped as "the actor" when watchers are told.
    """

    name: str
    id: None = None


def actor_name(actor: Any) -> str:
    """Who did it, as the history names them: a colleague, or "API: CRM" for an integration
    (the prefix reads the same in every language of the app); "" for Loopdesk itself."""
    if actor is None:
        return ""
    return f"API: {actor.name}" if isinstance(actor, Integration) else actor.name


_event_time: ContextVar[datetime | None] = ContextVar("event_time", default=None)


@contextmanager
def events_dated(moment: datetime) -> Iterator[None]:
    """Date every event recorded inside the block `moment`: creating a ticket (its routing,
    assignment) is one instant, which matters for imported and demo tickets dated in the past."""
    token = _event_time.set(moment)
    try:
        yield
    finally:
        _event_time.reset(token)


def record_event(
    ticket: Ticket,
    kind: str,
    actor: User | Integration | None = None,
    *,
    actor_kind: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    **data: Any,
) -> TicketEvent:
    """Append an event; `actor=None` means the system (or the customer, via actor_kind)."""
    if isinstance(actor, Integration):
        actor_kind, data, actor = "api", {**data, "integration": actor.name}, None
    event = TicketEvent(
        ticket=ticket,
        kind=kind,
        actor=actor,
        actor_kind=actor_kind or ("user" if actor else "system"),
        from_state=from_state,
        to_state=to_state,
        data=data,
        created_at=_event_time.get() or utcnow(),
    )
    db.session.add(event)
    return event
