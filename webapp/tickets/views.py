from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from webapp.extensions import db
from webapp.htmx_responses import render_page_or_partial
from webapp.models import Ticket, TicketEvent
from webapp.security import staff_required
from webapp.services.tickets import (
    MoveRefused,
    TicketConflict,
    available_triggers,
    find_ticket,
    fire,
)
from webapp.services.workflow_versions import machine_for
from webapp.tickets import bp
from webapp.tickets.presenters import refusal_message, sla_clocks, state_label

PAGE_SIZE = 50


@bp.get("/tickets")
@staff_required
def index():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    mine = request.args.get("mine") == "1"
    query = (
        select(Ticket)
        .options(joinedload(Ticket.team), joinedload(Ticket.assignee), selectinload(Ticket.labels))
        .order_by(Ticket.id.desc())
    )
    if mine:
        query = query.where(Ticket.assignee_id == current_user.id)
    rows = (
        db.session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).unique().all()
    )
    locale = str(get_locale())
    return render_page_or_partial(
        "tickets/index.html",
        "tickets/_rows.html",
        tickets=rows[:PAGE_SIZE],
        states={t.id: state_label(t, locale) for t in rows[:PAGE_SIZE]},
        has_more=len(rows) > PAGE_SIZE,
        page=page,
        mine=mine,
    )


def _ticket_or_404(number: str) -> Ticket:
    ticket = find_ticket(number)
    if ticket is None:
        abort(404)
    return ticket


@bp.get("/tickets/<number>")
@staff_required
def show(number: str):
    ticket = _ticket_or_404(number)
    events = db.session.scalars(
        select(TicketEvent)
        .options(joinedload(TicketEvent.actor))
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(TicketEvent.id.desc())
    ).all()
    locale = str(get_locale())
    definition = machine_for(ticket.workflow_version_id).definition
    options = [
        {
            "trigger": option.trigger,
            "label": option.transition.label(locale),
            "dest": definition.states[option.dest].label(locale),
            "allowed": option.allowed,
            "refusal": refusal_message(option.refused.code, option.refused.detail)
            if option.refused
            else None,
        }
        for option in available_triggers(ticket, current_user)
    ]
    return render_template(
        "tickets/show.html",
        ticket=ticket,
        events=events,
        state=definition.states[ticket.state].label(locale),
        state_labels={name: s.label(locale) for name, s in definition.states.items()},
        options=options,
        clocks=sla_clocks(ticket),
    )


@bp.post("/tickets/<number>/move")
@staff_required
def move(number: str):
    ticket = _ticket_or_404(number)
    trigger = request.form.get("trigger", "")
    version = request.form.get("version", type=int)
    locale = str(get_locale())
    try:
        result = fire(ticket, trigger, current_user, expected_version=version)
        db.session.commit()
    except MoveRefused as refused:
        db.session.rollback()
        flash(refusal_message(refused.code, refused.detail), "error")
    except TicketConflict as conflict:
        db.session.rollback()
        flash(_conflict_message(conflict, ticket.workflow_version_id, locale), "warning")
    else:
        label = machine_for(ticket.workflow_version_id).definition.states[result.dest].label(locale)
        flash(_("%(number)s is now: %(state)s.", number=ticket.number, state=label), "success")
    return redirect(url_for("tickets.show", number=number), code=303)


def _conflict_message(conflict: TicketConflict, version_id: int, locale: str) -> str:
    event = conflict.last_event
    if event is None or event.to_state is None:
        return _("Someone else changed this ticket a moment ago. Here is its current state.")
    state = machine_for(version_id).definition.states[event.to_state].label(locale)
    who = event.actor.name if event.actor else _("Loopdesk")
    return _(
        "%(who)s moved this ticket to %(state)s a moment ago. Here is its current state.",
        who=who,
        state=state,
    )


@bp.get("/files/<int:file_id>")
@staff_required
def file(file_id: int):
    """An uploaded file, for staff only; never served from static/."""
    from flask import send_file

    from webapp.models import ResponseFile
    from webapp.services.uploads import file_path

    stored = db.get_or_404(ResponseFile, file_id)
    path = file_path(stored)
    if not path.exists():
        abort(404)
    inline = stored.content_type.startswith("image/")
    reply = send_file(
        path,
        mimetype=stored.content_type,
        as_attachment=not inline,
        download_name=stored.filename,
        max_age=0,
    )
    reply.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    reply.headers["Cache-Control"] = "private, no-store"
    return reply
