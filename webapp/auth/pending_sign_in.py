"""A sign-in waiting for its second step: the right password was given, the code not yet.

It is kept in the session as a token signed with its own salt and a time stamp, so it holds
for `PENDING_SECONDS` only, names the account's password as it was (a password changed in
between voids it) and cannot be made up by anybody without the app's secret.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import session
from itsdangerous import BadSignature, URLSafeTimedSerializer

from webapp.extensions import db
from webapp.models import User
from webapp.record_ids import optional_id
from webapp.signing import timed_serializer

PENDING_SECONDS = 5 * 60
_SESSION_KEY = "two_step_pending"
_SALT = "loopdesk-two-step-pending"


@dataclass(frozen=True)
class PendingSignIn:
    user: User
    remember: bool
    next_url: str | None


def _signer() -> URLSafeTimedSerializer:
    return timed_serializer(_SALT)


def start(user: User, remember: bool = False, next_url: str | None = None) -> None:
    """Hold `user`'s sign-in until the code is given (any earlier pending one is replaced)."""
    session[_SESSION_KEY] = _signer().dumps(
        {
            "id": user.id,
            "pw": user.sign_in_stamp,
            "remember": bool(remember),
            "next": next_url if isinstance(next_url, str) else None,
        }
    )


def pending() -> PendingSignIn | None:
    """The sign-in waiting for a code, unless it expired, was tampered with or is void."""
    raw = session.get(_SESSION_KEY)
    if not isinstance(raw, str):
        return None
    try:
        data = _signer().loads(raw, max_age=PENDING_SECONDS)
    except BadSignature:  # expired ones too (SignatureExpired is a BadSignature)
        return None
    if not isinstance(data, dict):
        return None
    key = optional_id(str(data.get("id")))
    user = db.session.get(User, key) if key else None
    if (
        user is None
        or not user.active
        or not user.two_step_on
        or data.get("pw") != user.sign_in_stamp
    ):
        return None
    next_url = data.get("next")
    return PendingSignIn(
        user, bool(data.get("remember")), next_url if isinstance(next_url, str) else None
    )


def forget() -> None:
    session.pop(_SESSION_KEY, None)
