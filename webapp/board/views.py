"""Board routes: parse the request, call the board service, render a page or a fragment."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import NamedTuple

from flask import (
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from webapp.board import bp
from webapp.board.presenters import (
    ColumnView,
    build_card,
    build_column,
    build_columns,
    moved_message,
)
from webapp.extensions import db
from webapp.htmx_responses import (
    fragment_only,
    redirect_for_htmx_or_browser,
    with_htmx_headers,
)
from webapp.i18n import language_in_sentence
from webapp.models import CannedReply, SavedView, Team, Ticket, User, WorkflowKind, utcnow
from webapp.record_ids import optional_id, record_id
from webapp.security import staff_required
from webapp.services import canned_replies, presence
from webapp.services.board import (
    COUNT_CAP,
    BoardFilters,
    BulkOutcome,
    NoTemplate,
    bulk_assign,
    bulk_label,
    bulk_move,
    bulk_reply,
    bulk_reply_preview,
    change_fingerprint,
    clean_text,
    deleted_team_name,
    drop_team_from_saved_views,
    filtered_counts,
    load_column_page,
    load_columns,
    missing_team,
    move_ticket,
    ticket_to_move,
)
from webapp.services.forms import form_titles
from webapp.services.replies import ReplyRefused, new_reply_nonce
from webapp.services.ticket_access import can_see
from webapp.services.tickets import MoveRefused, TicketConflict
from webapp.services.workflow_versions import active_version, machine_for
from webapp.tickets.conversation_views import refusal_text
from webapp.tickets.presenters import conflict_message, refusal_message

SAVED_VIEWS_PER_AGENT = 50


@bp.context_processor
def _card_form_values() -> dict:
    """Computed once per render, not once per card menu (a board has ~150 cards)."""
    return {"move_url": url_for("board.move"), "csrf": generate_csrf()}


def _filters() -> BoardFilters:
    """Filters from the query string, or from a posted form (bulk bar, saved views, moves)."""
    source = request.form if request.method == "POST" else request.args
    return BoardFilters.from_args(source)


def _definition():
    return machine_for(active_version(WorkflowKind.TICKET).id).definition


def _columns(filters: BoardFilters) -> list[ColumnView]:
    definition = _definition()
    now = utcnow()
    pages = load_columns(list(definition.states), filters, current_user, now)
    return build_columns(pages, definition, current_user, now)


def _fingerprint(filters: BoardFilters) -> str:
    now = utcnow()
    present = presence.board_fingerprint(presence.on_tickets(current_user.id, now))
    return change_fingerprint(filters, str(get_locale()), now, present)


def _columns_context(filters: BoardFilters, etag: str | None = None) -> dict:
    """The columns and the fingerprint they are current for.

    The fingerprint is read *before* the columns: a change landing in between makes the next
    poll see a newer fingerprint and refresh, instead of being marked as already shown.
    """
    etag = etag or _fingerprint(filters)
    return {"columns": _columns(filters), "filters": filters, "count_cap": COUNT_CAP, "etag": etag}


def _board_url(filters: BoardFilters) -> str:
    return url_for("board.index", **filters.as_args())


@bp.get("/board")
@staff_required
def index():
    filters = _filters()
    gone = missing_team(filters)
    if gone:
        return _without_missing_team(filters, gone)
    context = _columns_context(filters)
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        body = render_template("board/_columns.html", **context)
        body += render_template("board/_match_count.html", **context)
        body += render_template("board/_dates_problem.html", **context, oob=True)
        response = make_response(body)
        # The canonical address (no empty parameters) is what the back button and links share.
        response.headers["HX-Push-Url"] = _board_url(filters)
    else:
        response = make_response(
            render_template("board/index.html", **context, **_page_context(filters))
        )
    response.headers.add("Vary", "HX-Request")
    return response


def _without_missing_team(filters: BoardFilters, gone: str) -> Response:
    """The board asked for a team that has been deleted (a saved view, a bookmark): say so,
    drop the filter there and in the agent's saved views, and show the board without it."""
    views = drop_team_from_saved_views(current_user.id, gone)
    db.session.commit()
    team = deleted_team_name(gone)
    if current_user.sees_every_ticket:
        shown = _("The team “%(team)s” no longer exists: the board shows every team's tickets.")
    else:  # limited to their teams: "every team's" would promise more than they get
        shown = _("The team “%(team)s” no longer exists: the board shows every ticket you can see.")
    message = shown % {"team": team}
    if views:
        listed = ", ".join(_("“%(text)s”", text=name) for name in views)
        removed = _("The filter was removed from your saved views: %(views)s.", views=listed)
        message = f"{message} {removed}"
    flash(message, "warning")
    response = redirect_for_htmx_or_browser(_board_url(replace(filters, team="")))
    response.headers.add("Vary", "HX-Request")
    return response


