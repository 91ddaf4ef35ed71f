"""Who may do what: session login, role checks and response security headers."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterable
from functools import wraps
from html.parser import HTMLParser

from flask import Flask, abort, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from webapp.extensions import db, login_manager
from webapp.models import Role, User
from webapp.record_ids import optional_id


def role_required(*roles: Role) -> Callable:
    """Require a logged-in staff member with one of `roles` (admins pass every check).

    Anonymous visitors are sent to the login page; a logged-in user without the
    role gets a 403 page, never a redirect back to login (that would loop).
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role != Role.ADMIN and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(Role.AGENT, Role.ADMIN)
admin_required = role_required(Role.ADMIN)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user a session or remember-me cookie names, unless the password changed since or
    the account was deactivated (Flask-Login checks `is_active` only when logging in)."""
    number, _, stamp = user_id.partition(":")
    key = optional_id(number)
    if key is None or not stamp:
        return None
    user = db.session.get(User, key)
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(user.sign_in_stamp.encode(), stamp.encode()):
        return None
    return user


HSTS_SECONDS = 365 * 24 * 3600
# No 'unsafe-inline' for styles either: injected markup can neither run nor restyle or
# overlay the page. Our pages style themselves from stylesheets only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'{styles}; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'self'"
)


def content_security_policy(style_hashes: Iterable[str] = ()) -> str:
    """The pages' policy; `style_hashes` lets exactly these inline style values through."""
    hashes = sorted(set(style_hashes))
    styles = "".join(f" {value}" for value in ["'unsafe-hashes'", *hashes] if hashes)
    return CONTENT_SECURITY_POLICY.format(styles=styles)


class _StyleValues(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.values.update(value for name, value in attrs if name == "style" and value)


def inline_style_hashes(html: str) -> list[str]:
    """CSP hashes of the `style` attributes in `html` (an e-mail, which needs them: mail
    programs ignore stylesheets). A srcdoc frame shows it under its page's policy."""
    parser = _StyleValues()
    parser.feed(html)
    parser.close()
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(value.encode()).digest()).decode() + "'"
        for value in sorted(parser.values)
    ]


def _security_headers(response):
    if request.is_secure:  # browsers ignore the header over http; sent only where it holds
        response.headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    return response


def _private_pages_are_not_stored(response):
    """A page drawn for a logged-in person is not kept by the browser: after logging out on a
    shared computer, Back must not show the tickets again. Static files stay cacheable."""
    if request.endpoint == "static" or "Cache-Control" in response.headers:
        return response
    user = g.get("_login_user")  # the user Flask-Login loaded for this request, if any
    if user is not None and user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    app.after_request(_security_headers)
    app.after_request(_private_pages_are_not_stored)
