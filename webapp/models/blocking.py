"""Senders whose form responses and e-mails no longer reach the agents (spam)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.people import User
from webapp.models.types import UTCDateTime, utcnow


class BlockedSender(db.Model):
    """A blocked e-mail address, or a whole domain: completed forms from it create no ticket,
    its mail is not added.

    `email` holds the lower-cased address, or "@" and the domain's host name (`@spam.example`,
    punycode for an IDN) for every address at exactly that domain (services.spam).
    Nothing it sent before is touched: blocking only stops what comes next.
    """

    __tablename__ = "blocked_sender"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # lower-cased; "@domain"
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

    @property
    def is_domain(self) -> bool:
        """The block covers every address at a domain (the row holds "@" and the domain)."""
        return self.email.startswith("@")

    def __repr__(self) -> str:
        return f"<BlockedSender {self.id}>"
