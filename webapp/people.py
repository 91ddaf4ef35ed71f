"""Operations on staff accounts: create agents, invitations, password links."""

from __future__ import annotations

import functools
import secrets

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import SelectChoice

from webapp.extensions import db
from webapp.external_urls import external_url
from webapp.i18n import language_name, language_name_for_viewer
from webapp.models import Role, Team, TeamMembership, User
from webapp.models.people import password_hash_method
from webapp.outbox import queue_email
from webapp.signing import timed_serializer

PASSWORD_LINK_MAX_AGE = 3 * 24 * 3600  # invitations are valid for three days
PASSWORD_RESET_MAX_AGE = 3600  # a "forgot your password" link is valid for one hour
_PASSWORD_SALT = "loopdesk-set-password"  # noqa: S105  (a salt, not a secret)
_RESET_SALT = "loopdesk-reset-password"  # noqa: S105  (a salt, not a secret)


class EmailTaken(ValueError):
    """Another account already uses this e-mail address."""


def language_choices() -> list[SelectChoice]:
    """Interface languages, each in its own name: one finds one's own language there."""
    return [
        SelectChoice(code, language_name(code), render_kw={"lang": code})
        for code in current_app.config["LANGUAGES"]
    ]


def spoken_language_choices() -> list[SelectChoice]:
    """The languages an agent answers customers in, named in the reader's language as the
    routing tester and the staff list name them."""
    return [
        SelectChoice(code, language_name_for_viewer(code))
        for code in current_app.config["LANGUAGES"]
    ]


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def user_for_login(email: str, password: str) -> User | None:
    """The active account this e-mail and password open, or None.

    A password is hashed whether or not the account exists or is active: answering an
    unknown address a hundred times faster would tell a guesser which addresses have one.
    """
    user = find_user_by_email(email)
    stored = user.password_hash if user is not None else _decoy_hash(password_hash_method())
    matches = check_password_hash(stored, password)
    return user if user is not None and user.active and matches else None


@functools.cache
def _decoy_hash(method: str) -> str:
    """A hash of a random password, as costly to check as a real one (per hash method)."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def create_staff_member(
    *,
    email: str,
    name: str,
    role: Role = Role.AGENT,
    locale: str = "en",
    timezone: str = "UTC",
    languages: list[str] | None = None,
    team_ids: list[int] | None = None,
    password: str | None = None,
    invited_by: User | None = None,
) -> User:
    """Create an account; without a password, e-mail an invitation to set one.

    The invitation goes through the outbox in the same transaction, so the
    account and its e-mail are committed together or not at all.
    """
    if find_user_by_email(email):
        raise EmailTaken(email)
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        role=role,
        locale=locale,
        timezone=timezone,
        languages=languages or [locale],
    )
    # An unusable random password until the invitee sets their own.
    user.set_password(password or _random_password())
    db.session.add(user)
    for team in db.session.scalars(select(Team).where(Team.id.in_(team_ids or []))):
        db.session.add(TeamMembership(team=team, user=user))
    db.session.flush()
    if password is None:
        queue_email(
            user.email,
            "staff_invitation",
            locale=user.locale,
            context={
                "name": user.name,
                "inviter": invited_by.name if invited_by else "Loopdesk",
                "link": password_link(user),
            },
            message_key=f"staff_invitation:{user.id}",
        )
    return user


def _random_password() -> str:
    import secrets

    return secrets.token_urlsafe(32)


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return timed_serializer(salt)


def _password_token(user: User, salt: str) -> str:
    """A signed token naming `user`, with a fingerprint of the current password hash.

    The fingerprint makes the token single-use: once a password is set through it (or
    any other way), the hash changes and the token no longer matches.
    """
    return _serializer(salt).dumps({"id": user.id, "pw": user.password_hash[-12:]})


def _user_from_token(token: str, salt: str, max_age: int) -> User | None:
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("id")) if isinstance(data, dict) else None
    if user is None or not user.active or user.password_hash[-12:] != data.get("pw"):
        return None
    return user


def password_link(user: User) -> str:
    """An expiring link (three days) that lets an invited `user` set a password once."""
    return external_url("auth.set_password", token=_password_token(user, _PASSWORD_SALT))


def user_from_password_token(token: str) -> User | None:
    return _user_from_token(token, _PASSWORD_SALT, PASSWORD_LINK_MAX_AGE)


def password_reset_link(user: User) -> str:
    """An expiring link (one hour) that lets `user` choose a new password once."""
    return external_url("auth.reset_password", token=_password_token(user, _RESET_SALT))


def user_from_reset_token(token: str) -> User | None:
    return _user_from_token(token, _RESET_SALT, PASSWORD_RESET_MAX_AGE)


def send_password_reset(email: str) -> None:
    """E-mail a reset link to the active account with this address, if there is one.

    Nothing is said about whether the account exists: the caller shows the same answer
    either way. The e-mail goes through the outbox (no commit here), in the account's
    language.
    """
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    queue_email(
        user.email,
        "password_reset",
        locale=user.locale,
        context={"name": user.name, "link": password_reset_link(user)},
    )
