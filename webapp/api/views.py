"""API endpoints: thin views over the services the workspace uses (same history, webhooks)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import jsonify, request, url_for
from flask_babel import force_locale
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
    LABEL_LOCALE,
    NOTE_KINDS,
    PUBLIC_KINDS,
    agent_json,
    conversation_entry,
    response_json,
    ticket_summary,
    transition_json,
)
from webapp.api.presenters import ticket_detail as detail_json
from webapp.extensions import csrf, db, limiter
from webapp.models import Role, TeamMembership, Ticket, TicketEvent, User, utcnow
from webapp.people import find_user_by_email
from webapp.record_ids import optional_id
from webapp.services import form_responses
from webapp.services import forms as form_service
from webapp.services.board import BoardFilters, filter_conditions
from webapp.services.form_responses import STATUSES, ResponseFilters
from webapp.services.notes import MAX_NOTE, NoteRefused, add_note
from webapp.services.replies import MAX_REPLY, ReplyRefused, send_public_reply
from webapp.services.ticket_files import MAX_FILES
from webapp.services.tickets import (
    MoveRefused,
    TicketConflict,
    add_label,
    assign_to,
    available_triggers,
    find_ticket,
    fire,
    flush_or_conflict,
)
from webapp.services.uploads import MAX_FILE_BYTES, UploadRefused, accepted_type
from webapp.tickets.presenters import refusal_message

DEFAULT_PAGE = 50
MAX_PAGE = 100
MAX_LABEL = 64
MAX_TRIGGER = 64  # a transition id is a short word from the workflow definition
MAX_EMAIL = 254
# A reply's files travel as base64 in the JSON body (a third larger than the files):
# that route alone may send up to MAX_FILES of them, the rest of the API stays small.
MAX_BASE64 = (MAX_FILE_BYTES + 2) // 3 * 4
MAX_REPLY_BODY = MAX_FILES * (MAX_BASE64 + 1024) + 256 * 1024
STAFF_ROLES = (Role.AGENT, Role.ADMIN)

# Bearer tokens only, never a cookie: a forged cross-site request carries no token.
csrf.exempt(bp)
# One bucket per token (and one per address for refused tokens) across every endpoint:
# per-endpoint buckets would multiply the allowance by the number of endpoints.
limiter.shared_limit(rate_limit, scope="api", key_func=rate_limit_key)(bp)
limiter.shared_limit(
    failed_token_limit, scope="api-refused", key_func=failed_token_key, deduct_when=refused
)(bp)


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
        "status",
        "customer",
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


@contextmanager
def _committed() -> Iterator[None]:
    """Commit what the block writes, or roll all of it back when it raises; a concurrent
    change of the ticket (a stale version) becomes the API's 409 `conflict`."""
    try:
        yield
        db.session.commit()
    except (TicketConflict, StaleDataError) as conflict:
        db.session.rollback()
        raise _conflict() from conflict
    except BaseException:
        db.session.rollback()
        raise


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
    detail = detail_json(ticket, public, notes)
    detail["transitions"] = _transitions_now(ticket)
    return jsonify(detail)


def _transitions_now(ticket: Ticket) -> list[dict[str, Any]]:
    """The moves a read_write token could make now, as the workspace offers them: none for a
    merged or spam ticket (it stays where it was put)."""
    if ticket.merged_into_id is not None or ticket.spam_at is not None:
        return []
    return [
        transition_json(ticket, option)
        for option in available_triggers(ticket, current_integration())
        if option.allowed
    ]


@bp.get("/tickets/<number>/files/<int:file_id>")
@token_required
def ticket_file(number: str, file_id: int):
    """A file the customer sent with a reply (listed in the conversation's `files`)."""
    from flask import send_file

    from webapp.services.ticket_files import file_of, path_of

    stored = file_of(_ticket_or_404(number), file_id)
    if stored is None or not path_of(stored).exists():
        raise ApiError(404, "file_not_found", f"Ticket {number[:30]} has no file {file_id}.")
    reply = send_file(
        path_of(stored),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.filename,
        max_age=0,
    )
    reply.headers["Cache-Control"] = "private, no-store"
    return reply


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
        with _committed():
            event = add_note(ticket, text, current_integration())
    except NoteRefused as refusal:
        raise ApiError(400, f"note_{refusal.code}", "The note was refused.") from refusal
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
    with _committed():
        label = add_label(ticket, name, current_integration())
        flush_or_conflict(ticket)
    labels = [existing.name for existing in ticket.labels]
    return jsonify({"added": label is not None, "labels": labels}), 201 if label else 200


