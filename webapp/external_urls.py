"""Absolute links for e-mails and jobs, built from LOOPDESK_BASE_URL in any context."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """Like `url_for(..., _external=True)`, but also outside a request (jobs, CLI).

    The base URL comes from configuration, never from the request's Host
    header, so a forged Host cannot poison links sent by e-mail.
    """
    base = urlsplit(current_app.config["LOOPDESK_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
