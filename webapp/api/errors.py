"""Every API error as JSON `{"error": {"code", "message"}}`: English text, a stable code."""

from __future__ import annotations

import logging
import math
import time

from flask import jsonify
from flask_limiter.errors import RateLimitExceeded
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from webapp.api import bp
from webapp.extensions import db

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: ("bad_request", "The request could not be understood."),
    401: ("unauthorized", "A valid API token is required."),
    403: ("forbidden", "This token may not do that."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This method is not allowed here."),
    409: ("conflict", "The resource was changed at the same time; read it again and retry."),
    413: ("too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send a JSON body (Content-Type: application/json)."),
    429: ("rate_limited", "Too many requests with this token; slow down and retry later."),
}


class ApiError(Exception):
    """Raised by views: becomes the JSON error response."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="loopdesk"'
    return response


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return error_response(error.status, error.code, error.message)


@bp.errorhandler(RateLimitExceeded)
def _rate_limited(error: RateLimitExceeded):
    code, message = _HTTP_CODES[429]
    response = error_response(429, code, message)
    retry_after = error.retry_after or _seconds_until_reset()
    if retry_after:
        response.headers["Retry-After"] = str(int(retry_after))
    return response


def _seconds_until_reset() -> int | None:
    """When the bucket that was hit has room again (Flask-Limiter sets no retry_after)."""
    from webapp.extensions import limiter

    current = limiter.current_limit
    if current is None or not current.reset_at:
        return None
    return max(1, math.ceil(current.reset_at - time.time()))


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    status = error.code or 500
    code, message = _HTTP_CODES.get(status, ("error", "The request failed."))
    return error_response(status, code, message)


@bp.errorhandler(DataError)
@bp.errorhandler(OverflowError)
def _out_of_range(error: Exception):
    log.warning("API value out of range for the database", exc_info=error)
    db.session.rollback()
    return error_response(400, "bad_request", "A value is out of range.")


@bp.errorhandler(Exception)
def _server_error(error: Exception):
    """No stack trace leaves the server: it goes to the log."""
    if isinstance(error, HTTPException):
        return http_error(error)
    log.error("unhandled API error", exc_info=error)
    db.session.rollback()
    return error_response(500, "server_error", "An unexpected error occurred; it was logged.")