def _page_context(filters: BoardFilters) -> dict:
    """What the filter bar, bulk bar and saved views need (a fixed number of queries)."""
    definition = _definition()
    locale = str(get_locale())
    return {
        "teams": db.session.scalars(select(Team).order_by(Team.name)).all(),
        "agents": db.session.scalars(
            select(User).where(User.active.is_(True)).order_by(User.name)
        ).all(),
        "forms": form_titles(locale),
        "states": [(name, state.label(locale)) for name, state in definition.states.items()],
        "views": _saved_views(),
        # The bulk reply's templates, one choice per language (one query).
        "canned_by_language": {
            locale: [c for c in replies if c.active]
            for locale, replies in canned_replies.all_by_language().items()
            if locale in current_app.config["LANGUAGES"]
        },
        "reply_nonce": new_reply_nonce(),
    }


def _saved_views() -> list[SavedView]:
    return db.session.scalars(
        select(SavedView).where(SavedView.user_id == current_user.id).order_by(SavedView.name)
    ).all()


def _board_page(**_view_args) -> str:
    """Where a fragment of the board sends a plain browser request: the board, same filters."""
    return _board_url(_filters())


@bp.get("/board/columns/<state>")
@staff_required
@fragment_only(_board_page)
def column(state: str):
    """The next page of one column, for the sentinel at its end (infinite scroll)."""
    definition = _definition()
    if state not in definition.states:
        abort(404)
    filters = _filters()
    before = request.args.get("before", type=record_id)
    now = utcnow()
    page = load_column_page(state, filters, current_user, now, before)
    view = build_column(page, definition, current_user, now)
    return render_template("board/_cards.html", column=view, filters=filters)


@bp.get("/board/changes")
@staff_required
@fragment_only(_board_page)
def changes():
    """304 while nothing changed since the client's ETag; otherwise the fresh columns."""
    filters = _filters()
    etag = _fingerprint(filters)
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        response = make_response(
            render_template("board/_columns.html", **_columns_context(filters, etag))
        )
    response.set_etag(etag)
    # The client sends If-None-Match itself; a browser cache must not answer in our place.
    response.headers["Cache-Control"] = "no-store"
    return response


class MoveOutcome(NamedTuple):
    status: int  # 200 moved, 409 someone else moved it first, 422 refused
    message: str
    counts: dict[str, int]  # the columns whose counts the answer sets
    moved: tuple[str, str] | None = None  # from, to: the board shifts these counts by one


@bp.post("/board/move")
@staff_required
def move():
    """Move one card; the answer is the card as the server has it, wherever it now is."""
    filters = _filters()
    now = utcnow()
    found = ticket_to_move(request.form.get("number", ""), now)
    # The real user, not the proxy: a move reads it a few dozen times.
    viewer = current_user._get_current_object()
    if found is None or not can_see(viewer, found[0]):
        abort(404)
    ticket, tasks = found
    outcome = _try_move(ticket, viewer, filters, now)
    if not request.htmx:
        flash(outcome.message, "success" if outcome.status == 200 else "error")
        return redirect(_board_url(filters), code=303)
    # After a rollback the ticket reloads on first use; its task flags are as loaded.
    card = build_card(ticket, viewer, tasks, now)
    body = render_template(
        "board/_move_result.html",
        card=card,
        counts=outcome.counts,
        count_cap=COUNT_CAP,
        states=list(outcome.counts),
        message=outcome.message,
        failed=outcome.status != 200,
    )
    moved = outcome.moved
    trigger = {"ld-card-moved": {"from": moved[0], "to": moved[1]}} if moved else None
    return with_htmx_headers(make_response(body, outcome.status), trigger=trigger)


