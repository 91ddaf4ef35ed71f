"""Marking a ticket as spam, and the senders whose messages no longer reach the agents.

Spam that got past the honeypot and the rate limits leaves in one step, as a merged
duplicate does (services.merging):

- the ticket moves to its lifecycle's closed state without firing a transition (the
  "customer" is not e-mailed; the clocks stop; a scheduled survey is cancelled), is marked
  `spam_at` and stays readable; moves and replies on it are refused;
- its form response stays listed but leaves scores, counts and themes (`Response.spam`);
- its status link answers "not found": whoever sent it learns nothing;
- optionally its sender is blocked: their next completed forms create no ticket and send no
  confirmation, their e-mails are recorded and not added.

"Not spam" clears the mark (the ticket stays closed, and reopens as any closed ticket does)
and lifts the block made from it. Nothing is ever deleted: blocking only stops what comes next.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from webapp.email_addresses import valid_email_address
from webapp.extensions import db
from webapp.models import BlockedSender, Response, Ticket, User, utcnow
from webapp.services import audit
from webapp.services.history import record_event
from webapp.services.tickets import (
    TicketConflict,
    close_without_transition,
    closed_state,
    flush_or_conflict,
)

MAX_NOTE = 300


class SpamRefused(ValueError):
    """The ticket cannot be marked (or unmarked) now; the code says why, the web layer words it."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class BlockRefused(ValueError):
    """The address cannot be blocked as typed (the code says why)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class MarkedSpam:
    ticket: Ticket
    blocked: BlockedSender | None  # the block made from it (None: not asked, or already blocked)


def normalised(address: str | None) -> str:
    return (address or "").strip().lower()


def is_blocked(address: str | None) -> bool:
    """Whether messages from `address` are stopped (one indexed query)."""
    email = normalised(address)
    if not email:
        return False
    found = db.session.scalar(select(BlockedSender.id).where(BlockedSender.email == email))
    return found is not None


def blocked_senders() -> list[BlockedSender]:
    """Every blocked address, newest first, with who blocked it (one query)."""
    query = select(BlockedSender).options(joinedload(BlockedSender.blocked_by))
    return list(db.session.scalars(query.order_by(BlockedSender.id.desc())))


def _audited(row: BlockedSender) -> dict:
    ticket = Ticket.number_for(row.ticket_id) if row.ticket_id else None
    return audit.snapshot(row, ("email", "note"), ticket=ticket)


def block_sender(
    address: str, actor: User | None, *, note: str = "", ticket: Ticket | None = None
) -> BlockedSender:
    """Block `address` in the caller's transaction (the caller commits); audited."""
    email = normalised(address)
    note = " ".join((note or "").split())
    if not valid_email_address(email):
        raise BlockRefused("bad_email")
    if len(note) > MAX_NOTE:
        raise BlockRefused("note_too_long")
    if is_blocked(email):
        raise BlockRefused("already_blocked")
    row = BlockedSender(
        email=email,
        note=note,
        blocked_by=actor,
        ticket_id=ticket.id if ticket is not None else None,
        created_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    audit.record("blocked_sender.created", row, email, after=_audited(row), actor=actor)
    return row


def unblock_sender(row: BlockedSender, actor: User | None) -> None:
    """Lift the block (the row goes; the audit log keeps who blocked and who lifted it)."""
    audit.record("blocked_sender.removed", row, row.email, before=_audited(row), actor=actor)
    db.session.delete(row)
    db.session.flush()


def check_spam(ticket: Ticket) -> None:
    """Raise SpamRefused unless the ticket may be marked as spam now."""
    if ticket.spam_at is not None:
        raise SpamRefused("already_spam")
    if ticket.merged_into_id is not None:
        raise SpamRefused("merged")
    if closed_state(ticket) is None:
        raise SpamRefused("no_closed_state")


def mark_spam(
    ticket: Ticket,
    actor: User,
    *,
    block: bool = False,
    expected_version: int | None = None,
) -> MarkedSpam:
    """Mark the ticket as spam and close it, in the caller's transaction (the caller commits).

    A stale ticket (someone moved it meanwhile) raises TicketConflict before anything is
    recorded. `block` also blocks the customer's address, unless it already is.
    """
    check_spam(ticket)
    previous = close_without_transition(
        ticket, actor, reason="spam", expected_version=expected_version, spam_at=utcnow()
    )
    _mark_responses(ticket, spam=True)
    blocked = None
    if block and ticket.customer_email and not is_blocked(ticket.customer_email):
        try:
            blocked = block_sender(ticket.customer_email, actor, ticket=ticket)
        except BlockRefused:  # an address the form took but a block cannot: nothing to stop
            blocked = None
    # The address stays out of the history: it would outlive an erasure of the customer's data.
    record_event(
        ticket,
        "spam",
        actor,
        from_state=previous,
        to_state=ticket.state,
        sender_blocked=blocked is not None,
    )
    flush_or_conflict(ticket)
    from webapp.services.events import publish

    # A CRM that counted the request can take it back (and restore it on "not spam").
    publish(ticket, "ticket.spam", sender_blocked=blocked is not None)
    return MarkedSpam(ticket, blocked)


def _mark_responses(ticket: Ticket, *, spam: bool) -> None:
    """The form response behind the ticket leaves (or rejoins) scores, counts and themes."""
    db.session.execute(
        update(Response)
        .where(Response.ticket_id == ticket.id)
        .values(spam=spam)
        .execution_options(synchronize_session="fetch")
    )


def unmark_spam(ticket: Ticket, actor: User, *, expected_version: int | None = None) -> int:
    """ "Not spam": clear the mark and lift the block made from this ticket (how many lifted).

    The ticket stays in the state it is in; reopening it is an ordinary move.
    """
    if ticket.spam_at is None:
        raise SpamRefused("not_spam")
    if expected_version is not None and expected_version != ticket.version:
        raise TicketConflict(ticket.id)
    ticket.spam_at = None
    flush_or_conflict(ticket)
    _mark_responses(ticket, spam=False)
    made_here = select(BlockedSender).where(BlockedSender.ticket_id == ticket.id)
    lifted = 0
    for row in db.session.scalars(made_here).all():
        unblock_sender(row, actor)
        lifted += 1
    record_event(ticket, "not_spam", actor, sender_unblocked=lifted > 0)
    flush_or_conflict(ticket)
    from webapp.services.events import publish

    publish(ticket, "ticket.not_spam", sender_unblocked=lifted > 0)
    return lifted
