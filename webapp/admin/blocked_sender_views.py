"""Admin page of blocked senders (spam): who blocked which address or domain and when; add;
unblock."""

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
    "bad_domain": _l(
        "This is neither an e-mail address nor a domain name: type name@spam.example to block "
        "one address, or @spam.example to block a whole domain."
    ),
    "free_mail": _l(
        "This is a free e-mail service that real customers use too: it cannot be blocked as a "
        "whole. Block the sender's address instead."
    ),
    "note_too_long": _l("The note may be at most 300 characters long."),
    "already_blocked": _l("This address is already blocked."),
    "domain_already_blocked": _l("This domain is already blocked."),
    "domain_blocked": _l("Everyone at this address's domain is already blocked."),
}


def shown(row: BlockedSender) -> str:
    """What the page calls the block: the address, or the domain as people read it."""
    return spam.readable_host(row.email[1:]) if row.is_domain else row.email


def _page(status: int = 200, values: dict | None = None, error: str | None = None):
    response = make_response(
        render_template(
            "admin/blocked_senders.html",
            senders=[
                (row, shown(row), Ticket.number_for(row.ticket_id) if row.ticket_id else None)
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
    if row.is_domain:
        flash(_("Everyone at %(domain)s is blocked.", domain=shown(row)), "success")
    else:
        flash(_("%(address)s is blocked.", address=row.email), "success")
    return redirect(url_for("admin.blocked_sender_list"), code=303)


@bp.post("/blocked-senders/<int:sender_id>/unblock")
@admin_required
def unblock_sender(sender_id: int):
    row = db.get_or_404(BlockedSender, sender_id)
    name, is_domain = shown(row), row.is_domain
    spam.unblock_sender(row, current_user)
    db.session.commit()
    if is_domain:
        flash(_("Everyone at %(domain)s is no longer blocked.", domain=name), "success")
    else:
        flash(_("%(address)s is no longer blocked.", address=name), "success")
    return redirect(url_for("admin.blocked_sender_list"), code=303)
