"""Forward a ticket (or just the form conversation) by e-mail to a colleague or anyone.

The mail carries the conversation as plain text (escaped in HTML) and never the
customer's private status link: whoever holds that link can write as the customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from webapp.models import Ticket, User
from webapp.outbox import queue_email
from webapp.services.history import record_event
from webapp.services.staff_mail import new_message_key, state_label, workspace_link
from webapp.services.ticket_access import let_see

MAX_NOTE = 2000
SCOPES = ("ticket", "response")
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


class ShareRefused(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Recipient:
    address: str
    locale: str
    colleague: User | None = None


def valid_email(address: str) -> bool:
    return bool(_EMAIL.match(address)) and len(address) <= 254


def recipient_for(colleague: User | None, address: str, fallback_locale: str) -> Recipient:
    """A colleague (their locale, a staff link) or an outside address (the sender's locale)."""
    if colleague is not None:
        return Recipient(colleague.email, colleague.locale, colleague)
    address = (address or "").strip()
    if not address:
        raise ShareRefused("no_recipient")
    if not valid_email(address):
        raise ShareRefused("bad_email")
    return Recipient(address, fallback_locale)


def share_ticket(
    ticket: Ticket,
    recipient: Recipient,
    sender: User,
    note: str,
    conversation: list[tuple[str, str]],
    scope: str = "ticket",
) -> str:
    """Queue the forwarded ticket and log a `shared` event; returns the outbox key.

    `conversation` is (question, answer) text pairs already in the customer's language.
    """
    scope = scope if scope in SCOPES else "ticket"
    if recipient.colleague is not None:  # the e-mail links to the ticket: they can open it
        let_see(ticket, recipient.colleague, sender)
    key = new_message_key("share", ticket)
    queue_email(
        recipient.address,
        "ticket_shared",
        recipient.locale,
        {
            "ticket": ticket,
            "number": ticket.number,
            "sender": sender.name,
            "note": (note or "").strip()[:MAX_NOTE],
            "conversation": conversation,
            "scope": scope,
            "link": workspace_link(ticket) if recipient.colleague else None,
            "state_label": state_label(ticket, recipient.locale),
        },
        message_key=key,
        # Whoever answers it writes to the colleague who shared it, not to Loopdesk's sender.
        reply_to=sender.email,
    )
    record_event(
        ticket,
        "shared",
        sender,
        to=recipient.address,
        colleague=recipient.colleague.name if recipient.colleague else None,
        scope=scope,
        note=(note or "").strip()[:MAX_NOTE],
        message_key=key,
    )
    return key
