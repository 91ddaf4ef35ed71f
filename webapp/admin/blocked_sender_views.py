"""Admin page of blocked senders (spam): who blocked which address and when; add; unblock."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.admin import bp
from webapp.extensions import db
from webapp.models import BlockedSender, Ticket
from webapp.security import admin_required
from webapp.services import spam

_REFUSALS = {
    "bad_email": _l("This e-mail address does not look right."),
    "note_too_long": _l("The note may be at most 300 characters long."),
    "already_blocked": _l("This address is already blocked."),
}


def _page(status: int = 200, values: dict | None = None, error: str | None = None):
    response = make_response(
        render_template(
            "admin/blocked_senders.html",
            senders=[
                (row, Ticket.number_for(row.ticket_id) if row.ticket_id else None)
                for row in spam.blocked_senders()
            ],
            values=values or {"email": "", "note": ""},
            error=error,
        )
    )
    response.status_code = status
    return response


@bp.get("/blocked-senders")
@admin_required
def blocked_sender_list():
    return _page()


@bp.post("/blocked-senders")
@admin_required
def block_sender():
    values = {
        "email": request.form.get("email", "")[:400],
        "note": request.form.get("note", "")[:1000],
    }
    try:
        row = spam.block_sender(values["email"], current_user, note=values["note"])
    except spam.BlockRefused as refusal:
        db.session.rollback()
        return _page(422, values, str(_REFUSALS[refusal.code]))
    db.session.commit()
    flash(_("%(address)s is blocked.", address=row.email), "success")
    return redirect(url_for("admin.blocked_sender_list"), code=303)


@bp.post("/blocked-senders/<int:sender_id>/unblock")
@admin_required
def unblock_sender(sender_id: int):
    row = db.get_or_404(BlockedSender, sender_id)
    email = row.email
    spam.unblock_sender(row, current_user)
    db.session.commit()
    flash(_("%(address)s is no longer blocked.", address=email), "success")
    return redirect(url_for("admin.blocked_sender_list"), code=303)
