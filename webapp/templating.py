"""Values every template needs: the language menu and the CSRF header htmx sends."""

from __future__ import annotations

import json

from flask import Flask, Response, current_app, has_request_context, render_template, session
from flask_wtf.csrf import generate_csrf
from htmx_flask import request

from webapp.models.types import utcnow
from webapp.outbox import status_label


def _template_globals() -> dict:
    if not has_request_context():  # e-mails rendered by jobs and commands
        return {"languages": current_app.config["LANGUAGES"]}
    return {
        "languages": current_app.config["LANGUAGES"],
        # htmx sends this header on every request; Flask-WTF checks it on unsafe methods.
        "hx_headers": json.dumps({"X-CSRFToken": generate_csrf()}),
        "current_path": request.full_path.rstrip("?"),
    }


def _flashes_for_htmx(response: Response) -> Response:
    """Deliver pending flash messages with an htmx fragment (out-of-band), not on the next page."""
    if (
        request.htmx
        and session.get("_flashes")
        and response.status_code in (200, 422)
        and response.mimetype == "text/html"
        and not response.direct_passthrough
    ):
        response.set_data(response.get_data(as_text=True) + render_template("_flashes_oob.html"))
    return response


def init_app(app: Flask) -> None:
    app.context_processor(_template_globals)
    app.after_request(_flashes_for_htmx)
    app.jinja_env.globals["now"] = utcnow
    app.jinja_env.globals["status_label"] = status_label
