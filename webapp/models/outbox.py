"""The outbox: every message that leaves the process, written in the same transaction."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.types import UTCDateTime, utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # committed, not yet handed to a job
    QUEUED = "queued"  # handed to a job
    SENDING = "sending"  # a worker holds it (a lease; see jobs.mail.SEND_LEASE)
    SENT = "sent"
    RETRYING = "retrying"  # last attempt failed, another is scheduled
    FAILED = "failed"  # gave up after the last attempt, or refused for good (a 5xx reply)
    NOT_SENT = "not_sent"  # no SMTP server configured: kept for the Sent mail page


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Idempotency key: one logical message is written (and sent) at most once.
    message_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(16), default="email")
    template: Mapped[str] = mapped_column(String(100), default="")
    locale: Mapped[str] = mapped_column(String(8), default="en")
    to_address: Mapped[str] = mapped_column(String(254))
    # Where the customer's "Reply" goes: the ticket's plus address (services.inbound_mail).
    reply_to: Mapped[str | None] = mapped_column(String(254), nullable=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text, nullable=True)
    # `ticket_file` ids sent with it (an agent's reply with files); None: no attachments.
    attachments: Mapped[list | None] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    relayed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.template} {self.status}>"
