"""API endpoints: thin views over the services the workspace uses (same history, webhooks)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import jsonify, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from webapp.api import bp
from webapp.api.auth import (
    current_integration,
    current_token,
    failed_token_key,
    failed_token_limit,
    rate_limit,
    rate_limit_key,
    refused,
    token_required,
    write_required,
)
from webapp.api.errors import ApiError
from webapp.api.openapi import SPEC
from webapp.api.presenters import (
    NOTE_KINDS,
    PUBLIC_KINDS,
    conversation_entry,
    response_json,
    ticket_summary,
)
from webapp.api.presenters import ticket_detail as detail_json
from webapp.extensions import csrf, db, limiter
from webapp.models import Ticket, TicketEvent, utcnow
from webapp.record_ids import optional_id
from webapp.services import form_responses
from webapp.services import forms as form_service
from webapp.services.board import BoardFilters, filter_conditions
from webapp.services.form_responses import STATUSES, ResponseFilters
from webapp.services.notes import MAX_NOTE, NoteRefused, add_note
from webapp.services.tickets import TicketConflict, add_label, find_ticket, flush_or_conflict

DEFAULT_PAGE = 50
MAX_PAGE = 100
MAX_LABEL = 64

# Bearer tokens only, never a cookie: a forged cross-site request carries no token.
csrf.exempt(bp)
limiter.limit(rate_limit, key_func=rate_limit_key)(bp)
limiter.limit(failed_token_limit, key_func=failed_token_key, deduct_when=refused)(bp)


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@dataclass(frozen=True)
class _ApiViewer:
    """Board filters read the viewer's id (`me`) and time zone; a token has neither.

    An integration's token is made by an admin and sees every ticket, as admins do.
    """

    id: None = None
    timezone: str = "UTC"
    sees_every_ticket: bool = True


# -- input ------------------------------------------------------------------------------------


def _page_size() -> int:
    raw = request.args.get("limit")
    if raw is None or raw == "":
        return DEFAULT_PAGE
    size = optional_id(raw)
    if size is None or size > MAX_PAGE:
        raise ApiError(400, "bad_limit", f"limit must be a whole number from 1 to {MAX_PAGE}.")
    return size


def _before() -> int | None:
    raw = request.args.get("before")
    if raw is None or raw == "":
        return None
    before = optional_id(raw)
    if before is None:
        raise ApiError(400, "bad_before", "before must be an id from a previous page's 'next'.")
    return before


def _board_filters() -> BoardFilters:
    """The board's filters from the query string; a value the board would drop is a 400."""
    filters = BoardFilters.from_args(request.args)
    if filters.assignee == "me":
        raise ApiError(400, "bad_filter", "assignee=me has no meaning for an API token.")
    kept = filters.as_args()
    for name in (
        "team",
        "assignee",
        "priority",
        "label",
        "language",
        "form",
        "sla",
        "from",
        "to",
        "q",
    ):
        if request.args.get(name, "").strip() and name not in kept:
            raise ApiError(400, "bad_filter", f"The value of the filter '{name}' is not valid.")
    return filters


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "bad_json", "Send a JSON object as the request body.")
    return body


