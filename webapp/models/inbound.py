"""E-mails customers sent back to us: one row per message, whatever became of it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.types import UTCDateTime, utcnow


class InboundOutcome(enum.StrEnum):
    ADDED = "added"  # the text is on the ticket as the customer's reply
    NOT_CUSTOMER = "not_customer"  # the sender is not the ticket's customer: the team is told
    AUTO_REPLY = "auto_reply"  # an out-of-office, a bounce, a list: ignored to avoid mail loops
    NO_TICKET = "no_ticket"  # no reply address or reference of ours
    EMPTY = "empty"  # nothing left once the quoted history is removed
    BLOCKED = "blocked"  # the sender is blocked, or the ticket was marked as spam


class InboundEmail(db.Model):
    """The unique Message-ID makes a message delivered twice (an MTA retry, a second IMAP
    poll) count once."""

    __tablename__ = "inbound_email"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket.id", ondelete="SET NULL"), index=True, nullable=True
    )
    sender: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    outcome: Mapped[str] = mapped_column(String(16))
    via: Mapped[str] = mapped_column(String(8), default="pipe")  # pipe | imap
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<InboundEmail {self.id} {self.outcome}>"
