"""API tokens: how an integration (a CRM, a BI tool, a script) reads and writes tickets."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.people import User
from webapp.models.types import UTCDateTime, utcnow


class TokenScope(enum.StrEnum):
    READ = "read"
    READ_WRITE = "read_write"


class ApiToken(db.Model):
    """A named integration's token. Only the sha256 of the token is kept, never the token."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(16), default=TokenScope.READ)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters ("ldk_AbC1…"), so admins can tell tokens apart on the page.
    hint: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    created_by: Mapped[User | None] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.READ_WRITE
