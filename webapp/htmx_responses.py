"""One place for htmx-aware responses: page-or-fragment rendering and HX-* headers."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from flask import Response, make_response, redirect, render_template
from htmx_flask import request


def render_page_or_partial(page_template: str, partial_template: str, **context) -> Response:
    """Render the page for a normal request, only the partial for an htmx request.

    The page template includes the same partial, so both paths show the same
    markup; `Vary: HX-Request` keeps caches from mixing the two.
    """
    template = partial_template if request.htmx and not request.htmx.boosted else page_template
    response = make_response(render_template(template, **context))
    response.headers.add("Vary", "HX-Request")
    return response


def fragment_only(page_url: Callable[..., str]) -> Callable:
    """For a view that only htmx asks for (a poll, the next page of a list, a picker's options).

    A plain browser request for the same address (browser history, a bookmark, a copied link)
    would show a bare fragment without the page around it; it is redirected to the page the
    fragment belongs to instead. `page_url` gets the view's arguments and returns that page's
    URL. Put it under the login/role decorator, so those answer first.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def fragment_or_redirect(*args, **kwargs):
            if request.htmx and not request.htmx.history_restore_request:
                response = make_response(view(*args, **kwargs))
            else:
                response = redirect(page_url(**kwargs), 303)
            response.headers.add("Vary", "HX-Request")
            return response

        return fragment_or_redirect

    return decorate


def with_htmx_headers(
    response: Response,
    *,
    trigger: dict | str | None = None,
    retarget: str | None = None,
    reswap: str | None = None,
    redirect: str | None = None,
) -> Response:
    """Set htmx response headers; event payloads are JSON-encoded here, nowhere else."""
    if trigger is not None:
        response.headers["HX-Trigger"] = (
            trigger if isinstance(trigger, str) else json.dumps(trigger)
        )
    if retarget:
        response.headers["HX-Retarget"] = retarget
    if reswap:
        response.headers["HX-Reswap"] = reswap
    if redirect:
        response.headers["HX-Redirect"] = redirect
    return response


def redirect_for_htmx_or_browser(location: str) -> Response:
    """Redirect a normal request with 303, an htmx request with HX-Redirect."""
    if request.htmx:
        return with_htmx_headers(make_response("", 204), redirect=location)
    response = make_response("", 303)
    response.headers["Location"] = location
    return response
