"""Staff accounts and teams."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.extensions import db
from webapp.models.types import UTCDateTime, utcnow

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_WORKING_HOURS = {day: [["09:00", "17:00"]] for day in WEEKDAYS[:5]}


def password_hash_method() -> str:
    """Werkzeug's scrypt, unless configured otherwise (the test suite: hashing dominated it)."""
    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return "scrypt"


class Role(enum.StrEnum):
    AGENT = "agent"
    ADMIN = "admin"


class TicketAccess(enum.StrEnum):
    """Which tickets an agent sees (admins see every ticket whatever this says)."""

    ALL = "all"
    TEAMS = "teams"  # their teams' tickets, and those assigned to them, watched or tasked


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default=Role.AGENT)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    languages: Mapped[list] = mapped_column(JSON, default=lambda: ["en"])
    working_hours: Mapped[dict] = mapped_column(
        JSON, default=lambda: {k: [list(v) for v in iv] for k, iv in DEFAULT_WORKING_HOURS.items()}
    )
    # Public holidays their hours leave out: "" none, a country ("PL") or a country and one
    # of its regions ("DE-BY"), as services.public_holidays reads them.
    public_holidays: Mapped[str] = mapped_column(String(16), default="", server_default="")
    capacity: Mapped[int] = mapped_column(Integer, default=20)
    ticket_access: Mapped[str] = mapped_column(
        String(16), default=TicketAccess.ALL, server_default=TicketAccess.ALL.value
    )
    # Per event (see services.notifications.EVENTS): "immediate", "digest" or "off".
    notification_settings: Mapped[dict] = mapped_column(JSON, default=dict)
    # Away / out of office (services.away): from the start of their first day away to the
    # start of the day they are back, both in their timezone, stored in UTC; None: not away.
    away_from: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    away_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    away_note: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # Single-key shortcuts (js/shortcuts.js) on or off, per person (WCAG 2.1.4: a letter typed
    # by speech input or a slip must not act unless the person wants the shortcuts).
    keyboard_shortcuts: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Two-step sign-in (services.two_step): the TOTP key (base32, sealed by secret_box: a
    # leaked backup does not give it away; never logged nor audited), since when it is on
    # (None: off), and the last time step whose code was accepted, so a code seen over a
    # shoulder cannot be used a second time.
    two_step_secret: Mapped[str | None] = mapped_column(String(255), nullable=True)
    two_step_on_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    two_step_last_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # The move the reply box's "After sending" offers first (a workflow trigger, e.g.
    # "ask_customer"), as this colleague last chose it; None: keep the status.
    after_reply: Mapped[str | None] = mapped_column(String(64), nullable=True)

    memberships: Mapped[list[TeamMembership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def two_step_on(self) -> bool:
        """Whether logging in asks for a code from an authenticator app after the password."""
        return self.two_step_on_since is not None and bool(self.two_step_secret)

    @property
    def two_step_key(self) -> str | None:
        """The TOTP key in the clear (None if off, or if no key at hand opens it any more).

        The sign-in stamp is made from it, not from the sealed text: resealing under a new
        SECRET_KEY signs nobody out."""
        from webapp.secret_box import SealBroken, open_sealed

        if not self.two_step_secret:
            return None
        try:
            return open_sealed(self.two_step_secret)
        except SealBroken:
            return None

    @property
    def sees_every_ticket(self) -> bool:
        return self.is_admin or self.ticket_access != TicketAccess.TEAMS

    @property
    def initials(self) -> str:
        parts = [p for p in self.name.split() if p]
        return "".join(p[0] for p in parts[:2]).upper() or self.email[:2].upper()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=password_hash_method())

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def sign_in_stamp(self) -> str:
        """A short digest that changes whenever the password or the two-step key does (it
        reveals nothing of them): turning two-step sign-in on, off or having it reset signs
        out every other device, as a new password does."""
        material = self.password_hash
        if self.two_step_secret:
            material = f"{material}\n{self.two_step_key or self.two_step_secret}"
        return hashlib.blake2b(material.encode(), digest_size=8).hexdigest()

    def get_id(self) -> str:
        """What the session and the remember-me cookie hold: the id and the password stamp.

        A cookie issued before a password change (or a change of two-step sign-in), on any
        device, no longer logs anyone in (`webapp.security.load_user` compares the stamp).
        """
        return f"{self.id}:{self.sign_in_stamp}"

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class Team(db.Model):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[TeamMembership]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Team {self.slug}>"


class TeamMembership(db.Model):
    __tablename__ = "team_membership"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)

    team: Mapped[Team] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")


class RecoveryCode(db.Model):
    """A one-time code that signs in instead of the app's code (a lost phone); only its hash."""

    __tablename__ = "recovery_code"
    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
