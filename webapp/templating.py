"""Values every template needs: the language menu and the CSRF header htmx sends."""

from __future__ import annotations

import json
import re
import time

from flask import Flask, Response, current_app, g, has_request_context, render_template, session
from flask_wtf.csrf import generate_csrf
from htmx_flask import request
from markupsafe import Markup, escape

from webapp.erased_text import erased_text
from webapp.models.tickets import TICKET_NUMBER_PREFIX, Ticket
from webapp.models.types import utcnow
from webapp.outbox import refused_reply, status_label
from webapp.services.email_texts import greeting, linked_text, text_to_html


def _template_globals() -> dict:
    if not has_request_context():  # e-mails rendered by jobs and commands
        return {"languages": current_app.config["LANGUAGES"]}
    if request.blueprint == "public":
        # Customer pages use conversation tokens, not the session CSRF token: generating one
        # would set a session cookie on every anonymous visitor (and inside third-party iframes).
        return {
            "languages": current_app.config["LANGUAGES"],
            "hx_headers": "{}",
            "current_path": request.full_path.rstrip("?"),
        }
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


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _server_timing(response: Response) -> Response:
    """`Server-Timing: app;dur=…` lets browsers' dev tools and bench/ see server time."""
    started = getattr(g, "request_started", None)
    if started is not None:
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response


def breakable_email(address: str | None) -> Markup:
    """An address that may wrap after its @ and before a dot of its name ("anna<wbr>.kowalska@
    <wbr>firma.pl"), as addresses are broken in print, so a narrow table column never splits
    it mid-word."""
    local, at, domain = (address or "").rpartition("@")
    if not at:
        return escape(address or "")
    before_dot = Markup("<wbr>.")  # join() escapes the parts
    return before_dot.join(local.split(".")) + Markup("@<wbr>") + escape(domain)


_TICKET_NUMBER = re.compile(rf"{re.escape(TICKET_NUMBER_PREFIX)}\d+")


def whole_ticket_numbers(text: str | None) -> Markup:
    """`text`, escaped, with each ticket number kept on one line: a browser may break a line
    after the hyphen, and "LD-" ending one line with "1043" starting the next reads as two."""
    text = text or ""
    kept = Markup('<span class="ticket-number">{}</span>')
    parts, start = [], 0
    for number in _TICKET_NUMBER.finditer(text):
        parts += [escape(text[start : number.start()]), kept.format(number.group(0))]
        start = number.end()
    return Markup("").join([*parts, escape(text[start:])])


def breakable_url(url: str | None) -> Markup:
    """A URL that may wrap before a / . ? & or = ("https://crm<wbr>.example<wbr>.com<wbr>/in"),
    never inside a word as a narrow column would otherwise break it."""
    pieces = re.split(r"(?<![:/])(?=[/.?&=])", url or "")
    return Markup("<wbr>").join(pieces)  # join() escapes the pieces


def init_app(app: Flask) -> None:
    app.before_request(_start_timer)
    app.after_request(_server_timing)
    app.context_processor(_template_globals)
    app.after_request(_flashes_for_htmx)
    app.jinja_env.globals["now"] = utcnow
    app.jinja_env.globals["status_label"] = status_label
    app.jinja_env.globals["refused_reply"] = refused_reply  # a 5xx that failed a message
    app.jinja_env.globals["ticket_number_for"] = Ticket.number_for  # "LD-1042" from an id
    # An e-mail's plain-text lines as HTML paragraphs and <br>s: mail clients ignore pre-line.
    app.jinja_env.filters["text_paragraphs"] = text_to_html
    # Plain text with its URLs as links, line breaks left to CSS (the status page's replies).
    app.jinja_env.filters["linked_text"] = linked_text
    # "[erased]" (a customer's data erased on request) in the reader's language.
    app.jinja_env.filters["erased"] = erased_text
    app.jinja_env.filters["breakable_email"] = breakable_email
    app.jinja_env.filters["breakable_url"] = breakable_url
    app.jinja_env.filters["whole_ticket_numbers"] = whole_ticket_numbers
    # "Hello Ana," or "Hello," for e-mails: never "Hello ," when the name is missing.
    app.jinja_env.globals["greeting"] = greeting
