"""Senders whose form responses and e-mails no longer reach the agents (spam)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.people import User
from webapp.models.types import UTCDateTime, utcnow


class BlockedSender(db.Model):
    """A blocked e-mail address: its completed forms create no ticket, its mail is not added.

    Nothing the address sent before is touched: blocking only stops what comes next.
    """

    __tablename__ = "blocked_sender"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    note: Mapped[str] = mapped_column(String(300), default="")
    blocked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    # The ticket marked as spam that blocked it (None: added by hand on the admin page):
    # "Not spam" on that ticket lifts the block again.
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    blocked_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<BlockedSender {self.id}>"
