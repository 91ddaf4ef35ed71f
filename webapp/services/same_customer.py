"""Which tickets are one customer's: the same e-mail address (any case), or the same
*verified* customer id (the customer's id in the shop's own app, signed into a form's link).

An unsigned id joins nothing: anyone can type one into a link. These conditions serve the
ticket page's other requests, the ticket list's and board's "this customer's requests"
filter, merging, and the customer's own list of their requests, so they cannot disagree.
"""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from webapp.models import Ticket, User
from webapp.services.ticket_access import visible_condition


def same_customer_condition(ticket: Ticket) -> ColumnElement[bool] | None:
    """Tickets of `ticket`'s customer (`ticket` among them); None when it knows neither an
    address nor a verified id."""
    same = []
    if ticket.customer_email:
        same.append(func.lower(Ticket.customer_email) == ticket.customer_email.strip().lower())
    if ticket.customer_ref and ticket.customer_ref_verified:
        same.append(
            and_(Ticket.customer_ref == ticket.customer_ref, Ticket.customer_ref_verified.is_(True))
        )
    return or_(*same) if same else None


def is_same_customer(one: Ticket, other: Ticket) -> bool:
    """`same_customer_condition` for two loaded tickets, without a query."""
    if (
        one.customer_email
        and other.customer_email
        and one.customer_email.strip().lower() == other.customer_email.strip().lower()
    ):
        return True
    return bool(
        one.customer_ref
        and one.customer_ref_verified
        and other.customer_ref_verified
        and one.customer_ref == other.customer_ref
    )


def customer_of_ticket_condition(ticket_id: int, viewer: User) -> ColumnElement[bool]:
    """Tickets of the customer of ticket `ticket_id` (itself too), as one SQL condition with
    no query of its own: the board and the list filter by it (`?customer=LD-1042`).

    Nothing matches when `viewer` may not open that ticket: its customer's other requests
    would tell another team's agent who wrote it.
    """
    anchor = aliased(Ticket)
    visible = visible_condition(viewer)
    anchor_id = select(Ticket.id).where(
        Ticket.id == ticket_id, *([] if visible is None else [visible])
    )
    # Correlated to nothing: `ticket` here is the anchor, not the row being filtered.
    anchor_id = anchor_id.correlate(None).scalar_subquery()
    emails = select(func.lower(anchor.customer_email)).where(
        anchor.id == anchor_id, anchor.customer_email.is_not(None)
    )
    refs = select(anchor.customer_ref).where(
        anchor.id == anchor_id,
        anchor.customer_ref_verified.is_(True),
        anchor.customer_ref.is_not(None),
    )
    return or_(
        Ticket.id == anchor_id,
        func.lower(Ticket.customer_email).in_(emails),
        and_(Ticket.customer_ref_verified.is_(True), Ticket.customer_ref.in_(refs)),
    )


def tickets_of_address_condition(
    address: str, id_from=(), addressless_only: bool = False
) -> ColumnElement[bool]:
    """Tickets with `address` (already lower-cased), and those with a verified customer id
    that one of them carries: the same customer, also where they answered a widget without
    an address. `id_from`: further conditions on the tickets whose ids count (the customer's
    own list takes none from spam). `addressless_only`: of the tickets found by id, only
    those sent without an address; one with another address is that mailbox's (the
    customer's own list: a signed-in customer who mistyped their address once must not show
    a stranger every request they sent from their own)."""
    with_address = aliased(Ticket)
    their_ids = select(with_address.customer_ref).where(
        func.lower(with_address.customer_email) == address,
        with_address.customer_ref_verified.is_(True),
        with_address.customer_ref.is_not(None),
        *(condition(with_address) for condition in id_from),
    )
    by_id = [Ticket.customer_ref_verified.is_(True), Ticket.customer_ref.in_(their_ids)]
    if addressless_only:
        by_id.append(Ticket.customer_email.is_(None))
    return or_(func.lower(Ticket.customer_email) == address, and_(*by_id))
