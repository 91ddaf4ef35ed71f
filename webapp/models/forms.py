"""Feedback forms, their published versions, and the responses customers give."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    delete,
    event,
    insert,
    inspect,
)
from sqlalchemy import false as sa_false
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_forms.scoring import score_changes
from webapp.extensions import db
from webapp.models.people import User
from webapp.models.types import UTCDateTime, utcnow


def new_token() -> str:
    """An unguessable token for links customers hold (about 256 bits)."""
    return secrets.token_urlsafe(32)


class Form(db.Model):
    __tablename__ = "feedback_form"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    # Signs hidden fields such as customer_id so respondents cannot change them.
    secret: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(32))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[FormVersion]] = relationship(
        back_populates="form", order_by="FormVersion.number"
    )


class FormVersion(db.Model):
    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("form_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_form.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    yaml_text: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    form: Mapped[Form] = relationship(back_populates="versions")
    author: Mapped[User | None] = relationship()


class Response(db.Model):
    """One respondent's conversation with one form version, saved after every step."""

    __tablename__ = "form_response"
    __table_args__ = (
        Index("ix_form_response_form_completed", "form_id", "completed_at"),
        # Insights filter by period across forms (dashboard, reports' weeks).
        Index("ix_form_response_completed_at", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    form_id: Mapped[int] = mapped_column(ForeignKey("feedback_form.id", ondelete="CASCADE"))
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"))
    locale: Mapped[str] = mapped_column(String(8), default="en")
    channel: Mapped[str] = mapped_column(String(16), default="web")
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    hidden: Mapped[dict] = mapped_column(JSON, default=dict)
    # Where and how: page URL, referrer, user agent class, country, signature problems.
    meta: Mapped[dict] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket.id"), nullable=True, index=True
    )
    # Junk: its ticket was marked as spam, or a blocked sender sent it. Kept and listed,
    # but left out of scores, counts and themes, so a spammer cannot move the NPS.
    spam: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    form: Mapped[Form] = relationship()
    form_version: Mapped[FormVersion] = relationship()


class ResponseScore(db.Model):
    """One answer of a response as a score could read it, so insights count in SQL.

    Kept in step with `Response.answers` in the same transaction: for every answer that
    some scored question would read (0–10, or yes/no), whatever its question's type, as a
    form's live definition decides which question is scored and how (see
    `survey_forms.insights`). Pages join `form_response` for the period and the form.
    A row with neither `value` nor `yes` is an answer that stopped being a score (changed
    or pruned): clearing it that way keeps an answer step to one statement.
    """

    __tablename__ = "response_score"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("form_response.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(String, primary_key=True)  # ids have no length limit
    value: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)  # 0–10
    yes: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # a yes/no answer


def score_row(response_id: int, question_id: str, answer: int | str | None) -> dict:
    """The `response_score` row of a `score_answer`."""
    is_number = isinstance(answer, int)
    return {
        "response_id": response_id,
        "question_id": question_id,
        "value": answer if is_number else None,
        "yes": None if answer is None or is_number else answer == "yes",
    }


def stored_answer(value: int | None, yes: bool | None) -> int | str | None:
    """The answer a `response_score` row stands for, as `score_answer` gave it."""
    if value is not None:
        return value
    return None if yes is None else ("yes" if yes else "no")


def save_score_changes(
    connection: Connection, response_id: int, changes: dict[str, int | str | None]
) -> None:
    """Write what `score_changes` found, in one statement (none when nothing changed)."""
    if not changes:
        return
    rows = [score_row(response_id, question_id, answer) for question_id, answer in changes.items()]
    table = ResponseScore.__table__
    # The two databases Loopdesk runs on both upsert; their dialects spell it alike.
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    statement = upsert(table).values(rows)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.response_id, table.c.question_id],
            set_={"value": statement.excluded.value, "yes": statement.excluded.yes},
        )
    )


def replace_scores(connection: Connection, response_id: int, answers: dict[str, Any]) -> None:
    """Write a response's scores afresh from all its answers (when the earlier ones are unknown)."""
    table = ResponseScore.__table__
    connection.execute(delete(table).where(table.c.response_id == response_id))
    rows = [
        score_row(response_id, question_id, answer)
        for question_id, answer in score_changes({}, answers).items()
    ]
    if rows:
        connection.execute(insert(table), rows)


@event.listens_for(Response, "after_insert")
def _scores_of_new_response(mapper, connection: Connection, response: Response) -> None:
    """A response added through the ORM (a first answer, the demo, imports) gets its scores."""
    changes = score_changes({}, response.answers)
    save_score_changes(connection, response.id, changes)


@event.listens_for(Response, "after_update")
def _scores_of_changed_response(mapper, connection: Connection, response: Response) -> None:
    """Answers changed on the ORM object (not through `services.forms`, which writes them)."""
    history = inspect(response).attrs.answers.history
    if not history.added:
        return
    if history.deleted:
        changes = score_changes(history.deleted[0], history.added[0])
        save_score_changes(connection, response.id, changes)
    else:
        replace_scores(connection, response.id, history.added[0])


class ResponseFile(db.Model):
    """An uploaded file (e.g. a screenshot), stored outside static/ and served to staff only."""

    __tablename__ = "response_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("form_response.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
