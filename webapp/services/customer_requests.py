"""A customer's own list of their requests, reached by a link e-mailed to their address.

Customers have no accounts: each request has its private status link, in the confirmation
e-mail. Someone who wrote several times, or lost that e-mail, asks for one link that lists
them all. The page where they ask says the same whether or not we hold requests for the
address (it must not tell a stranger who wrote to us); the link goes only to that mailbox,
is signed and expires after LINK_DAYS.

The link names one of the customer's tickets, not the address: an e-mail address in a URL
ends up in browser history and logs. The list is "the tickets with that ticket's address",
so it follows an erasure (the address is gone) and never outlives the customer's data; and
those sent without an address with the verified customer id of one of them (the shop's own
id, signed into a form's link): the customer proved the address, and that id is theirs, on a
widget answer sent without an address. A ticket of that id with another address is listed for
that address only: the customer may have mistyped it, and its mailbox must not see the rest.
An unsigned id adds nothing: anyone can type one into a link.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.external_urls import external_url
from webapp.models import Ticket
from webapp.outbox import queue_email
from webapp.people import normalise_email
from webapp.services import recipient_limits
from webapp.services.customer_timezone import FIELD as TIMEZONE_FIELD
from webapp.services.customer_timezone import customer_timezone, known_timezone
from webapp.services.non_essential_mail import is_opted_out
from webapp.services.same_customer import tickets_of_address_condition
from webapp.services.spam import is_blocked
from webapp.services.workflow_versions import machine_for
from webapp.signing import timed_serializer

LINK_DAYS = 7
SHOWN = 100  # newest first; a customer with more is a company account, not a person
_SALT = "loopdesk-customer-requests"


@dataclass(frozen=True)
class CustomerRequest:
    number: str
    subject: str
    state_label: str
    waiting_for_customer: bool
    finished: bool
    created_at: datetime
    updated_at: datetime
    status_token: str
    timezone: str | None = None  # the customer's browser's, when it told us on this request


class LinkExpired(ValueError):
    """A genuine link, older than LINK_DAYS."""


def _signer() -> URLSafeTimedSerializer:
    return timed_serializer(_SALT)


_SHOWN_TO_THE_CUSTOMER = (
    Ticket.spam_at.is_(None),
    Ticket.customer_erased_at.is_(None),
    Ticket.merged_into_id.is_(None),
)


def _listed(address: str):
    """The tickets with the address a customer sees in their list: not spam, not erased,
    not merged away (a merged duplicate's conversation carries on in the ticket kept, which
    is listed)."""
    return select(Ticket).where(
        func.lower(Ticket.customer_email) == normalise_email(address), *_SHOWN_TO_THE_CUSTOMER
    )


def _listed_with_their_ids(address: str):
    """`_listed`, and the tickets sent without an address that carry the verified customer
    id of one of the address's tickets (never of a spam one: its words are not the
    customer's), on the same terms. A ticket with another address is listed for that one."""
    return select(Ticket).where(
        tickets_of_address_condition(
            normalise_email(address),
            id_from=(lambda t: t.spam_at.is_(None),),
            addressless_only=True,
        ),
        *_SHOWN_TO_THE_CUSTOMER,
    )


def _newest_ticket_id(address: str) -> int | None:
    return db.session.scalar(
        _listed(address).with_only_columns(Ticket.id).order_by(Ticket.id.desc()).limit(1)
    )


def send_link(address: str, lang: str) -> bool:
    """Queue the e-mail with the link, if the address has requests and may be mailed.

    False only when the address already had its share of these e-mails today (the caller
    says so); otherwise True, whether or not anything was sent, so that the answer does
    not tell who wrote to us. Counted first, so probing costs the same either way.
    """
    if not recipient_limits.count_mail_to(address, "requests_link"):
        return False
    ticket_id = _newest_ticket_id(address)
    if ticket_id is None or is_opted_out(address) or is_blocked(address):
        return True
    link = external_url(
        "public.customer_requests_page", token=_signer().dumps(ticket_id), lang=lang
    )
    queue_email(address, "requests_link", lang, {"link": link, "days": LINK_DAYS})
    return True


def requests_for_link(token: str) -> list[CustomerRequest] | None:
    """The requests the link lists, newest first; None for a link that is not ours.

    Raises LinkExpired for one of ours past LINK_DAYS (the page offers a new one).
    """
    try:
        ticket_id = _signer().loads(token, max_age=LINK_DAYS * 24 * 3600)
    except SignatureExpired as expired:
        raise LinkExpired from expired
    except BadSignature:
        return None
    if not isinstance(ticket_id, int):
        return None
    address = db.session.scalar(select(Ticket.customer_email).where(Ticket.id == ticket_id))
    if not address:
        return []  # erased since the link was sent: nothing of theirs is kept to list
    tickets = db.session.scalars(_newest_shown(_listed_with_their_ids(address))).all()
    return [_as_request(ticket) for ticket in tickets]


def _as_request(ticket: Ticket) -> CustomerRequest:
    from flask_babel import get_locale

    state = machine_for(ticket.workflow_version_id).definition.states[ticket.state]
    return CustomerRequest(
        number=ticket.number,
        subject=ticket.subject,
        state_label=customer_state_label(state, str(get_locale())),
        waiting_for_customer=state.category == "waiting",
        finished=state.category in ("resolved", "closed"),
        created_at=ticket.created_at,
        updated_at=ticket.updated_at or ticket.created_at,
        status_token=ticket.status_token,
        timezone=customer_timezone(ticket),
    )


def _newest_shown(query):
    """The customer's list: newest first, the SHOWN newest."""
    return query.order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(SHOWN)


def _newest_known(zones: Iterable[object]) -> str | None:
    """Of the listed requests' zones, newest first, the first one known (where the
    customer's browser was last): the one choice the list and the status page share."""
    return next((zone for zone in map(known_timezone, zones) if zone), None)


def list_timezone(requests: list[CustomerRequest]) -> str | None:
    """The zone the customer's list reads in: the newest request's that knows it, for every
    request, so one customer's list speaks of one clock; None when none of them knows it."""
    return _newest_known(r.timezone for r in requests)


def request_timezone(ticket: Ticket) -> str | None:
    """The zone a request's status page reads in: its own, when the customer's browser told
    us on it; else the zone their list of requests reads in (`list_timezone`: the newest of
    the requests listed for the ticket's address that knows one), so a request sent without
    JavaScript reads on the clock of the customer's others. None when none knows it.

    No query when the request knows its zone; else one, for the zones alone.
    """
    own = customer_timezone(ticket)
    if own is not None or not ticket.customer_email:
        return own
    zone = Ticket.facts[("metadata", TIMEZONE_FIELD)].as_string()
    listed = _listed_with_their_ids(ticket.customer_email).with_only_columns(zone)
    return _newest_known(db.session.scalars(_newest_shown(listed)))


def customer_state_label(state, lang: str) -> str:
    """A state's name as the customer reads it: "waiting on customer" is, to them, their turn."""
    from flask_babel import gettext as _

    return _("Waiting for your reply") if state.category == "waiting" else state.label(lang)
