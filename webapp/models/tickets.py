"""Tickets, their history, labels, tasks and the per-team round-robin pointer."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.forms import new_token
from webapp.models.people import Team, User
from webapp.models.types import UTCDateTime, utcnow
from webapp.models.workflows import WorkflowVersion
from webapp.record_ids import optional_id

TICKET_NUMBER_PREFIX = "LD-"
TICKET_NUMBER_OFFSET = 1000  # LD-1001 is the first ticket


def _sla_clock_index(column: str, fired: str, met: str, *, paused: bool) -> Index:
    """A partial index on one SLA time, holding only clocks not yet met nor fired, running
    or paused: the sweep's arms spell out the same condition (SQLite needs that)."""
    condition = text(
        f"{fired} IS NULL AND {met} IS NULL AND sla_paused_since IS {'NOT ' if paused else ''}NULL"
    )
    name = f"ix_ticket_sla_{column}{'_paused' if paused else ''}"
    return Index(name, column, postgresql_where=condition, sqlite_where=condition)


class Ticket(db.Model):
    __tablename__ = "ticket"
    __table_args__ = (
        Index("ix_ticket_state_team", "state", "team_id"),
        Index("ix_ticket_assignee_state", "assignee_id", "state"),
        # The SLA sweep reads only clocks still waiting to fire (see sla_clock.sweep) …
        *(
            _sla_clock_index(column, fired, met, paused=False)
            for column, fired, met in (
                ("first_response_warn_at", "first_response_warned_at", "first_response_at"),
                ("first_response_due_at", "first_response_breached_at", "first_response_at"),
                ("resolution_warn_at", "resolution_warned_at", "resolved_at"),
                ("resolution_due_at", "resolution_breached_at", "resolved_at"),
            )
        ),
        # … and deadlines a paused clock may have missed just before it paused.
        *(
            _sla_clock_index(column, fired, met, paused=True)
            for column, fired, met in (
                ("first_response_due_at", "first_response_breached_at", "first_response_at"),
                ("resolution_due_at", "resolution_breached_at", "resolved_at"),
            )
        ),
        # The state-timer sweep reads only tickets with a timer still to fire.
        Index(
            "ix_ticket_state_timer_due_at",
            "state_timer_due_at",
            postgresql_where=text("state_timer_due_at IS NOT NULL"),
            sqlite_where=text("state_timer_due_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(300), default="")
    state: Mapped[str] = mapped_column(String(64), index=True)
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), nullable=True, index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    workflow_version_id: Mapped[int] = mapped_column(ForeignKey("workflow_version.id"))

    customer_name: Mapped[str] = mapped_column(String(200), default="")
    customer_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    customer_locale: Mapped[str] = mapped_column(String(8), default="en")
    channel: Mapped[str] = mapped_column(String(16), default="web")
    form_slug: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # The customer's id in the customer's own app: a form's hidden `customer_id`. Verified:
    # signed with the form's secret, so it says who the customer is and their other tickets
    # with it are theirs. Unsigned, anyone could have typed it into the link: it is shown
    # and searched, never used to join one customer's requests with another's.
    customer_ref: Mapped[str | None] = mapped_column(String(500), nullable=True, index=True)
    customer_ref_verified: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sa_false()
    )
    # When an admin erased the customer's personal data on request (services.customer_data).
    customer_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A duplicate merged into another ticket (its id; tickets are never deleted): the
    # customer's status link, e-mail replies and agents' links carry on there.
    merged_into_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # When an agent marked it as spam (services.spam): closed, the customer's link says
    # "not found", moves and replies refused until someone says "Not spam".
    spam_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # What routing and SLA conditions read: answers, score, metadata (plain JSON).
    facts: Mapped[dict] = mapped_column(JSON, default=dict)

    # SLA: the policy chosen, due/warn instants, when each clock was met, pause bookkeeping.
    sla_policy: Mapped[str | None] = mapped_column(String(100), nullable=True)
    sla_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_response_warn_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, index=True
    )
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolution_warn_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, index=True
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sla_paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sla_paused_seconds: Mapped[int] = mapped_column(Integer, default=0)  # business time
    # Business time the clock was pushed back (negative: brought forward) when an admin
    # changed its calendar, so the time spent before the change stays as counted then.
    sla_calendar_shift_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    first_response_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_response_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolution_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolution_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    # State timers (workflow `timers:`): when the ticket entered its state; how many of the
    # state's timers fired since they started counting (entering it, or the customer's last
    # reply); when the next one is due (None: no timer left). Reset on every state change.
    state_entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    state_timers_fired: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    state_timer_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    public_reply_count: Mapped[int] = mapped_column(Integer, default=0)
    # Lower-cased answers, notes and replies: what the board's search box looks in.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # The customer's private link to the status page (/t/<token>): unguessable.
    status_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic lock: an UPDATE with a stale version matches no row and raises StaleDataError.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    team: Mapped[Team | None] = relationship()
    assignee: Mapped[User | None] = relationship()
    workflow_version: Mapped[WorkflowVersion] = relationship()
    labels: Mapped[list[TicketLabel]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="TicketLabel.id"
    )
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="TicketEvent.id"
    )

    @property
    def number(self) -> str:
        return self.number_for(self.id)

    @staticmethod
    def number_for(ticket_id: int) -> str:
        """The number people see for a ticket id, without loading the ticket."""
        return f"{TICKET_NUMBER_PREFIX}{ticket_id + TICKET_NUMBER_OFFSET}"

    @staticmethod
    def id_from_number(number: str) -> int | None:
        shown = optional_id(number.strip().upper().removeprefix(TICKET_NUMBER_PREFIX))
        return shown - TICKET_NUMBER_OFFSET if shown and shown > TICKET_NUMBER_OFFSET else None

    def __repr__(self) -> str:
        return f"<Ticket {self.number if self.id else 'new'} {self.state}>"


