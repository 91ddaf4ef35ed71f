"""Marking a ticket as spam, and the senders whose messages no longer reach the agents.

Spam that got past the honeypot and the rate limits leaves in one step, as a merged
duplicate does (services.merging):

- the ticket moves to its lifecycle's closed state without firing a transition (the
  "customer" is not e-mailed; the clocks stop; a scheduled survey is cancelled), is marked
  `spam_at` and stays readable; moves and replies on it are refused;
- its form response stays listed but leaves scores, counts and themes (`Response.spam`);
- its status link answers "not found": whoever sent it learns nothing;
- optionally its sender is blocked (the address, or everyone at its domain): their next
  completed forms create no ticket and send no confirmation, their e-mails are recorded and
  not added.

A block is one `BlockedSender` row: an address (`spam@spam.example`) or a whole domain, stored
as `@` and its host name (`@spam.example`, punycode for an IDN). A domain block covers exactly
that domain, not its subdomains (`mail.spam.example` is another domain): least surprising, and
one indexed query still answers `is_blocked`. Free-mail domains cannot be blocked whole: that
would block real customers.

"Not spam" clears the mark (the ticket stays closed, and reopens as any closed ticket does)
and lifts the block made from it. Nothing is ever deleted: blocking only stops what comes next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import idna
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
DOMAIN_MARK = "@"  # a domain block's row holds "@" + the host name, beside the addresses

# Domains where anyone may open a mailbox: blocking one whole would block real customers.
FREE_MAIL_DOMAINS = frozenset(
    {
        # international
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
        "hotmail.co.uk", "outlook.de", "hotmail.de", "hotmail.fr", "live.co.uk",
        "yahoo.com", "yahoo.co.uk", "yahoo.de", "yahoo.fr", "ymail.com", "rocketmail.com",
        "aol.com", "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com", "pm.me",
        "gmx.com", "gmx.net", "gmx.de", "web.de", "mail.com", "zoho.com", "tutanota.com",
        "tuta.io", "fastmail.com", "yandex.com",
        # Polish
        "wp.pl", "o2.pl", "interia.pl", "interia.eu", "onet.pl", "onet.eu", "op.pl",
        "poczta.onet.pl", "vp.pl", "gazeta.pl", "tlen.pl", "go2.pl", "poczta.fm", "int.pl",
        # Russian
        "mail.ru", "bk.ru", "inbox.ru", "list.ru", "internet.ru", "yandex.ru", "ya.ru",
        "rambler.ru", "lenta.ru", "autorambler.ru",
        # Slovenian
        "siol.net", "t-2.net", "amis.net", "email.si", "gmail.si", "volja.net",
    }
)  # fmt: skip

_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


class SpamRefused(ValueError):
    """The ticket cannot be marked (or unmarked) now; the code says why, the web layer words it."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class BlockRefused(ValueError):
    """The address or domain cannot be blocked as typed (the code says why)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class MarkedSpam:
    ticket: Ticket
    blocked: BlockedSender | None  # the block made from it (None: not asked, or already blocked)


@dataclass(frozen=True)
class BlockOffer:
    """What the spam confirmation may offer for a sender (`block_offer`)."""

    address_blocked: bool  # the address itself is blocked
    domain: str | None  # its domain as people read it, if it may be blocked whole
    domain_blocked: bool  # everyone at its domain is blocked


def normalised(address: str | None) -> str:
    return (address or "").strip().lower()


def host_name(text: str | None) -> str | None:
    """`text` as a host name in lower-case ASCII (punycode for an IDN), or None if it is not one.

    At least two labels of letters, digits and inner hyphens; not an IP address.
    """
    text = (text or "").strip().lower()
    if text.endswith("."):  # the root's dot: "spam.example." is "spam.example"
        text = text[:-1]
    if not text or len(text) > 253:
        return None
    try:
        host = idna.encode(text, uts46=True).decode("ascii")
    except (UnicodeError, ValueError):  # idna.IDNAError is a UnicodeError
        return None
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or labels[-1].isdigit():
        return None
    if not all(_HOST_LABEL.fullmatch(label) for label in labels):
        return None
    return host


def readable_host(host: str) -> str:
    """A punycode host name as people read it (`xn--bcher-kva.de` → `bücher.de`)."""
    try:
        return idna.decode(host)
    except (UnicodeError, ValueError):
        return host


def domain_key(address: str | None) -> str | None:
    """The key a block of the address's whole domain is stored under, or None."""
    email = normalised(address)
    if "@" not in email:
        return None
    host = host_name(email.rsplit("@", 1)[1])
    return DOMAIN_MARK + host if host else None


def is_domain_key(key: str) -> bool:
    return key.startswith(DOMAIN_MARK)


def _keys(address: str | None) -> list[str]:
    """The rows that would block `address`: its own, and its domain's."""
    email = normalised(address)
    if not email:
        return []
    domain = domain_key(email)
    return [email] if domain is None or domain == email else [email, domain]


