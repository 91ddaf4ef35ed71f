"""Failed logins counted per account, so guessing one password from many addresses is slowed.

The per-address login limit stops one client; an attacker rotating addresses is stopped by
this count, kept per normalised e-mail as typed (whether or not an account has it, so the
refusal says nothing about which addresses exist). It lives in the rate-limit storage the
app already uses (Redis, or memory without Redis), where it expires by itself: the window
is short, so a throttle somebody else caused never locks a person out for long.
"""

from __future__ import annotations

import hashlib
import math
import time

from flask import current_app
from limits import RateLimitItem, parse

from webapp.extensions import limiter
from webapp.people import find_user_by_email, normalise_email
from webapp.services import audit

_KEY = "loopdesk/login-failures/"


def failure_limit() -> RateLimitItem | None:
    """LOGIN_FAILURES_PER_ACCOUNT ("10 per 15 minutes"), or None when switched off."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    setting = (current_app.config.get("LOGIN_FAILURES_PER_ACCOUNT") or "").strip()
    if setting.lower() in {"", "0", "off", "none"}:
        return None
    return parse(setting)


def seconds_refused(email: str) -> int:
    """How long logins for `email` stay refused (0: not throttled, or the storage is down:
    staff must still be able to log in while Redis is, and the per-address limit holds)."""
    limit = failure_limit()
    if limit is None:
        return 0
    try:
        return _seconds_left(limit, _key(email))
    except Exception:  # noqa: BLE001 (any storage failure: Redis refused, timed out, …)
        current_app.logger.warning("login throttle storage unavailable", exc_info=True)
        return 0


def count_failure(email: str) -> int:
    """Count a failed login for `email`; how long its logins are now refused (0: not yet).

    The failure that reaches the limit is already refused, so the guesser is told at the
    10th wrong password of "10 per 15 minutes", not at an 11th attempt. That one goes in
    the audit log: the count reaches the limit exactly once per window, so an account
    under attack is one entry, not one per guess (no password in it). An address without
    an account is throttled alike but not logged: anyone can type any address. The caller
    commits.
    """
    limit = failure_limit()
    if limit is None:
        return 0
    key = _key(email)
    try:
        count = limiter.storage.incr(key, limit.get_expiry())
        wait = _seconds_left(limit, key) if count >= limit.amount else 0
    except Exception:  # noqa: BLE001 (the storage is down: see seconds_refused)
        current_app.logger.warning("login throttle storage unavailable", exc_info=True)
        return 0
    if count == limit.amount:
        _audit_throttled(email, limit)
    return wait


def _audit_throttled(email: str, limit: RateLimitItem) -> None:
    user = find_user_by_email(email)
    if user is not None:
        audit.record(
            "login.throttled",
            user,
            user.name,
            after={
                "failed_logins": limit.amount,
                "window_minutes": math.ceil(limit.get_expiry() / 60),
            },
            actor=None,
        )


def forget_failures(email: str) -> None:
    """Start counting anew: the right password was given, or a new one chosen from a link."""
    if failure_limit() is not None:
        try:
            limiter.storage.clear(_key(email))
        except Exception:  # noqa: BLE001 (the storage is down: the count expires by itself)
            current_app.logger.warning("login throttle storage unavailable", exc_info=True)


def _seconds_left(limit: RateLimitItem, key: str) -> int:
    """Seconds until the count under `key` expires, or 0 while it is below the limit."""
    if limiter.storage.get(key) < limit.amount:
        return 0
    return max(1, math.ceil(limiter.storage.get_expiry(key) - time.time()))


def _key(email: str) -> str:
    # Hashed: the storage never holds the addresses people typed.
    digest = hashlib.sha256(normalise_email(email).encode()).hexdigest()
    return _KEY + digest
