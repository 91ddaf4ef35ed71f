"""API requests that present a token leave the browser session alone.

Flask-Login checks the session after every request (its remember-me bookkeeping), and a
session that was looked at makes Flask answer `Vary: Cookie` and may send the cookie back.
An answer to a bearer token depends on the token, never on a cookie: a cache may share it
among cookies, and an integration should not be handed a session it never asked for.
"""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

from webapp.api.auth import presented_token


class TokenRequestsKeepNoSession(SecureCookieSessionInterface):
    """The app's cookie sessions, except that a token request to the API saves none."""

    def save_session(self, app: Flask, session, response) -> None:
        if request.blueprint == "api" and presented_token() is not None:
            return  # no Set-Cookie, no Vary: Cookie, whatever was read
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = TokenRequestsKeepNoSession()