def _blocks_of(address: str | None) -> set[str]:
    keys = _keys(address)
    if not keys:
        return set()
    return set(db.session.scalars(select(BlockedSender.email).where(BlockedSender.email.in_(keys))))


def is_blocked(address: str | None) -> bool:
    """Whether messages from `address` are stopped, by its own or its domain's block (one query)."""
    keys = _keys(address)
    if not keys:
        return False
    query = select(BlockedSender.id).where(BlockedSender.email.in_(keys)).limit(1)
    return db.session.scalar(query) is not None


def block_offer(address: str | None) -> BlockOffer:
    """Which blocks the address has, and whether its domain may be blocked whole (one query)."""
    found = _blocks_of(address)
    domain = domain_key(address)
    free = domain is None or domain[1:] in FREE_MAIL_DOMAINS
    return BlockOffer(
        address_blocked=normalised(address) in found,
        domain=None if free else readable_host(domain[1:]),
        domain_blocked=domain is not None and domain in found,
    )


def block_key(text: str | None) -> str:
    """What a block of the typed text is stored under: the lower-cased address, or "@" and the
    host name for a domain (`@spam.example` or `spam.example`). BlockRefused if neither."""
    text = normalised(text)
    if "@" in text and not text.startswith(DOMAIN_MARK):
        if not valid_email_address(text):
            raise BlockRefused("bad_email")
        return text
    host = host_name(text.removeprefix(DOMAIN_MARK))
    if host is None:
        raise BlockRefused("bad_domain")
    if host in FREE_MAIL_DOMAINS:
        raise BlockRefused("free_mail")
    return DOMAIN_MARK + host


def blocked_senders() -> list[BlockedSender]:
    """Every blocked address and domain, newest first, with who blocked it (one query)."""
    query = select(BlockedSender).options(joinedload(BlockedSender.blocked_by))
    return list(db.session.scalars(query.order_by(BlockedSender.id.desc())))


def _audited(row: BlockedSender) -> dict:
    ticket = Ticket.number_for(row.ticket_id) if row.ticket_id else None
    return audit.snapshot(row, ("email", "note"), ticket=ticket)


def block_sender(
    address: str, actor: User | None, *, note: str = "", ticket: Ticket | None = None
) -> BlockedSender:
    """Block an address, or a whole domain (`@spam.example` or `spam.example`), in the caller's
    transaction (the caller commits); audited."""
    email = block_key(address)
    note = " ".join((note or "").split())
    if len(note) > MAX_NOTE:
        raise BlockRefused("note_too_long")
    found = _blocks_of(email)
    if email in found:
        raise BlockRefused("domain_already_blocked" if is_domain_key(email) else "already_blocked")
    if found:  # the address's domain is blocked whole
        raise BlockRefused("domain_blocked")
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
    block_domain: bool = False,
    expected_version: int | None = None,
) -> MarkedSpam:
    """Mark the ticket as spam and close it, in the caller's transaction (the caller commits).

    A stale ticket (someone moved it meanwhile) raises TicketConflict before anything is
    recorded. `block` also blocks the customer's address, unless it already is;
    `block_domain` everyone at its domain instead (unless a free-mail one, or blocked already).
    """
    check_spam(ticket)
    previous = close_without_transition(
        ticket, actor, reason="spam", expected_version=expected_version, spam_at=utcnow()
    )
    _mark_responses(ticket, spam=True)
    blocked = None
    wanted = domain_key(ticket.customer_email) if block_domain else ticket.customer_email
    if (block or block_domain) and wanted:
        try:
            blocked = block_sender(wanted, actor, ticket=ticket)
        except BlockRefused:  # blocked already (or its domain), free mail, or an address the
            blocked = None  # form took but a block cannot: nothing more to stop
    # The address stays out of the history: it would outlive an erasure of the customer's data.
    record_event(
        ticket,
        "spam",
        actor,
        from_state=previous,
        to_state=ticket.state,
        sender_blocked=blocked is not None,
        domain_blocked=blocked is not None and is_domain_key(blocked.email),
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


def unmark_spam(ticket: Ticket, actor: User, *, expected_version: int | None = None) -> list[str]:
    """ "Not spam": clear the mark and lift the block made from this ticket (the keys lifted:
    an address, or "@" and a domain).

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
    lifted = []
    for row in db.session.scalars(made_here).all():
        lifted.append(row.email)
        unblock_sender(row, actor)
    record_event(
        ticket,
        "not_spam",
        actor,
        sender_unblocked=bool(lifted),
        domain_unblocked=any(is_domain_key(key) for key in lifted),
    )
    flush_or_conflict(ticket)
    from webapp.services.events import publish

    publish(ticket, "ticket.not_spam", sender_unblocked=bool(lifted))
    return lifted