# Why a move was refused: the workspace's words (in English) under a stable code.
_MOVE_REFUSALS = {
    "wrong_state": (409, "transition_not_available"),
    "role": (409, "transition_not_allowed"),
    "guard": (409, "transition_guard_failed"),
    "merged": (409, "ticket_merged"),
    "spam": (409, "ticket_spam"),
}


def _move_refused(refusal: MoveRefused, trigger: str) -> ApiError:
    if refusal.code not in _MOVE_REFUSALS:  # unknown_trigger
        return ApiError(
            400,
            "unknown_transition",
            f"There is no transition '{trigger[:MAX_TRIGGER]}' in this ticket's workflow; "
            "GET the ticket for the ones available now.",
        )
    status, code = _MOVE_REFUSALS[refusal.code]
    with force_locale(LABEL_LOCALE):
        message = refusal_message(refusal.code, refusal.detail)
    return ApiError(status, code, message)


@bp.post("/tickets/<number>/transitions")
@token_required
@write_required
def ticket_transition(number: str):
    """Move the ticket as an agent would from the workspace: roles, guards, actions, e-mails."""
    ticket = _ticket_or_404(number)
    body = _json_body()
    trigger = body.get("transition")
    if not isinstance(trigger, str) or not trigger.strip():
        raise ApiError(400, "bad_transition", "transition must be a transition's id (a string).")
    trigger = trigger.strip()
    _expected_version(body, ticket)
    try:
        with _committed():
            move = fire(ticket, trigger, current_integration())
    except MoveRefused as refusal:
        raise _move_refused(refusal, trigger) from refusal
    return jsonify(
        {"from_state": move.source, "to_state": move.dest, "ticket": ticket_summary(ticket)}
    )


# A reply the workspace would refuse, under a stable code (English, as every API message).
_REPLY_REFUSALS = {
    "empty": (400, "empty_reply", "text must be a non-empty string."),
    "too_long": (400, "reply_too_long", f"text may be at most {MAX_REPLY} characters."),
    "duplicate": (409, "duplicate_reply", "A reply with this nonce was already sent."),
    "merged": (
        409,
        "ticket_merged",
        "This ticket was merged into another: reply to the customer there (see merged_into).",
    ),
    "spam": (
        409,
        "ticket_spam",
        "This ticket was marked as spam: no reply is sent. An agent must choose “Not spam” first.",
    ),
    "erased": (
        409,
        "customer_erased",
        "The customer's data was erased on request: there is no address or status page "
        "to reply to.",
    ),
}


@bp.post("/tickets/<number>/replies")
@token_required
@write_required
def ticket_reply(number: str):
    """A public reply to the customer, as the workspace sends it: e-mail in their language,
    their status page, the first-response clock stopped, watchers and webhooks told."""
    request.max_content_length = MAX_REPLY_BODY  # before the body is read: files may come
    ticket = _ticket_or_404(number)
    as_form = request.mimetype == "multipart/form-data"  # the files as file parts
    body = _form_body() if as_form else _json_body()
    text = body.get("text")
    if not isinstance(text, str):
        raise ApiError(400, "empty_reply", "text must be a non-empty string.")
    if len(text) > MAX_REPLY * 2:  # far too long whatever the spaces: not worth cleaning
        raise ApiError(400, "reply_too_long", f"text may be at most {MAX_REPLY} characters.")
    nonce = body.get("nonce")
    if nonce is not None and (not isinstance(nonce, str) or not _is_nonce(nonce)):
        raise ApiError(400, "bad_nonce", "nonce must be 32 lowercase hexadecimal characters.")
    files = _form_files() if as_form else _reply_files(body.get("files"))
    _expected_version(body, ticket)
    try:
        with _committed():
            sent = send_public_reply(ticket, text, current_integration(), nonce or "", files)
    except ReplyRefused as refusal:
        status, code, message = _REPLY_REFUSALS.get(
            refusal.code, (409, "reply_refused", "The reply was refused.")
        )
        raise ApiError(status, code, message) from refusal
    return jsonify(conversation_entry(sent.event) | {"emailed": sent.emailed}), 201


_BAD_FILES = (
    f"files must be a list of at most {MAX_FILES} objects, each with a name and its bytes "
    "as content_base64."
)
_FILE_REFUSALS = {
    "too_large": (413, "file_too_large", "Each file may be at most 5 MB."),
    "file_type": (
        415,
        "file_type",
        "Only images (PNG, JPEG, GIF, WebP) and PDF files are accepted, checked by content.",
    ),
    "empty": (400, "empty_file", "A file has no content."),
}