class TicketEvent(db.Model):
    """One line of a ticket's history: who did what, when."""

    __tablename__ = "ticket_event"
    __table_args__ = (
        # A ticket's newest event (max(id) for one ticket_id): the open ticket page's live
        # refresh asks on every 5-second poll, and this reads one index entry instead of
        # walking all of the ticket's rows.
        Index("ix_ticket_event_ticket_newest", "ticket_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    actor_kind: Mapped[str] = mapped_column(String(16), default="user")  # user|system|customer
    from_state: Mapped[str | None] = mapped_column(String(64), nullable=True)
    to_state: Mapped[str | None] = mapped_column(String(64), nullable=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class TicketFile(db.Model):
    """A file sent with a reply: the customer's (an e-mail attachment, or uploaded on the
    status page), served to staff only; or an agent's, sent with the reply's e-mail and
    downloadable by the customer from the status page. Stored outside static/ like a form's
    uploads. The reply's history event names it (`data["files"]`); erasing the customer's
    data deletes it."""

    __tablename__ = "ticket_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    # The customer's by e-mail or on the status page (web), or an agent's with a reply.
    channel: Mapped[str] = mapped_column(String(16))  # email | web | agent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TicketLabel(db.Model):
    __tablename__ = "ticket_label"
    __table_args__ = (UniqueConstraint("ticket_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="labels")
    added_by: Mapped[User | None] = relationship()


# The board's label filter compares lower(name). Beyond the lookup, the expression index
# gives PostgreSQL statistics for that expression; without them it guessed 138 rows for a
# label on 27,500 tickets and chose plans a hundred times slower (bench/board.py).
Index("ix_ticket_label_lower_name", func.lower(TicketLabel.name), TicketLabel.ticket_id)
# The ticket page's "other requests from this customer" matches the e-mail in any case.
Index("ix_ticket_customer_email_lower", func.lower(Ticket.customer_email))


class Task(db.Model):
    """A piece of work on a ticket for one colleague, driven by the task workflow."""

    __tablename__ = "ticket_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(64))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    workflow_version_id: Mapped[int] = mapped_column(ForeignKey("workflow_version.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    ticket: Mapped[Ticket] = relationship()
    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])
    creator: Mapped[User | None] = relationship(foreign_keys=[creator_id])
    workflow_version: Mapped[WorkflowVersion] = relationship()


class TeamRoutingState(db.Model):
    """The round-robin pointer of a team, locked while a ticket is routed."""

    __tablename__ = "team_routing_state"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    last_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SlaAlertStatus(enum.StrEnum):
    PENDING = "pending"  # committed, not yet handed to a job
    QUEUED = "queued"
    SENDING = "sending"  # a worker is acting on it
    RETRYING = "retrying"
    DONE = "done"
    FAILED = "failed"


class SlaAlert(db.Model):
    """A warning or breach the sweep found, waiting for (or done with) its consequences.

    The sweep only claims what is due and writes these rows, in one transaction; a job then
    records the history event, runs the policy's breach actions and notifies (the outbox
    pattern, so a queue outage loses nothing). That keeps the sweep's cost to what is due.
    """

    __tablename__ = "sla_alert"
    __table_args__ = (Index("ix_sla_alert_status", "status", "relayed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(32))  # first_response | resolution
    kind: Mapped[str] = mapped_column(String(16))  # warning | breach
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=SlaAlertStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    relayed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
