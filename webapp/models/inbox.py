"""The in-app inbox: one row per notification a colleague got, read or not."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.people import User
from webapp.models.tickets import Ticket
from webapp.models.types import UTCDateTime, utcnow


class InboxNotification(db.Model):
    """Something that happened on a ticket, for one colleague: kept whatever their e-mail
    settings say. The text is written when it is read, in the reader's language, from the
    plain values stored here."""

    __tablename__ = "inbox_notification"
    __table_args__ = (
        # The inbox page, newest first, a page at a time (user_id, id < before).
        Index("ix_inbox_notification_user_newest", "user_id", "id"),
        # Unread entries only, so it stays small whatever the history: the bell counts from
        # it alone (an index-only scan), and opening a ticket or "mark all read" finds the
        # colleague's unread entries (about that ticket) without reading the read ones.
        Index(
            "ix_inbox_notification_unread",
            "user_id",
            "ticket_id",
            postgresql_where=text("read_at IS NULL"),
            sqlite_where=text("read_at IS NULL"),
        ),
        # The retention job: read entries oldest first, so a daily run with little or nothing
        # to delete reads a few index pages, not the whole table.
        Index(
            "ix_inbox_notification_read_created",
            "created_at",
            postgresql_where=text("read_at IS NOT NULL"),
            sqlite_where=text("read_at IS NOT NULL"),
        ),
        # Deleting a colleague clears them as the actor of others' entries (SET NULL): found
        # by this index, not by reading the whole table.
        Index("ix_inbox_notification_actor_id", "actor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(32))  # notifications.EVENTS: mention, sla_warning…
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    context: Mapped[dict] = mapped_column(JSON, default=dict)  # plain values: kind, names, text
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    ticket: Mapped[Ticket] = relationship()
