"""The per-ticket reply address: `support+<reply key>@example.com` on LOOPDESK_REPLY_ADDRESS.

The key is the ticket id and a keyed HMAC of it (`42-3f9a…`, 20 hex digits = 80 bits),
not the ticket's status token and never the plain ticket number:

- An address travels further than a link: the customer's address book, a colleague they
  copy in, a mailing-list archive, every MTA's log. The status token opens the whole
  conversation on the status page; the reply key only lets mail *in*, and what comes in
  is still added only when the sender is the ticket's customer.
- It is lower-case letters, digits and a hyphen, so it survives mail systems that fold the
  local part's case (the status token is mixed case).
- Nothing is stored: the key is recomputed from the id, and the HMAC's secret is derived
  from SECRET_KEY, so it cannot be guessed from the ticket number or id alone. The id in
  front only says which HMAC to check; it tells nothing the e-mail's subject (the ticket
  number) does not. A SECRET_KEY changed with the old one kept in
  LOOPDESK_SECRET_KEY_FALLBACKS keeps every reply address sent before working
  (webapp.signing); without it they are retired, and replies that quote one of our
  Message-IDs signed with the same key are not found either.
"""

from __future__ import annotations

import re

from flask import current_app

from webapp.models import Ticket
from webapp.signing import keyed_digests, matches

_KEY = re.compile(r"^(\d{1,12})-([0-9a-f]{20})$")


def _macs(number: int, purpose: bytes = b"loopdesk-reply-address:") -> list[str]:
    """The 20-digit HMAC of `number` under SECRET_KEY (first) and each fallback key."""
    return [digest[:20] for digest in keyed_digests(purpose, str(number).encode())]


def _mac(number: int, purpose: bytes = b"loopdesk-reply-address:") -> str:
    return _macs(number, purpose)[0]


_OUR_MESSAGE_ID = re.compile(r"<outbox-(\d{1,12})\.([0-9a-f]{20})@[^>]*>")


def message_id(outbox_id: int, domain: str) -> str:
    """Our Message-ID for an outbox row: stable (receivers de-duplicate a resend) and
    signed, so a reply's In-Reply-To cannot be made up to point at someone's ticket."""
    return f"<outbox-{outbox_id}.{_mac(outbox_id, b'loopdesk-message-id:')}@{domain}>"


def outbox_ids_in(references: str) -> list[int]:
    """The outbox rows named by our (correctly signed) Message-IDs in `references`."""
    return [
        int(number)
        for number, mac in _OUR_MESSAGE_ID.findall(references)
        if matches(mac, _macs(int(number), b"loopdesk-message-id:"))
    ]


def reply_key(ticket_id: int) -> str:
    return f"{ticket_id}-{_mac(ticket_id)}"


def ticket_id_from_key(key: str) -> int | None:
    """The ticket a reply key names, if its HMAC is right (compared in constant time)."""
    found = _KEY.match(key.strip().lower())
    if found is None or not matches(found.group(2), _macs(int(found.group(1)))):
        return None
    return int(found.group(1))


def _inbox() -> tuple[str, str] | None:
    """The configured address as (local part, domain), or None when replies are off."""
    address = current_app.config.get("LOOPDESK_REPLY_ADDRESS") or ""
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return None
    return local.split("+", 1)[0], domain


def customer_reply_address(ticket: Ticket) -> str | None:
    """The Reply-To of a customer e-mail about `ticket` (None: e-mails stay as they were)."""
    inbox = _inbox()
    if inbox is None or ticket.id is None:
        return None
    local, domain = inbox
    return f"{local}+{reply_key(ticket.id)}@{domain}"


def ticket_id_from_address(address: str) -> int | None:
    """The ticket of a plus address on our inbox (any case), if its key is genuine."""
    inbox = _inbox()
    local, at, domain = (address or "").strip().rpartition("@")
    if inbox is None or not at or domain.lower() != inbox[1].lower():
        return None
    base, plus, key = local.partition("+")
    if not plus or base.lower() != inbox[0].lower():
        return None
    return ticket_id_from_key(key)
