"""What admins edit in the browser before it takes effect: definition drafts, e-mail texts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.people import User
from webapp.models.types import UTCDateTime, utcnow


class DefinitionDraft(db.Model):
    """The working copy of a form or workflow definition, saved even when invalid.

    Publishing turns it into a new version. `revision` grows with every save: a save that
    names an older revision than the stored one was made over someone else's edit and is
    refused as a conflict instead of overwriting it.
    """

    __tablename__ = "definition_draft"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "form" | "workflow"
    key: Mapped[str] = mapped_column(String(64))  # the form's slug, or the workflow kind
    yaml_text: Mapped[str] = mapped_column(Text)
    base_number: Mapped[int | None] = mapped_column(Integer, nullable=True)  # version it began from
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    updated_by: Mapped[User | None] = relationship()


class EmailTemplateText(db.Model):
    """An admin's own wording of one e-mail in one language, replacing the built-in text.

    Plain text with `{placeholder}`s (never template code: admins are not trusted to run
    code on the server); the HTML part is made from it with everything escaped.
    """

    __tablename__ = "email_template_text"
    __table_args__ = (UniqueConstraint("template", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template: Mapped[str] = mapped_column(String(64))  # e.g. "ticket_confirmation"
    locale: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    updated_by: Mapped[User | None] = relationship()
