"""How workspace views answer: the page, the drawer partial, or the changed sections."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Response, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from htmx_flask import request

from webapp.extensions import db
from webapp.htmx_responses import redirect_for_htmx_or_browser, with_htmx_headers
from webapp.models import Ticket
from webapp.services.ticket_access import can_see, can_see_id
from webapp.services.ticket_changes import TIME_SECTIONS
from webapp.tickets.workspace import FormState, load_ticket, only_sections, workspace_context

DRAWER_TARGET = "drawer"


def ticket_or_404(number: str) -> Ticket:
    """The ticket, or 404 (not 403: another team's ticket numbers tell nothing either).

    Whether the agent may see it is asked first, by id: loading a whole ticket only to
    refuse it made another team's ticket answer a little slower than a missing number, and
    that difference told its number exists."""
    ticket_id = Ticket.id_from_number(number)
    if ticket_id is None or not can_see_id(current_user, ticket_id):
        abort(404)
    ticket = load_ticket(ticket_id)
    if ticket is None:
        abort(404)
    return ticket


def wants_drawer() -> bool:
    """The board asks for the workspace inside its drawer (`hx-target="#drawer"`)."""
    return bool(request.htmx) and request.headers.get("HX-Target") == DRAWER_TARGET


def workspace_page(
    ticket: Ticket, *, forms: FormState | None = None, status: int = 200, **extra: Any
) -> Response:
    """The full page, or only the workspace when the board's drawer asks for it."""
    template = "tickets/_workspace.html" if wants_drawer() else "tickets/show.html"
    response = make_response(
        render_template(template, **workspace_context(ticket, current_user, forms, **extra)),
        status,
    )
    response.headers.add("Vary", "HX-Request, HX-Target")
    return response


def after_action(
    ticket: Ticket,
    sections: Iterable[str],
    *,
    anchor: str,
    forms: FormState | None = None,
    status: int = 200,
    **extra: Any,
) -> Response:
    """htmx: the changed sections (out-of-band). Browser: 303 back, or the page with errors.

    An action that took the ticket out of the agent's sight (moved to a team they do not
    see, or they stopped following another team's ticket) goes to the board, saying so,
    instead of to a ticket page that is now "not found".
    """
    if status < 400 and not can_see(current_user, ticket):
        message = _("%(number)s has moved out of the tickets you can see.", number=ticket.number)
        flash(message, "info")
        return redirect_for_htmx_or_browser(url_for("board.index"))
    if request.htmx:
        from webapp.tickets.live_views import poll_moves_on  # it imports ticket_or_404

        context = workspace_context(ticket, current_user, forms, **extra)
        swap = only_sections(sections)
        poll = poll_moves_on(context, swap)
        if poll:  # the new poll's tag counts this minute: the SLA's times are drawn as of now
            swap += [name for name in TIME_SECTIONS if name not in swap]
        body = render_template("tickets/_sections_oob.html", swap=swap, poll=poll, **context)
        response = make_response(body, status)
        # The board (or any other listener) refreshes the card: no DOM ids in server code.
        return with_htmx_headers(response, trigger={"ticketChanged": {"number": ticket.number}})
    if status >= 400 or extra:
        return workspace_page(ticket, forms=forms, status=status, **extra)
    return redirect(url_for("tickets.show", number=ticket.number, _anchor=anchor), code=303)


def refused(
    ticket: Ticket,
    section: str,
    form: str,
    message: str,
    values: dict | None = None,
    fields: Iterable[str] = (),
) -> Response:
    """Bad input: the section again with what was typed and why it was refused (422).

    `fields` names the inputs at fault, so the form can mark them and point at the message.
    """
    forms = FormState(
        values={form: dict(values or {})},
        errors={form: message},
        refused_fields={form: tuple(fields)},
    )
    return after_action(ticket, [section], anchor=f"ws-{section}", forms=forms, status=422)


def move_and_say(ticket: Ticket, trigger: str, *, version: int | None = None, refused_as=None):
    """Fire `trigger` as the agent and commit; flash the new state, or why not (through
    `refused_as`, e.g. "The ticket did not move: …" after a reply that was sent anyway).
    The ticket as the workspace reads it again: a move may take it to another team."""
    from flask_babel import get_locale

    from webapp.services.tickets import MoveRefused, TicketConflict, fire
    from webapp.services.workflow_versions import machine_for
    from webapp.tickets.presenters import conflict_message, refusal_message

    locale = str(get_locale())
    try:
        result = fire(ticket, trigger, current_user, expected_version=version)
        db.session.commit()
    except MoveRefused as refusal:
        db.session.rollback()
        reason = refusal_message(refusal.code, refusal.detail)
        flash(refused_as(reason) if refused_as else reason, "warning" if refused_as else "error")
    except TicketConflict as conflict:
        db.session.rollback()
        flash(conflict_message(conflict, ticket.workflow_version_id, locale), "warning")
    else:
        label = machine_for(ticket.workflow_version_id).definition.states[result.dest].label(locale)
        flash(_("%(number)s is now: %(state)s.", number=ticket.number, state=label), "success")
    return load_ticket(ticket.id) or abort(404)
