"""API tokens: create (shown once), look up by hash in constant time, record use, revoke.

A token is `ldk_` + `secrets.token_urlsafe(32)` (256 random bits). Only its sha256 is
stored: a leaked database does not leak working tokens, and the high entropy makes a
plain (unsalted) hash enough. The lookup is by the hash's unique index; the final
comparison is `hmac.compare_digest`, so timing says nothing about how much matched.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import ApiToken, TokenScope, User, utcnow
from webapp.services import audit

PREFIX = "ldk_"
MAX_NAME = 100
# last_used_at is written at most this often per token: a busy integration does not turn
# every read into a write.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenRefused(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _audited(token: ApiToken) -> dict:
    return audit.snapshot(token, ("name", "scope", "hint"))


def create_token(name: str, scope: str, creator: User | None) -> tuple[ApiToken, str]:
    """A new token and its value, which the caller shows once and never stores."""
    name = " ".join((name or "").split())
    if not name:
        raise TokenRefused("no_name")
    if len(name) > MAX_NAME:
        raise TokenRefused("name_too_long")
    if scope not in tuple(TokenScope):
        raise TokenRefused("bad_scope")
    value = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        scope=scope,
        token_hash=token_hash(value),
        hint=value[: len(PREFIX) + 4],
        created_by=creator,
        created_at=utcnow(),
    )
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.created", token, token.name, after=_audited(token), actor=creator)
    return token, value


def revoke_token(token: ApiToken, actor: User | None) -> bool:
    """Revoke at once (the next request with it gets 401); False if it already was."""
    if token.revoked_at is not None:
        return False
    before = _audited(token) | {"active": True}
    token.revoked_at = utcnow()
    audit.record(
        "api_token.revoked",
        token,
        token.name,
        before=before,
        after=_audited(token) | {"active": False},
        actor=actor,
    )
    return True


def tokens() -> list[ApiToken]:
    query = select(ApiToken).options(joinedload(ApiToken.created_by))
    return list(db.session.scalars(query.order_by(ApiToken.id.desc())))


def authenticate(presented: str | None) -> ApiToken | None:
    """The active token whose value was presented, or None; records when it was used."""
    if not presented or not presented.startswith(PREFIX) or len(presented) > 200:
        return None
    digest = token_hash(presented)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    if token.revoked_at is not None:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        # A plain UPDATE, committed now: reads never commit, and a write's own commit must
        # not fail on a concurrent request's stamp (no version column on tokens anyway).
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        db.session.commit()
    return token