def _try_move(ticket: Ticket, viewer: User, filters: BoardFilters, now: datetime) -> MoveOutcome:
    """Move and commit; after a conflict, count every column again.

    An accepted move changes two counts by exactly one: the board shifts them itself
    (`ld-card-moved`) instead of the server counting both columns on every move, and the
    live poll brings every count back from the server within seconds. After a conflict,
    from where the agent saw the card we cannot tell which columns changed: every one is
    counted. A refusal changed nothing.
    """
    version_id, state_before = ticket.workflow_version_id, ticket.state
    try:
        result = move_ticket(
            ticket,
            viewer,
            dest=request.form.get("dest") or None,
            trigger=request.form.get("trigger") or None,
            expected_version=request.form.get("version", type=int),
        )
    except MoveRefused as refused:
        db.session.rollback()
        return MoveOutcome(422, refusal_message(refused.code, refused.detail), {})
    except TicketConflict as conflict:
        db.session.rollback()
        message = conflict_message(conflict, version_id, str(get_locale()))
        states = list(_definition().states) if request.htmx else []
        return MoveOutcome(409, message, _counts(states, filters, viewer, now))
    # The card drawn next shows exactly the rows just written: no reload after commit.
    db.session().expire_on_commit = False
    db.session.commit()
    moved = (state_before, result.dest) if result.dest != state_before else None
    return MoveOutcome(200, moved_message(ticket, result.dest), {}, moved)


def _counts(states: list[str], filters: BoardFilters, viewer: User, now: datetime) -> dict:
    return filtered_counts(states, filters, viewer, now)


@bp.post("/board/bulk")
@staff_required
def bulk():
    """Assign, label or move the selected tickets; each one succeeds or fails on its own."""
    filters = _filters()
    numbers = request.form.getlist("numbers")
    if not numbers:
        return _bulk_response(filters, [], _("Select at least one ticket first."))
    operation = request.form.get("operation", "")
    if operation == "reply" and not _reply_templates():
        return _bulk_response(filters, [], _("Choose a reply template for at least one language."))
    outcomes = _run_bulk(operation, numbers)
    if outcomes is None:
        return _bulk_response(filters, [], _("Choose what to do with the selected tickets."))
    if not request.htmx:
        done = sum(1 for o in outcomes if o.ok)
        flash(_("%(done)d of %(total)d tickets changed.", done=done, total=len(outcomes)), "info")
        return redirect(_board_url(filters), code=303)
    return _bulk_response(filters, outcomes, None)


def _run_bulk(operation: str, numbers: list[str]) -> list[BulkOutcome] | None:
    if operation == "assign":
        assignee = _assignee_from_form()
        if assignee is False:
            return None
        return bulk_assign(numbers, assignee, current_user)
    if operation == "label":
        label = clean_text(request.form.get("new_label"), 64)
        return bulk_label(numbers, label, current_user) if label else None
    if operation == "move":
        dest = request.form.get("dest", "")
        return bulk_move(numbers, dest, current_user) if dest in _definition().states else None
    if operation == "reply":
        return bulk_reply(numbers, _reply_templates(), current_user, request.form.get("nonce", ""))
    return None


@bp.post("/board/bulk/reply-preview")
@staff_required
def reply_preview():
    """What each selected customer would get from the bulk reply, per language, before it is
    sent (asked whenever the templates or the selection change)."""
    previews = bulk_reply_preview(request.form.getlist("numbers"), _reply_templates(), current_user)
    return render_template("board/_bulk_reply_preview.html", previews=previews)


def _reply_templates() -> dict[str, str]:
    """The chosen template of each language (`canned_<locale>`): locale → body."""
    chosen = {}
    for locale in current_app.config["LANGUAGES"]:
        canned_id = optional_id(request.form.get(f"canned_{locale}", ""))
        canned = db.session.get(CannedReply, canned_id) if canned_id else None
        if canned is not None and canned.active and canned.locale == locale:
            chosen[locale] = canned.body
    return chosen


def _assignee_from_form() -> User | None | bool:
    """The chosen agent, None for 'nobody', False when the choice is missing or not an agent."""
    value = request.form.get("assign_to", "")
    if value == "none":
        return None
    user = db.session.get(User, int(value)) if value.isdigit() and len(value) < 10 else None
    return user if user is not None and user.active else False


