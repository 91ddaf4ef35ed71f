"""Bearer-token authentication and the per-token rate limit of the API."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from functools import wraps

from flask import current_app, g, request

from webapp.api.errors import ApiError
from webapp.models import ApiToken
from webapp.services.api_tokens import authenticate
from webapp.services.history import Integration

DEFAULT_RATE_LIMIT = "120 per minute;3000 per hour"


def presented_token() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def rate_limit() -> str:
    """`API_RATE_LIMIT` from the config or the environment, e.g. "120 per minute"."""
    return (
        current_app.config.get("API_RATE_LIMIT")
        or os.environ.get("API_RATE_LIMIT")
        or DEFAULT_RATE_LIMIT
    )


DEFAULT_REFUSAL_LIMIT = "20 per minute"


def failed_token_limit() -> str:
    """How many refused tokens an address may present (`API_FAILED_TOKEN_LIMIT`)."""
    return (
        current_app.config.get("API_FAILED_TOKEN_LIMIT")
        or os.environ.get("API_FAILED_TOKEN_LIMIT")
        or DEFAULT_REFUSAL_LIMIT
    )


def failed_token_key() -> str:
    """Refused tokens count per address: a guesser who changes the token every time would
    otherwise start a fresh per-token bucket with each guess."""
    return "api-refused:" + (request.remote_addr or "")


def refused(response) -> bool:
    return response.status_code == 401


def rate_limit_key() -> str:
    """One bucket per presented token (its hash: the token itself is never a storage key)."""
    token = presented_token()
    if token is None:
        return "api:anonymous:" + (request.remote_addr or "")
    return "api:" + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def current_token() -> ApiToken:
    return g.api_token


def current_integration() -> Integration:
    """Who the history names for what this token does: "API: <token name>"."""
    return Integration(g.api_token.name)


def token_required(view: Callable) -> Callable:
    """401 (with WWW-Authenticate: Bearer) unless an active token is presented."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        token = authenticate(presented_token())
        if token is None:
            raise ApiError(
                401,
                "invalid_token",
                "Send a valid, unrevoked API token as 'Authorization: Bearer ldk_…'.",
            )
        g.api_token = token
        return view(*args, **kwargs)

    return wrapped


def write_required(view: Callable) -> Callable:
    """403 for a read-only token; checked after `token_required`."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_token().can_write:
            raise ApiError(
                403,
                "read_only_token",
                "This token may only read; an admin can create a read_write token.",
            )
        return view(*args, **kwargs)

    return wrapped
