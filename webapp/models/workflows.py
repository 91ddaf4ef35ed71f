"""Published workflow definitions: immutable, numbered versions per kind."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.people import User
from webapp.models.types import UTCDateTime, utcnow


class WorkflowKind(enum.StrEnum):
    TICKET = "ticket"
    TASK = "task"


class WorkflowVersion(db.Model):
    __tablename__ = "workflow_version"
    __table_args__ = (UniqueConstraint("kind", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=WorkflowKind.TICKET)
    number: Mapped[int] = mapped_column(Integer)
    yaml_text: Mapped[str] = mapped_column(Text)
    comment: Mapped[str] = mapped_column(String(500), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<WorkflowVersion {self.kind} v{self.number}{' active' if self.active else ''}>"