def _expected_version(body: dict[str, Any], ticket: Ticket) -> None:
    """An optional `version` (from a read) that must still be the ticket's: else 409."""
    if "version" not in body or body["version"] is None:
        return
    version = body["version"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise ApiError(400, "bad_version", "version must be a whole number from a read.")
    if version != ticket.version:
        raise _conflict()


def _conflict() -> ApiError:
    return ApiError(409, "conflict", "The ticket was changed meanwhile; read it again and retry.")


def _ticket_or_404(number: str) -> Ticket:
    ticket = find_ticket(number)
    if ticket is None:
        raise ApiError(404, "ticket_not_found", f"There is no ticket {number[:30]}.")
    return ticket


# -- tickets ----------------------------------------------------------------------------------


@bp.get("/tickets")
@token_required
def ticket_list():
    """Newest first, under the board's filters; `before` pages on (keyset, no duplicates)."""
    filters, size, before = _board_filters(), _page_size(), _before()
    query = (
        select(Ticket)
        .where(*filter_conditions(filters, _ApiViewer(), utcnow()))
        .options(joinedload(Ticket.team), joinedload(Ticket.assignee), selectinload(Ticket.labels))
        .order_by(Ticket.id.desc())
        .limit(size + 1)
    )
    if before is not None:
        query = query.where(Ticket.id < before)
    rows = db.session.scalars(query).unique().all()
    page = rows[:size]
    next_url = None
    if len(rows) > size:
        next_url = url_for(
            "api.ticket_list", **filters.as_args(), limit=size, before=page[-1].id, _external=True
        )
    return jsonify({"data": [ticket_summary(t) for t in page], "next": next_url})


@bp.get("/tickets/<number>")
@token_required
def ticket_detail(number: str):
    """Internal notes are included for read_write tokens only (see the OpenAPI text)."""
    ticket = _ticket_or_404(number)
    with_notes = current_token().can_write
    kinds = PUBLIC_KINDS + (NOTE_KINDS if with_notes else ())
    events = db.session.scalars(
        select(TicketEvent)
        .options(joinedload(TicketEvent.actor))
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind.in_(kinds))
        .order_by(TicketEvent.id)
    ).all()
    public = [e for e in events if e.kind in PUBLIC_KINDS]
    notes = [e for e in events if e.kind in NOTE_KINDS] if with_notes else None
    return jsonify(detail_json(ticket, public, notes))


@bp.post("/tickets/<number>/notes")
@token_required
@write_required
def ticket_note(number: str):
    """An internal note by the integration: same history, mentions, watchers and webhooks."""
    ticket = _ticket_or_404(number)
    body = _json_body()
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, "empty_note", "text must be a non-empty string.")
    if len(text) > MAX_NOTE:
        raise ApiError(400, "note_too_long", f"text may be at most {MAX_NOTE} characters.")
    _expected_version(body, ticket)
    try:
        event = add_note(ticket, text, current_integration())
        db.session.commit()
    except NoteRefused as refusal:
        db.session.rollback()
        raise ApiError(400, f"note_{refusal.code}", "The note was refused.") from refusal
    except (TicketConflict, StaleDataError) as conflict:
        db.session.rollback()
        raise _conflict() from conflict
    return jsonify(conversation_entry(event)), 201


@bp.post("/tickets/<number>/labels")
@token_required
@write_required
def ticket_label(number: str):
    """Add a label (201), or say it was already there (200); as the workspace does it."""
    ticket = _ticket_or_404(number)
    body = _json_body()
    name = body.get("label")
    if not isinstance(name, str) or not " ".join(name.split()):
        raise ApiError(400, "empty_label", "label must be a non-empty string.")
    if len(" ".join(name.split())) > MAX_LABEL:
        raise ApiError(400, "label_too_long", f"label may be at most {MAX_LABEL} characters.")
    _expected_version(body, ticket)
    try:
        label = add_label(ticket, name, current_integration())
        flush_or_conflict(ticket)
        db.session.commit()
    except (TicketConflict, StaleDataError) as conflict:
        db.session.rollback()
        raise _conflict() from conflict
    labels = [existing.name for existing in ticket.labels]
    return jsonify({"added": label is not None, "labels": labels}), 201 if label else 200


# -- forms ------------------------------------------------------------------------------------


@bp.get("/forms/<slug>/responses")
@token_required
def form_response_list(slug: str):
    """Newest first; `status=completed|unfinished`; answers as stored, with the score."""
    form, version_id = form_service.find_form_and_active_version(slug)
    if form is None:
        raise ApiError(404, "form_not_found", f"There is no form '{slug[:64]}'.")
    status = request.args.get("status", "")
    if status and status not in STATUSES:
        raise ApiError(400, "bad_filter", "status must be 'completed' or 'unfinished'.")
    size, before = _page_size(), _before()
    definition = form_service.definition_for(version_id) if version_id else None
    filters = ResponseFilters(status=status)
    page = form_responses.response_page(form, filters, definition, before, page_size=size)
    next_url = None
    if page.has_more:
        next_url = url_for(
            "api.form_response_list",
            slug=form.slug,
            **filters.as_args(),
            limit=size,
            before=page.last_id,
            _external=True,
        )
    return jsonify({"data": [response_json(row) for row in page.rows], "next": next_url})


@bp.get("/openapi.json")
def openapi():
    """The API's description; public, like any API's documentation."""
    return jsonify(SPEC)
