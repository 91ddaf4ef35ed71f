from __future__ import annotations

from flask import Response, abort, request, stream_with_context
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from webapp.extensions import db
from webapp.htmx_responses import render_page_or_partial, with_htmx_headers
from webapp.inbox.bell import INBOX_READ_EVENT, read_ticket_entries
from webapp.models import Ticket, utcnow
from webapp.record_ids import optional_id, record_id
from webapp.security import staff_required
from webapp.services import ticket_export
from webapp.services.board import BoardFilters, filter_conditions
from webapp.services.notes import staff_matching, users_by_ids
from webapp.services.replies import canned_body
from webapp.services.sla_clock import clocks_stopped
from webapp.services.ticket_access import can_see_id
from webapp.tickets import bp
from webapp.tickets.presenters import colleagues_on_tickets, state_label
from webapp.tickets.responses import (
    after_action,
    move_and_say,
    ticket_or_404,
    wants_drawer,
    workspace_page,
)
from webapp.tickets.workspace import FormState

PAGE_SIZE = 50


def _listed(filters: BoardFilters, mine: bool):
    """The tickets the list shows (and exports) under the board's filters."""
    query = select(Ticket).where(*filter_conditions(filters, current_user, utcnow()))
    return query.where(Ticket.assignee_id == current_user.id) if mine else query


@bp.get("/tickets")
@staff_required
def index():
    """Every ticket, newest first: searchable, and filtered like the board (same URL words)."""
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)  # no bigint overflow
    mine = request.args.get("mine") == "1"
    filters = BoardFilters.from_args(request.args)
    query = (
        _listed(filters, mine)
        .options(joinedload(Ticket.team), joinedload(Ticket.assignee), selectinload(Ticket.labels))
        .order_by(Ticket.id.desc())
    )
    rows = (
        db.session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).unique().all()
    )
    shown = rows[:PAGE_SIZE]
    locale = str(get_locale())
    return render_page_or_partial(
        "tickets/index.html",
        "tickets/_rows.html",
        tickets=shown,
        states={t.id: state_label(t, locale) for t in shown},
        stopped={t.id for t in shown if clocks_stopped(t)},
        # Who else has a row's ticket open, as on the board's cards: one read for the page.
        present=colleagues_on_tickets(current_user.id, utcnow(), {t.id for t in shown}),
        has_more=len(rows) > PAGE_SIZE,
        page=page,
        mine=mine,
        filters=filters,
    )


@bp.get("/tickets.csv")
@staff_required
def export_csv():
    """The list as it is filtered, every page of it, for a spreadsheet."""
    mine = request.args.get("mine") == "1"
    query = _listed(BoardFilters.from_args(request.args), mine)
    name = f"tickets-{utcnow():%Y-%m-%d}.csv"
    # Streamed in batches; the request context goes along for the viewer's language.
    chunks = ticket_export.csv_chunks(query, str(get_locale()))
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/tickets/<number>")
@staff_required
def show(number: str):
    """The ticket workspace: a full page, or the board drawer's content.

    Opening it reads the viewer's inbox entries about the ticket; a drawer tells the bell.
    """
    drawer = wants_drawer()
    ticket_id = Ticket.id_from_number(number)
    marked = read_ticket_entries(ticket_id, page_with_bell=not drawer) if ticket_id else 0
    ticket = ticket_or_404(number)
    forms = None
    canned_id = request.args.get("canned", type=record_id)
    if canned_id:
        forms = FormState(values={"reply": {"text": canned_body(ticket, canned_id)}})
    response = workspace_page(ticket, forms=forms)
    if marked and drawer:
        with_htmx_headers(response, trigger=INBOX_READ_EVENT)
    return response


@bp.post("/tickets/<number>/move")
@staff_required
def move(number: str):
    ticket = ticket_or_404(number)
    version = request.form.get("version", type=int)
    # Reloaded as the workspace reads it, not through ticket_or_404: a move may have taken
    # it to another team, which after_action tells the agent about.
    ticket = move_and_say(ticket, request.form.get("trigger", ""), version=version)
    return after_action(ticket, ["header", "sla", "timeline", "watchers"], anchor="ws-header")


@bp.app_template_filter("isodatetime")
def format_iso_datetime(value: str | None, fmt: str = "short") -> str:
    """A moment stored as ISO text in event data, shown in the viewer's language and timezone."""
    from datetime import datetime

    from flask_babel import format_datetime

    try:
        return format_datetime(datetime.fromisoformat(value), fmt) if value else ""
    except (TypeError, ValueError):
        return ""


@bp.get("/staff/people")
@staff_required
def people():
    """Colleagues matching `q`: checkboxes for the @mention picker (chosen ones kept), or,
    opened as a page, a list of them."""
    chosen_ids = [i for i in map(optional_id, request.args.getlist("mention")) if i]
    chosen = list(users_by_ids(chosen_ids).values())
    query = request.args.get("q", "")[:100]
    matches = [u for u in staff_matching(query) if u.id not in chosen_ids]
    return render_page_or_partial(
        "tickets/people.html",
        "tickets/_people_options.html",
        chosen=chosen,
        matches=matches,
        query=query,
    )


@bp.get("/files/<int:file_id>")
@staff_required
def file(file_id: int):
    """A file uploaded with a form's answers, for staff only; never served from static/."""
    from webapp.models import Response as FormResponse
    from webapp.models import ResponseFile
    from webapp.services.uploads import file_path

    stored = db.get_or_404(ResponseFile, file_id)
    if not current_user.sees_every_ticket:  # limited to their teams: only files of those tickets
        ticket_id = db.session.get(FormResponse, stored.response_id).ticket_id
        if ticket_id is None or not can_see_id(current_user, ticket_id):
            abort(404)
    return _send_stored(file_path(stored), stored.content_type, stored.filename)


@bp.get("/ticket-files/<int:file_id>")
@staff_required
def ticket_file(file_id: int):
    """A file the customer sent with a reply (e-mail attachment, status-page upload)."""
    from webapp.models import TicketFile
    from webapp.services.ticket_files import path_of

    stored = db.get_or_404(TicketFile, file_id)
    if not can_see_id(current_user, stored.ticket_id):
        abort(404)
    return _send_stored(path_of(stored), stored.content_type, stored.filename)


def _send_stored(path, content_type: str, filename: str):
    """A customer's file: images shown, the rest downloaded, in a sandbox either way (its
    content is the customer's, not ours), never cached."""
    from flask import send_file

    if not path.exists():
        abort(404)
    reply = send_file(
        path,
        mimetype=content_type,
        as_attachment=not content_type.startswith("image/"),
        download_name=filename,
        max_age=0,
    )
    reply.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    reply.headers["Cache-Control"] = "private, no-store"
    return reply
