"""Error pages in the viewer's language; htmx requests get a message fragment to show."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from htmx_flask import request
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, InternalServerError

from webapp.extensions import db

log = logging.getLogger(__name__)
API_PREFIX = "/api/"

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please try again.")),
    403: (_l("Access denied"), _l("You do not have permission to see this page.")),
    404: (_l("Page not found"), _l("The page you are looking for does not exist or has moved.")),
    405: (_l("Not allowed"), _l("This action is not allowed here.")),
    409: (_l("Conflict"), _l("Someone else changed this at the same time. Reload and try again.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    429: (
        _l("Too many requests"),
        _l("You are going too fast. Please wait a moment and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error occurred. It has been logged; please try again."),
    ),
}
CSRF_MESSAGE = _l(
    "Your session expired or the form was already used. Reload the page and try again."
)


def render_error(code: int, message: str | None = None):
    title, default_message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if request.htmx:
        template = "errors/_message.html"
    elif request.blueprint == "public":  # a customer's page: theirs to the end, not the staff's
        template = "errors/public_error.html"
    else:
        template = "errors/error.html"
    body = render_template(
        template,
        code=code,
        title=title,
        message=message or default_message,
        lang=str(get_locale()),
    )
    return body, code


def _http_error(error: HTTPException):
    if request.path.startswith(API_PREFIX):  # an unknown API address or method: JSON too
        from webapp.api.errors import http_error

        return http_error(error)
    return render_error(error.code or 500)


def _csrf_error(error: CSRFError):
    return render_error(400, str(CSRF_MESSAGE))


def _value_out_of_range(error: Exception):
    """A number or text the database cannot hold slipped past a view's checks.

    Ids are bounded where they are read (webapp.record_ids); this is the net under them:
    the person gets "bad request" in their language instead of a server error, and the
    log keeps the traceback so the view can be fixed.
    """
    log.warning("value out of range for the database", exc_info=error)
    db.session.rollback()
    return render_error(400)


def _server_error(error: Exception):
    original = getattr(error, "original_exception", error)
    log.error("unhandled error", exc_info=original)
    db.session.rollback()
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DataError, _value_out_of_range)
    app.register_error_handler(OverflowError, _value_out_of_range)
    app.register_error_handler(InternalServerError, _server_error)
