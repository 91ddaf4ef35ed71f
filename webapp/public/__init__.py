"""What customers see without an account: conversational forms, the widget, ticket status."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from webapp.public import requests_views, status_views, survey_views, views  # noqa: E402,F401  (registers the routes on bp)