def _reply_files(files: Any) -> list[tuple[str | None, bytes]]:
    """The files of an API reply, decoded and checked as the workspace checks them, before
    anything is sent: a refused one sends nothing."""
    if files is None:
        return []
    if not isinstance(files, list) or len(files) > MAX_FILES:
        raise ApiError(400, "bad_files", _BAD_FILES)
    read = []
    for item in files:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ApiError(400, "bad_files", _BAD_FILES)
        encoded = item.get("content_base64")
        if not isinstance(encoded, str):
            raise ApiError(400, "bad_files", _BAD_FILES)
        if len(encoded) > MAX_BASE64 + 4:
            raise ApiError(*_FILE_REFUSALS["too_large"])
        try:
            data = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise ApiError(400, "bad_files", "content_base64 is not valid base64.") from exc
        try:
            accepted_type(data)
        except UploadRefused as exc:
            raise ApiError(*_FILE_REFUSALS[exc.code]) from exc
        read.append((item["name"][:255], data))
    return read


_BAD_FILE_PARTS = (
    f"Send at most {MAX_FILES} files, each as a file part named files (with a filename)."
)
MAX_VERSION_DIGITS = 18


def _form_body() -> dict[str, Any]:
    """A reply sent as multipart/form-data (as help-desk APIs take attachments): its fields
    as the JSON body would hold them, checked in the same order and words."""
    form = request.form
    body: dict[str, Any] = {"text": form.get("text"), "nonce": form.get("nonce")}
    version = form.get("version")
    if version is not None:  # a number's digits, or left as text: `bad_version`
        digits = version.isascii() and version.isdigit() and len(version) <= MAX_VERSION_DIGITS
        body["version"] = int(version) if digits else version
    return body


def _form_files() -> list[tuple[str | None, bytes]]:
    """The file parts of a multipart reply, read and checked as `_reply_files` checks decoded
    ones: the same limits, codes and statuses, and a refused one sends nothing."""
    if "files" in request.form or "files[]" in request.form:
        raise ApiError(400, "bad_files", _BAD_FILE_PARTS)  # sent as text, not as a file
    if set(request.files) - {"files", "files[]"}:
        raise ApiError(400, "bad_files", _BAD_FILE_PARTS)  # a name nothing reads
    uploads = request.files.getlist("files") + request.files.getlist("files[]")
    if len(uploads) > MAX_FILES:
        raise ApiError(400, "bad_files", _BAD_FILE_PARTS)
    read = []
    for upload in uploads:
        data = upload.stream.read(MAX_FILE_BYTES + 1)  # no more than one too many
        try:
            accepted_type(data)
        except UploadRefused as exc:
            raise ApiError(*_FILE_REFUSALS[exc.code]) from exc
        read.append(((upload.filename or "")[:255], data))
    return read


def _is_nonce(value: str) -> bool:
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)


@bp.put("/tickets/<number>/assignee")
@token_required
@write_required
def ticket_assignee(number: str):
    """Give the ticket to an active colleague (by e-mail), or to nobody (null)."""
    ticket = _ticket_or_404(number)
    body = _json_body()
    if "assignee" not in body:
        raise ApiError(400, "bad_assignee", "assignee must be an agent's e-mail address, or null.")
    value = body["assignee"]
    assignee = None
    if value is not None:
        if not isinstance(value, str) or not value.strip():
            raise ApiError(
                400, "bad_assignee", "assignee must be an agent's e-mail address, or null."
            )
        assignee = _active_colleague(value)
        if assignee is None:
            raise ApiError(
                400,
                "unknown_agent",
                "There is no active agent with this e-mail address (see GET /agents).",
            )
    _expected_version(body, ticket)
    changed = (assignee.id if assignee else None) != ticket.assignee_id
    if changed:
        with _committed():
            assign_to(ticket, assignee, current_integration())
    return jsonify({"changed": changed, "ticket": ticket_summary(ticket)})


def _active_colleague(email: str) -> User | None:
    """Whom the workspace's assignee picker offers: an active agent or admin."""
    if len(email) > MAX_EMAIL:
        return None
    user = find_user_by_email(email)
    return user if user is not None and user.active and user.role in STAFF_ROLES else None


# -- agents -----------------------------------------------------------------------------------


@bp.get("/agents")
@token_required
def agent_list():
    """Active colleagues, newest first, as the workspace's pickers show them to colleagues."""
    size, before = _page_size(), _before()
    query = (
        select(User)
        .where(User.active.is_(True), User.role.in_(STAFF_ROLES))
        .options(selectinload(User.memberships).joinedload(TeamMembership.team))
        .order_by(User.id.desc())
        .limit(size + 1)
    )
    if before is not None:
        query = query.where(User.id < before)
    rows = db.session.scalars(query).all()
    page = rows[:size]
    next_url = None
    if len(rows) > size:
        next_url = url_for("api.agent_list", limit=size, before=page[-1].id, _external=True)
    now = utcnow()
    return jsonify({"data": [agent_json(user, now) for user in page], "next": next_url})


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
