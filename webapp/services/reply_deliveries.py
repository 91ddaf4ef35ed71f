"""Did a ticket's e-mails reach the customer's mail server: their delivery as the ticket page
shows it, the marks its live refresh watches, and "Send again" for a reply that failed.

An e-mail is an outbox row found by the `message_key` its history event keeps; a whole
conversation's rows are read in one query (`deliveries_of`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import OutboxMessage, OutboxStatus, Ticket, TicketEvent, User
from webapp.outbox import refused_reply, send_again
from webapp.services.history import record_event

# How many marks a live poll may ask about: a conversation has far fewer mails in flight.
WATCH_LIMIT = 50


class DeliveryState(enum.StrEnum):
    """What the agent is told about an e-mail: the outbox statuses, in three (and a fourth)."""

    GOING = "going"  # waiting, queued, being sent, or waiting for a retry
    SENT = "sent"  # the customer's mail server accepted it
    FAILED = "failed"  # refused for good, or given up after the last retry
    NOT_SENT = "not_sent"  # no mail server configured: nothing was tried


_STATES = {
    OutboxStatus.PENDING: DeliveryState.GOING,
    OutboxStatus.QUEUED: DeliveryState.GOING,
    OutboxStatus.SENDING: DeliveryState.GOING,
    OutboxStatus.RETRYING: DeliveryState.GOING,
    OutboxStatus.SENT: DeliveryState.SENT,
    OutboxStatus.FAILED: DeliveryState.FAILED,
    OutboxStatus.NOT_SENT: DeliveryState.NOT_SENT,
}


@dataclass(frozen=True)
class MailDelivery:
    """One outbox row as the ticket page reads it."""

    message_id: int
    status: str  # an OutboxStatus
    to_address: str | None
    last_error: str | None

    @property
    def state(self) -> DeliveryState:
        return _STATES.get(self.status, DeliveryState.GOING)

    @property
    def refused(self) -> str | None:
        """The receiving server's reply when it refused the message for good ("550 5.1.1 …")."""
        return refused_reply(self)  # type: ignore[arg-type]  # reads status and last_error

    @property
    def sendable_again(self) -> bool:
        """Whether the agent is offered "Send again" (`send_reply_again`)."""
        return self.status == OutboxStatus.FAILED and bool(self.to_address)

    @property
    def watched(self) -> bool:
        """Whether an open page should notice this row change: one still on its way, or a
        failed one a colleague may send again. Sent (and never tried) rows stay as they are."""
        return self.state in (DeliveryState.GOING, DeliveryState.FAILED)

    @property
    def mark(self) -> str:
        """What a page shows of this row, as its live poll says it back: "12:queued"."""
        return f"{self.message_id}:{self.status}"


def deliveries_of(keys: Iterable[str]) -> dict[str, MailDelivery]:
    """The outbox rows of these message keys, by key, in one query (none without keys)."""
    keys = set(keys)
    if not keys:
        return {}
    rows = db.session.execute(
        select(
            OutboxMessage.message_key,
            OutboxMessage.id,
            OutboxMessage.status,
            OutboxMessage.to_address,
            OutboxMessage.last_error,
        ).where(OutboxMessage.message_key.in_(keys))
    ).all()
    return {row[0]: MailDelivery(*row[1:]) for row in rows}


def reply_key(event: TicketEvent) -> str | None:
    """The message key of a public reply that was e-mailed (None for a status-page-only one)."""
    key = (event.data or {}).get("message_key") if event.kind == "public_reply" else None
    return key if isinstance(key, str) else None


def watched_marks(thread: Sequence[TicketEvent], deliveries: dict[str, MailDelivery]) -> list[str]:
    """The marks of the conversation's e-mailed replies that may still change, oldest first."""
    marks = []
    for event in thread:
        delivery = deliveries.get(reply_key(event) or "")
        if delivery is not None and delivery.watched:
            marks.append(delivery.mark)
    return marks[:WATCH_LIMIT]


REPLY_KEY_PREFIX = "public_reply:"  # services.replies.send_public_reply's keys


def _reply_keys_of(ticket_id: int) -> str:
    return f"{REPLY_KEY_PREFIX}{ticket_id}:"


def _ticket_id_of_reply(message: OutboxMessage) -> int | None:
    """The ticket whose public reply this e-mail is (from its key); None for other mail."""
    key = message.message_key or ""
    if not key.startswith(REPLY_KEY_PREFIX):
        return None
    number = key[len(REPLY_KEY_PREFIX) :].partition(":")[0]
    return int(number) if number.isascii() and number.isdigit() and len(number) <= 18 else None


def record_reply_sent_again(message: OutboxMessage, actor: User | None) -> TicketEvent | None:
    """Tell the ticket's history that a colleague put a reply's e-mail back in line, and to
    which address (no commit): "Anna sent the reply again to ewa@example.com". Called by
    `outbox.send_again`, so the conversation's "Send again" and an admin's resend from Sent
    mail both leave it; other mail (notices, confirmations) is no reply and leaves none.
    One query at most (the ticket, when the session does not hold it already)."""
    ticket_id = _ticket_id_of_reply(message)
    ticket = db.session.get(Ticket, ticket_id) if ticket_id is not None else None
    if ticket is None:
        return None
    return record_event(
        ticket, "reply_sent_again", actor, to=message.to_address, message_id=message.id
    )


def current_marks(ticket_id: int, shown: Sequence[str]) -> list[str]:
    """The marks a page showed (`watched_marks`, said back by its live poll), as they are now:
    the same list while nothing changed. One primary-key query, none when nothing is watched.

    Only this ticket's replies are read: another ticket's mail tells the poll nothing.
    """
    ids: list[int] = []
    for mark in shown[:WATCH_LIMIT]:
        number = mark.partition(":")[0]
        if number.isascii() and number.isdigit() and len(number) <= 18:
            ids.append(int(number))
    if not ids:
        return []
    statuses = dict(
        db.session.execute(
            select(OutboxMessage.id, OutboxMessage.status).where(
                OutboxMessage.id.in_(ids),
                OutboxMessage.message_key.startswith(_reply_keys_of(ticket_id), autoescape=True),
            )
        ).all()
    )
    return [f"{i}:{statuses.get(i, 'gone')}" for i in ids]


def marks_fingerprint(marks: Sequence[str]) -> str:
    """The watched marks as a part of the page's change tag."""
    return ",".join(marks)


class SendAgainRefused(Exception):
    """The reply cannot be sent again; `code` says why (see conversation_views.REFUSALS)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def send_reply_again(ticket: Ticket, event_id: int) -> OutboxMessage:
    """Put a public reply whose e-mail failed back in line, to the same address (no commit;
    `outbox.relay` it once committed). Recorded in the audit log and the ticket's history,
    as the admin's resend is.

    Refused when the event is not one of this ticket's e-mailed replies (`unknown`), the
    customer's data was erased (`erased`), or the e-mail is no longer failed: a colleague sent
    it again first, or it went out (`not_failed`).
    """
    event = db.session.get(TicketEvent, event_id)
    key = reply_key(event) if event is not None and event.ticket_id == ticket.id else None
    if key is None:
        raise SendAgainRefused("unknown")
    if ticket.customer_erased_at is not None:
        raise SendAgainRefused("erased")
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.message_key == key))
    if message is None:
        raise SendAgainRefused("unknown")
    if message.status != OutboxStatus.FAILED or not send_again(message):
        raise SendAgainRefused("not_failed")
    return message
