"""Two-step sign-in for staff: a time-based code (TOTP, RFC 6238) from an authenticator app
after the password, or one of ten one-time recovery codes.

A code is accepted in the 30-second step it belongs to and one step either side (clocks
drift), and only once: the last accepted step is stored, and a step is taken with a
conditional UPDATE, so two requests racing with the same code cannot both win. Recovery
codes are stored as hashes only (12 random characters, about 59 bits, so a plain SHA-256
keyed by the account suffices) and are used up the same race-free way.

Nothing here commits; callers audit through these functions, which never put a code or
the key in the log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import time

import pyotp
import segno
from sqlalchemy import func, or_, select, update

from webapp import secret_box
from webapp.extensions import db
from webapp.models import RecoveryCode, Role, User, utcnow
from webapp.services import audit
from webapp.services.app_settings import read_setting, write_setting

log = logging.getLogger(__name__)

ISSUER = "Loopdesk"
STEP_SECONDS = 30
DRIFT_STEPS = 1  # one step (30 s) early or late is still accepted
CODE_DIGITS = 6
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i to mix up
RECOVERY_GROUPS = 3
RECOVERY_GROUP_LENGTH = 4
TYPED_CODE_MAX = 64  # anything longer is no code: refused before any work
REQUIRED_KEY = "two_step_required"

_NOT_CODE = re.compile(r"[\s\-–—_.]+")


# -- codes ---------------------------------------------------------------------------------


def new_setup_nonce() -> str:
    """What the browser keeps while a key is being set up (`setup_secret` makes the key)."""
    return secrets.token_urlsafe(16)


def setup_secret(user: User, nonce: str, secret_key: str | bytes) -> str:
    """The key being set up, made from the browser's nonce and the app's SECRET_KEY.

    The session cookie is signed, not encrypted: holding the key itself there would let
    anyone who reads the cookie (a shared computer, a proxy log) make codes later. The
    nonce alone is worth nothing without the app's secret. 32 base32 characters (160 bits,
    as RFC 4226 recommends).
    """
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    digest = hmac.new(key, f"two-step-setup:{user.id}:{nonce}".encode(), hashlib.sha256)
    return base64.b32encode(digest.digest()[:20]).decode()


def setup_uri(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_code_data_uri(uri: str) -> str:
    """The QR code of `uri` as an SVG data: URI (the pages' policy allows data: images)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#111827")


def grouped_secret(secret: str) -> str:
    """The key in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def cleaned(typed: str | None) -> str:
    """A typed code without spaces, dashes or case: '123 456' and '123-456' are '123456'."""
    return _NOT_CODE.sub("", (typed or "")[:TYPED_CODE_MAX]).lower()


def is_app_code(code: str) -> bool:
    return len(code) == CODE_DIGITS and code.isascii() and code.isdigit()


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def matching_step(
    secret: str, code: str, now: float | None = None, after: int | None = None
) -> int | None:
    """The time step (within the drift) whose code `code` is, if later than `after`; else None."""
    if not is_app_code(code):
        return None
    totp = pyotp.TOTP(secret)
    step = current_step(now)
    found = None
    for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
        # Compare every candidate (no early exit): the time taken says nothing.
        if hmac.compare_digest(totp.generate_otp(candidate), code) and (
            after is None or candidate > after
        ):
            found = candidate
    return found


def use_app_code(user: User, typed: str | None, now: float | None = None) -> bool:
    """Accept a current code from the app once: its step becomes the last one used."""
    if not user.two_step_on:
        return False
    key = user.two_step_key
    if key is None:  # sealed under a key since removed: only a recovery code gets in now
        log.warning("user %s: no SECRET_KEY opens the two-step key", user.id)
        return False
    step = matching_step(key, cleaned(typed), now, user.two_step_last_step)
    if step is None:
        return False
    taken = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.two_step_last_step.is_(None), User.two_step_last_step < step),
        )
        .values(two_step_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # another request used this code (or a later one) just now
        return False
    user.two_step_last_step = step
    if secret_box.needs_resealing(user.two_step_secret):  # stored in the clear, or an old key
        user.two_step_secret = secret_box.seal(key)
    return True


def _recovery_hash(user: User, code: str) -> str:
    return hashlib.sha256(f"loopdesk-recovery:{user.id}:{code}".encode()).hexdigest()


def _new_recovery_code() -> str:
    length = RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(length))
    return "-".join(
        raw[i : i + RECOVERY_GROUP_LENGTH] for i in range(0, length, RECOVERY_GROUP_LENGTH)
    )


def use_recovery_code(user: User, typed: str | None) -> bool:
    """Accept one unused recovery code, which then never works again."""
    code = cleaned(typed)
    if not user.two_step_on or len(code) != RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH:
        return False
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(user, code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return used.rowcount == 1


def use_code(user: User, typed: str | None, now: float | None = None) -> str | None:
    """'app' or 'recovery' for whichever kind `typed` is and was accepted; None: refused."""
    if use_app_code(user, typed, now):
        return "app"
    if use_recovery_code(user, typed):
        return "recovery"
    return None


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(
        RecoveryCode.__table__.delete().where(RecoveryCode.__table__.c.user_id == user.id)
    )
    codes: list[str] = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = _new_recovery_code()
        if code not in codes:
            codes.append(code)
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_recovery_hash(user, cleaned(code)))
        for code in codes
    )
    return codes


# -- turning it on and off -----------------------------------------------------------------


def turn_on(
    user: User, secret: str, typed: str | None, now: float | None = None
) -> list[str] | None:
    """Switch two-step sign-in on with `secret` if `typed` is its current code.

    Returns the new recovery codes (shown once, stored hashed), or None for a wrong code
    (nothing changes).
    """
    step = matching_step(secret, cleaned(typed), now)
    if step is None:
        return None
    user.two_step_secret = secret_box.seal(secret)
    user.two_step_on_since = utcnow()
    user.two_step_last_step = step
    codes = _replace_recovery_codes(user)
    audit.record("user.two_step_on", user, user.name, after={"two_step": True}, actor=user)
    return codes


def new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes (the caller has checked a current code)."""
    codes = _replace_recovery_codes(user)
    audit.record(
        "user.recovery_codes_renewed",
        user,
        user.name,
        after={"recovery_codes": RECOVERY_CODE_COUNT},
        actor=user,
    )
    return codes


def _switch_off(user: User) -> None:
    user.two_step_secret = None
    user.two_step_on_since = None
    user.two_step_last_step = None
    db.session.execute(
        RecoveryCode.__table__.delete().where(RecoveryCode.__table__.c.user_id == user.id)
    )


def turn_off(user: User) -> None:
    """Switch it off at the account holder's request (password and code checked)."""
    _switch_off(user)
    audit.record(
        "user.two_step_off",
        user,
        user.name,
        before={"two_step": True},
        after={"two_step": False},
        actor=user,
    )


def reset_by_admin(user: User, admin: User) -> None:
    """Switch it off for an agent who lost their phone, and tell them by e-mail."""
    from webapp.external_urls import external_url
    from webapp.outbox import queue_email

    _switch_off(user)
    audit.record(
        "user.two_step_reset",
        user,
        user.name,
        before={"two_step": True},
        after={"two_step": False},
        actor=admin,
    )
    queue_email(
        user.email,
        "two_step_reset",
        locale=user.locale,
        context={"name": user.name, "admin": admin.name, "link": external_url("auth.profile")},
    )


# -- required for all staff ----------------------------------------------------------------


def required_for_staff() -> bool:
    return bool(read_setting(REQUIRED_KEY, False))


def set_required_for_staff(required: bool) -> bool:
    """Store the setting; True when it changed (and was audited)."""
    before = required_for_staff()
    if before == required:
        return False
    write_setting(REQUIRED_KEY, required)
    audit.record(
        "two_step.required_changed",
        None,
        "two_step_required",
        before={"two_step_required": before},
        after={"two_step_required": required},
    )
    return True


def staff_without_two_step() -> int:
    """How many active staff accounts have not set it up."""
    return db.session.scalar(
        select(func.count(User.id)).where(
            User.active.is_(True),
            User.role.in_([Role.AGENT.value, Role.ADMIN.value]),
            User.two_step_on_since.is_(None),
        )
    )


def must_set_up(user: User) -> bool:
    """Whether `user` is kept on the setup page until they turn it on."""
    return not user.two_step_on and required_for_staff()