def _bulk_response(filters: BoardFilters, outcomes: list[BulkOutcome], problem: str | None):
    results = [(o, _outcome_message(o)) for o in outcomes]
    if not request.htmx:
        if problem:
            flash(problem, "error")
        return redirect(_board_url(filters), code=303)
    body = render_template(
        "board/_bulk_result.html",
        results=results,
        problem=problem,
        # The tickets that did not change stay selected: the agent can fix the cause and retry.
        keep_selected={o.number for o in outcomes if not o.ok},
        **(_columns_context(filters) if outcomes else {"columns": None}),
    )
    return make_response(body, 422 if problem else 200)


def _outcome_message(outcome: BulkOutcome) -> str:
    error = outcome.error
    if outcome.ok or error is None:
        return ""
    if isinstance(error, MoveRefused):
        return refusal_message(error.code, error.detail)
    if isinstance(error, TicketConflict):
        return conflict_message(error, active_version(WorkflowKind.TICKET).id, str(get_locale()))
    if isinstance(error, NoTemplate):
        return _(
            "No template was chosen for %(language)s, the customer's language.",
            language=language_in_sentence(error.locale),
        )
    if isinstance(error, ReplyRefused):
        return refusal_text(error.code)
    return _("No such ticket.")


@bp.post("/board/views")
@staff_required
def save_view():
    """Keep the current filters under a name. A name already in use with other filters is
    asked about first: its filters are replaced only when the agent confirms (`replace`)."""
    name = clean_text(request.form.get("name"), 80)
    filters = _filters()
    if not filters and not request.htmx and request.form.get("query"):
        # Without JavaScript the form carries the page's filters; htmx sends the live ones.
        filters = BoardFilters.from_query_string(request.form["query"])
    query = filters.query_string
    typed = (request.form.get("name") or "")[:80]
    existing = _saved_view_named(name) if name else None
    if existing is not None and existing.query != query and request.form.get("replace") != name:
        # The same name with other filters: ask before the old ones are gone.
        return _refused_view(filters, typed, None, replacing=name)
    replaced = existing is not None and existing.query != query
    problem = _store_view(name, query, existing) if name else _("Give the view a name.")
    if problem:
        # Refused: the reason stands at the name field, which takes the focus.
        return _refused_view(filters, typed, problem)
    # The list changes quietly at the top of the page: the toast says it worked.
    if replaced:
        flash(_("View “%(name)s” replaced: it now shows these filters.", name=name), "success")
    else:
        flash(_("View “%(name)s” saved.", name=name), "success")
    if not request.htmx:
        return redirect(_board_url(filters), code=303)
    return _saved_views_response(None, 200)


def _refused_view(
    filters: BoardFilters, typed: str, problem: str | None, replacing: str = ""
) -> Response:
    """The saved views again with what was typed and why it was not saved, or the question
    whether to replace the view `replacing`; a plain browser gets the board again (same
    filters) rather than a redirect that would lose them."""
    if request.htmx:
        return _saved_views_response(problem, 422, typed, replacing)
    page = render_template(
        "board/index.html",
        **_columns_context(filters),
        **_page_context(filters),
        problem=problem,
        view_name=typed,
        replacing=replacing,
    )
    return make_response(page, 422)


def _saved_view_named(name: str) -> SavedView | None:
    return db.session.scalar(
        select(SavedView).where(SavedView.user_id == current_user.id, SavedView.name == name)
    )


def _store_view(name: str, query: str, existing: SavedView | None) -> str | None:
    if existing is not None:
        existing.query = query
    elif len(_saved_views()) >= SAVED_VIEWS_PER_AGENT:
        return _("You have too many saved views; delete one first.")
    else:
        db.session.add(SavedView(user_id=current_user.id, name=name, query=query))
    db.session.commit()
    return None


@bp.post("/board/views/<int:view_id>/delete")
@staff_required
def delete_view(view_id: int):
    """Only the owner can delete a view; anyone else's id is simply not found."""
    view = db.session.scalar(
        select(SavedView).where(SavedView.id == view_id, SavedView.user_id == current_user.id)
    )
    if view is None:
        abort(404)
    db.session.delete(view)
    db.session.commit()
    flash(_("View “%(name)s” deleted.", name=view.name), "success")
    if not request.htmx:
        return redirect(url_for("board.index"), code=303)
    return _saved_views_response(None, 200)


def _saved_views_response(
    problem: str | None, status: int, typed: str = "", replacing: str = ""
) -> Response:
    body = render_template(
        "board/_saved_views.html",
        views=_saved_views(),
        problem=problem,
        view_name=typed,
        replacing=replacing,
        filters=_filters(),
    )
    return make_response(body, status)
