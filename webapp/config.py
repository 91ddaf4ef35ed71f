"""Configuration read from the environment, with safe development defaults."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

LANGUAGES = ("en", "pl", "ru", "sl")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _seconds(value: str | None, default: int) -> int:
    """A whole number of seconds, at least 1; unset, empty or not a number: `default`."""
    try:
        return max(1, int(value)) if value and value.strip() else default
    except ValueError:
        return default


def instance_secret_key(instance_path: str) -> str:
    """Return the secret key kept in `instance/`, creating it on first use.

    A generated key survives restarts (sessions stay valid) without ever being
    a constant in the source tree.
    """
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def from_environment(instance_path: str, *, generate_secret: bool = True) -> dict:
    """Build the app config from environment variables.

    `generate_secret=False` is for callers that bring their own SECRET_KEY.
    """
    env = os.environ
    secret_key = env.get("SECRET_KEY") or (
        instance_secret_key(instance_path) if generate_secret else None
    )
    database_url = env.get("DATABASE_URL")
    if not database_url:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        database_url = "sqlite:///" + str(Path(instance_path) / "loopdesk.db")
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url.removeprefix("postgres://")
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    redis_url = env.get("REDIS_URL") or None
    base_url = env.get("LOOPDESK_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    # Served over https: the login cookies never travel over plain http (a remember-me
    # cookie is a year-long login), unless SESSION_COOKIE_SECURE says otherwise.
    secure_cookies = _bool(env.get("SESSION_COOKIE_SECURE"), default=base_url.startswith("https:"))
    return {
        "SECRET_KEY": secret_key,
        # Keys used before SECRET_KEY, still accepted on what they signed (webapp.signing).
        "SECRET_KEY_FALLBACKS": [
            key.strip()
            for key in env.get("LOOPDESK_SECRET_KEY_FALLBACKS", "").split(",")
            if key.strip()
        ],
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Dead connections are detected by webapp.db_health, only after idle periods.
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "REDIS_URL": redis_url,
        "RQ_QUEUE": env.get("RQ_QUEUE", "loopdesk"),
        "LOOPDESK_BASE_URL": base_url,
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Loopdesk <loopdesk@localhost>"),
        # Seconds to wait for the SMTP server at each step; a server silent longer fails the
        # send, which is retried later (jobs.mail).
        "MAIL_TIMEOUT": float(env.get("MAIL_TIMEOUT", "30")),
        # Flask-Mail would silently drop mail under TESTING; our tests use a real SMTP server.
        "MAIL_SUPPRESS_SEND": False,
        # Customers answer by e-mail: customer e-mails about a ticket get a Reply-To of
        # support+<reply key>@example.com on this address (services.reply_addresses); unset,
        # e-mails stay as they were. An IMAP mailbox to poll for those replies (optional:
        # an MTA can pipe them to `flask mail receive` instead).
        "LOOPDESK_REPLY_ADDRESS": (env.get("LOOPDESK_REPLY_ADDRESS") or "").strip() or None,
        "LOOPDESK_IMAP_URL": env.get("LOOPDESK_IMAP_URL") or None,
        # A folder of that mailbox to move each handled message to (created if missing);
        # unset: handled messages stay and are marked seen.
        "LOOPDESK_IMAP_DONE_FOLDER": (env.get("LOOPDESK_IMAP_DONE_FOLDER") or "").strip() or None,
        # Where the testimonial request sends promoters (a review site); unset: "just reply".
        "TESTIMONIAL_URL": env.get("LOOPDESK_TESTIMONIAL_URL") or None,
        # Webhooks may call loopback/private/link-local addresses (SSRF: off unless set).
        "WEBHOOK_LOCAL_NETWORK": _bool(env.get("LOOPDESK_WEBHOOK_LOCAL_NETWORK")),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), default=True),
        # Redis down: limits count in this process meanwhile, and a limiter error never turns
        # a login or a customer's answer into a 500 (Flask-Limiter checks Redis again later).
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # Run the periodic jobs in a thread of this process (only without Redis; `make run`).
        "IN_PROCESS_SCHEDULER": _bool(env.get("LOOPDESK_IN_PROCESS_SCHEDULER")),
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute"),
        # Failed logins per account (the e-mail as typed) from any number of addresses; then
        # that e-mail is refused for the rest of the window, the right password too ("off").
        "LOGIN_FAILURES_PER_ACCOUNT": env.get("LOGIN_FAILURES_PER_ACCOUNT", "10 per 15 minutes"),
        # "Forgot your password?" requests per client address: each one may send an e-mail.
        "PASSWORD_RESET_RATE_LIMIT": env.get(
            "PASSWORD_RESET_RATE_LIMIT", "5 per minute;20 per hour"
        ),
        "SESSION_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": env.get("LOOPDESK_TIMEZONE", "UTC"),
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        "LANGUAGES": LANGUAGES,
        # Uploads are at most 5 MB; the rest is room for the other form fields.
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
        "UPLOAD_FOLDER": env.get("LOOPDESK_UPLOAD_FOLDER") or None,
        "FORM_RATE_LIMIT": env.get("FORM_RATE_LIMIT", "60 per minute;600 per hour"),
        # "Continue later" links e-mailed to one address, from any number of clients: a
        # stranger's mailbox must not be filled from many addresses ("off": no limit).
        "CONTINUE_LATER_MAILS_PER_ADDRESS": env.get(
            "CONTINUE_LATER_MAILS_PER_ADDRESS", "3 per day"
        ),
        # The same for "Your requests" links, which anybody may ask for any address.
        "REQUESTS_LINK_MAILS_PER_ADDRESS": env.get("REQUESTS_LINK_MAILS_PER_ADDRESS", "3 per day"),
        "FORM_MIN_SECONDS_FIRST_ANSWER": float(env.get("FORM_MIN_SECONDS_FIRST_ANSWER", "2")),
        # A partly answered conversation can be resumed for this many days after its last
        # answer (the browser's cookie and the "continue later" link); later it starts over.
        "FORM_RESUME_DAYS": max(1, int(env.get("LOOPDESK_FORM_RESUME_DAYS", "30"))),
        # Read inbox entries older than this many days are deleted by a periodic job (0: kept).
        "INBOX_RETENTION_DAYS": int(env.get("LOOPDESK_INBOX_RETENTION_DAYS", "90")),
        # How often open pages ask whether anything changed, in seconds: an open ticket (and
        # the board's drawer), the board's columns, and the inbox bell in the header.
        "LIVE_REFRESH_SECONDS": _seconds(env.get("LOOPDESK_LIVE_REFRESH_SECONDS"), 5),
        "BOARD_REFRESH_SECONDS": _seconds(env.get("LOOPDESK_BOARD_REFRESH_SECONDS"), 3),
        "INBOX_BELL_SECONDS": _seconds(env.get("LOOPDESK_INBOX_BELL_SECONDS"), 60),
    }
