"""Failed logins counted per account, so guessing one password from many addresses is slowed;
the owner's own browser is counted apart, so a stranger cannot lock them out.

The per-address login limit stops one client; an attacker rotating addresses is stopped by
this count, kept per normalised e-mail as typed (whether or not an account has it, so the
refusal says nothing about which addresses exist). It lives in the rate-limit storage the
app already uses (Redis, or memory without Redis), where it expires by itself.

That count alone would let anybody who knows an agent's address keep them out for good,
renewing the window with a few wrong passwords. So, as OWASP's "device cookie" pattern
does, a successful login leaves a signed, long-lived, HttpOnly cookie in the browser that
names the account (its id, a stamp of its password hash and a random device id; nothing
secret, and not forgeable without the app's secret). Failed logins from a browser holding
a valid device cookie for the account typed are counted per device instead, and the
account-wide count does not refuse it: the owner's usual browser keeps working while
guessers elsewhere are throttled. A device that fails too often is throttled on its own
(the same limit). Logging out keeps the cookie (it is about the browser, not the session);
a password change or a deactivation makes every device cookie issued before it worthless.

An address that has no account is throttled alike; when it reaches the limit the audit log
says so once per window, with the client's address, since nobody else can be told.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time

from flask import Response, current_app, request
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, parse
from sqlalchemy import func, select

from webapp.extensions import db, limiter
from webapp.models import AuditEntry, User
from webapp.people import find_user_by_email, normalise_email
from webapp.services import audit
from webapp.shortened import shortened
from webapp.signing import timed_serializer

_KEY = "loopdesk/login-failures/"
_DEVICE_KEY = "loopdesk/login-failures/device/"
DEVICE_COOKIE = "loopdesk_device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600  # a year; each login issues it anew
_DEVICE_SALT = "loopdesk-login-device"
UNKNOWN_ADDRESS_SHOWN = 100  # characters of a typed address kept in the audit log


def failure_limit() -> RateLimitItem | None:
    """LOGIN_FAILURES_PER_ACCOUNT ("10 per 15 minutes"), or None when switched off."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    setting = (current_app.config.get("LOGIN_FAILURES_PER_ACCOUNT") or "").strip()
    if setting.lower() in {"", "0", "off", "none"}:
        return None
    return parse(setting)


# -- the device cookie ---------------------------------------------------------------------


def _device_signer() -> URLSafeTimedSerializer:
    return timed_serializer(_DEVICE_SALT)


def remember_device(reply: Response, user: User) -> None:
    """Give this browser a device cookie for `user`, who just logged in with their password."""
    token = _device_signer().dumps(
        {"id": user.id, "pw": user.sign_in_stamp, "device": secrets.token_urlsafe(16)}
    )
    reply.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure or bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )


def trusted_device(email: str) -> str | None:
    """This browser's device id if its cookie was issued to the account `email` opens and is
    still good (same password, not deactivated since); None for any other browser."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data, issued = _device_signer().loads(
            raw, max_age=DEVICE_COOKIE_MAX_AGE, return_timestamp=True
        )
    except BadSignature:  # tampered, made with another secret, or expired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("device"), str):
        return None
    user = find_user_by_email(email)
    if (
        user is None
        or not user.active
        or data.get("id") != user.id
        or data.get("pw") != user.sign_in_stamp
    ):
        return None
    deactivated = db.session.scalar(
        select(func.max(AuditEntry.created_at)).where(
            AuditEntry.target_type == "user",
            AuditEntry.target_id == str(user.id),
            AuditEntry.action == "user.deactivated",
        )
    )
    # The cookie's time is whole seconds, rounded down: one from the second of a
    # deactivation counts as older, which only ever takes a bypass away.
    if deactivated is not None and issued < deactivated:
        return None
    return data["device"]


# -- counting --------------------------------------------------------------------------------


def seconds_refused(email: str, device: str | None = None) -> int:
    """How long logins for `email` (from `device`, a trusted browser) stay refused.

    0: not throttled, or the storage is down (staff must still be able to log in while
    Redis is, and the per-address limit holds).
    """
    limit = failure_limit()
    if limit is None:
        return 0
    try:
        return _seconds_left(limit, _key(email, device))
    except Exception:  # noqa: BLE001 (any storage failure: Redis refused, timed out, …)
        current_app.logger.warning("login throttle storage unavailable", exc_info=True)
        return 0


def count_failure(email: str, device: str | None = None) -> int:
    """Count a failed login for `email`; how long its logins are now refused (0: not yet).

    From a trusted browser (`device`) the failure counts for that browser only. The failure
    that reaches the limit is already refused, so the guesser is told at the 10th wrong
    password of "10 per 15 minutes", not at an 11th attempt. The account-wide one goes in
    the audit log: the count reaches the limit exactly once per window, so an account (or
    an address without one) under attack is one entry, not one per guess (no password in
    it). The caller commits.
    """
    limit = failure_limit()
    if limit is None:
        return 0
    key = _key(email, device)
    try:
        count = limiter.storage.incr(key, limit.get_expiry())
        wait = _seconds_left(limit, key) if count >= limit.amount else 0
    except Exception:  # noqa: BLE001 (the storage is down: see seconds_refused)
        current_app.logger.warning("login throttle storage unavailable", exc_info=True)
        return 0
    if count == limit.amount and device is None:
        _audit_throttled(email, limit)
    return wait


def _audit_throttled(email: str, limit: RateLimitItem) -> None:
    window = {
        "failed_logins": limit.amount,
        "window_minutes": math.ceil(limit.get_expiry() / 60),
    }
    user = find_user_by_email(email)
    if user is not None:
        audit.record("login.throttled", user, user.name, after=window, actor=None)
        return
    audit.record(
        "login.unknown_address_throttled",
        None,
        shown_address(email),
        after={"ip_address": get_remote_address(), **window},
        actor=None,
    )


def shown_address(email: str) -> str:
    """A typed address as the audit log keeps it: normalised, printable, at most 100 characters."""
    # No control or invisible formatting characters (a right-to-left override, …).
    address = "".join(c if c.isprintable() else "?" for c in normalise_email(email))
    return shortened(address, UNKNOWN_ADDRESS_SHOWN)


def forget_failures(email: str, device: str | None = None) -> None:
    """Start counting anew: the right password was given, or a new one chosen from a link.

    From a trusted browser only its own count starts again: a guesser's account-wide count
    must not be wiped by the owner logging in.
    """
    if failure_limit() is not None:
        try:
            limiter.storage.clear(_key(email, device))
        except Exception:  # noqa: BLE001 (the storage is down: the count expires by itself)
            current_app.logger.warning("login throttle storage unavailable", exc_info=True)


def _seconds_left(limit: RateLimitItem, key: str) -> int:
    """Seconds until the count under `key` expires, or 0 while it is below the limit."""
    if limiter.storage.get(key) < limit.amount:
        return 0
    return max(1, math.ceil(limiter.storage.get_expiry(key) - time.time()))


def _key(email: str, device: str | None = None) -> str:
    # Hashed: the storage never holds the addresses people typed, nor device ids.
    if device is not None:
        return _DEVICE_KEY + hashlib.sha256(device.encode()).hexdigest()
    digest = hashlib.sha256(normalise_email(email).encode()).hexdigest()
    return _KEY + digest
