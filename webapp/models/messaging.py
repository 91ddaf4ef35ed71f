"""What the background jobs keep: surveys to send, held staff notices, opt-outs, webhooks."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.forms import new_token
from webapp.models.people import User
from webapp.models.tickets import Ticket
from webapp.models.types import UTCDateTime, utcnow


class SurveyStatus(enum.StrEnum):
    SCHEDULED = "scheduled"  # waiting for its moment
    SENT = "sent"  # the e-mail is in the outbox
    ANSWERED = "answered"
    CANCELLED = "cancelled"  # the ticket was reopened first
    SKIPPED = "skipped"  # no e-mail address, or the customer unsubscribed


class SurveyInvitation(db.Model):
    """A post-resolution survey for one ticket: scheduled, sent once, answered by one click."""

    __tablename__ = "survey_invitation"
    # The scheduler asks "which scheduled surveys are due?": answered from this index alone.
    # ... and "which sent surveys are due a reminder?" from this one.
    __table_args__ = (
        Index("ix_survey_invitation_due", "status", "due_at"),
        Index("ix_survey_invitation_remind", "status", "remind_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    form_slug: Mapped[str] = mapped_column(String(64))
    # Unguessable: the one-click links carry it instead of the ticket number.
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    status: Mapped[str] = mapped_column(String(16), default=SurveyStatus.SCHEDULED)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("form_response.id", ondelete="SET NULL"), nullable=True
    )
    # One reminder when unanswered: days after sending, from the workflow's schedule_survey
    # (None: no reminder, as for every invitation made before reminders existed); when it
    # is due (set on sending) and when it was queued.
    remind_after_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    ticket: Mapped[Ticket] = relationship()


class EmailOptOut(db.Model):
    """An address that asked for no more non-essential e-mail (surveys, testimonial requests)."""

    __tablename__ = "email_opt_out"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NoticeStatus(enum.StrEnum):
    HELD = "held"  # outside the agent's working hours: goes out when they start
    DIGEST = "digest"  # waits for the agent's next hourly digest
    SENT = "sent"  # e-mailed (alone or in a digest)
    DROPPED = "dropped"  # the agent was deactivated meanwhile


class StaffNotice(db.Model):
    """A notification for a colleague that did not go out at once (quiet hours, digest)."""

    __tablename__ = "staff_notice"
    __table_args__ = (Index("ix_staff_notice_due", "status", "deliver_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=True
    )
    event: Mapped[str] = mapped_column(String(32))  # ticket_routed, mention, task, sla_warning…
    template: Mapped[str] = mapped_column(String(100))  # the e-mail it becomes when sent alone
    context: Mapped[dict] = mapped_column(JSON, default=dict)  # plain values, no ORM objects
    summary: Mapped[str] = mapped_column(String(300), default="")  # one line in a digest
    status: Mapped[str] = mapped_column(String(16), default=NoticeStatus.HELD)
    deliver_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    message_key: Mapped[str | None] = mapped_column(String(200), nullable=True)

    user: Mapped[User] = relationship()
    ticket: Mapped[Ticket | None] = relationship()


class Webhook(db.Model):
    """An integration endpoint: Loopdesk POSTs signed JSON there when chosen events happen."""

    __tablename__ = "webhook"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list] = mapped_column(JSON, default=list)  # e.g. ["ticket.created"]
    secret: Mapped[str] = mapped_column(String(128), default=new_token)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )

    deliveries: Mapped[list[WebhookDelivery]] = relationship(
        back_populates="webhook", cascade="all, delete-orphan", passive_deletes=True
    )


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # committed, not yet handed to a job
    QUEUED = "queued"
    SENDING = "sending"
    DELIVERED = "delivered"
    RETRYING = "retrying"
    FAILED = "failed"


class WebhookDelivery(db.Model):
    """One event sent to one webhook: the payload, every attempt's outcome, the final status."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_status", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(
        ForeignKey("webhook.id", ondelete="CASCADE"), index=True
    )
    # Idempotency: one event reaches one webhook once ("<event id>:<webhook id>").
    delivery_key: Mapped[str] = mapped_column(String(200), unique=True)
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    response_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    webhook: Mapped[Webhook] = relationship(back_populates="deliveries")
