"""Inbox pages: the list, opening one entry, marking all read, and the bell's fragment."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from htmx_flask import request as htmx_request

from webapp.extensions import db
from webapp.htmx_responses import fragment_only, render_page_or_partial
from webapp.inbox import bp
from webapp.inbox.bell import viewer_unread_count
from webapp.inbox.presenters import inbox_line
from webapp.record_ids import optional_id
from webapp.security import staff_required
from webapp.services import inbox
from webapp.services.ticket_access import can_see

STOP_POLLING = 286  # htmx stops a polling trigger on this status


def _stop_polling_when_signed_out(view: Callable) -> Callable:
    """A bell left open in a tab whose session ended stops asking (instead of swapping the
    login page into the header); a plain request still goes to the login page."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if htmx_request.htmx and not current_user.is_authenticated:
            return make_response("", STOP_POLLING)
        return view(*args, **kwargs)

    return wrapped


@bp.app_context_processor
def _bell_count() -> dict:
    """`inbox_unread()` for the header: counted once per page, only when the page asks."""
    return {"inbox_unread": viewer_unread_count}


@bp.get("/notifications")
@staff_required
def index():
    """Newest first; `before` pages to older ones (the list loads them as it scrolls)."""
    before = optional_id(request.args.get("before"))
    rows, has_more = inbox.inbox_page(current_user, before)
    lines = [inbox_line(entry, visible) for entry, visible in rows]
    return render_page_or_partial(
        "inbox/index.html",
        "inbox/_rows.html",
        lines=lines,
        has_more=has_more,
        older=lines[-1].id if lines else None,
        newest=lines[0].id if lines and before is None else None,
        first_page=before is None,
    )


@bp.get("/notifications/<int:notification_id>")
@staff_required
def open_notification(notification_id: int):
    """Mark the entry read and go to its ticket; another colleague's entry does not exist.

    A ticket that has since moved out of the colleague's sight is not a bare 404: the
    inbox says why it does not open (the list no longer links it; an older page may).
    """
    entry = inbox.open_notification(current_user.id, notification_id)
    if entry is None:
        abort(404)
    number = entry.ticket.number
    visible = can_see(current_user, entry.ticket)
    db.session.commit()
    if not visible:
        flash(
            _(
                "You can no longer open %(number)s: it has moved out of the tickets you can see.",
                number=number,
            ),
            "warning",
        )
        return redirect(url_for("inbox.index"), 303)
    return redirect(url_for("tickets.show", number=number), 303)


@bp.post("/notifications/read")
@staff_required
def mark_all_read():
    marked = inbox.mark_all_read(current_user.id, optional_id(request.form.get("up_to")))
    db.session.commit()
    if marked:
        flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("inbox.index"), 303)


@bp.get("/notifications/bell")
@_stop_polling_when_signed_out
@staff_required
@fragment_only(lambda **_: url_for("inbox.index"))
def bell():
    """The bell's inside, polled by the header: the unread count and its spoken label."""
    response = make_response(render_template("inbox/_bell.html"))
    response.headers["Cache-Control"] = "no-store"
    return response
