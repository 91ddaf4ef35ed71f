"""The JSON API for integrations (/api/v1): bearer tokens, never cookies, so no CSRF."""

from flask import Blueprint

bp = Blueprint("api", __name__)


@bp.record_once
def _token_requests_keep_no_session(state) -> None:
    from webapp.api import session

    session.init_app(state.app)


# Importing a module registers its routes on bp.
from webapp.api import errors, views  # noqa: E402,F401,I001
