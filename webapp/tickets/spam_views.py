"""Marking a ticket as spam (optionally blocking its sender or their whole domain), and undoing
it (services.spam)."""

from __future__ import annotations

from flask import abort, flash, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.extensions import db
from webapp.security import staff_required
from webapp.services import spam
from webapp.services.tickets import TicketConflict
from webapp.tickets import bp
from webapp.tickets.conversation_views import CONFLICT
from webapp.tickets.responses import after_action, refused, ticket_or_404
from webapp.tickets.workspace import load_ticket

REFUSALS = {
    "already_spam": _l("This ticket is already marked as spam."),
    "merged": _l("This ticket was merged into another: there is nothing left to mark as spam."),
    "no_closed_state": _l("This ticket's lifecycle has no closed state to put spam in."),
    "not_spam": _l("This ticket is not marked as spam."),
}
# What changes on the page when the mark comes or goes.
CHANGED = ["header", "reply", "sla", "timeline", "merge", "spam"]


@bp.post("/tickets/<number>/spam")
@staff_required
def mark_spam(number: str):
    """First post: say what will happen. With `confirm`: mark it, close it, maybe block."""
    ticket = ticket_or_404(number)
    if request.form.get("cancel"):
        return after_action(ticket, ["spam"], anchor="ws-spam")
    try:
        spam.check_spam(ticket)
    except spam.SpamRefused as refusal:
        return refused(ticket, "spam", "spam", str(REFUSALS[refusal.code]))
    if not request.form.get("confirm"):
        return after_action(
            ticket,
            ["spam"],
            anchor="ws-spam",
            spam_confirm=True,
            block_offer=spam.block_offer(ticket.customer_email),
        )
    try:
        done = spam.mark_spam(
            ticket,
            current_user,
            block=request.form.get("block") == "1",
            block_domain=request.form.get("block") == "domain",
            expected_version=request.form.get("version", type=int),
        )
        db.session.commit()
    except spam.SpamRefused as refusal:  # marked meanwhile by a colleague
        db.session.rollback()
        return refused(ticket_or_404(number), "spam", "spam", str(REFUSALS[refusal.code]))
    except TicketConflict:
        return refused(ticket_or_404(number), "spam", "spam", str(CONFLICT))
    message = _("%(number)s was marked as spam and closed.", number=ticket.number)
    if done.blocked is not None and done.blocked.is_domain:
        domain = spam.readable_host(done.blocked.email[1:])
        message += " " + _("Everyone at %(domain)s is blocked.", domain=domain)
    elif done.blocked is not None:
        message += " " + _("Its sender is blocked.")
    flash(message, "success")
    return after_action(load_ticket(ticket.id) or abort(404), CHANGED, anchor="ws-spam")


@bp.post("/tickets/<number>/not-spam")
@staff_required
def not_spam(number: str):
    """Undo: the mark goes, and the block made from this ticket; the ticket stays closed."""
    ticket = ticket_or_404(number)
    try:
        lifted = spam.unmark_spam(
            ticket, current_user, expected_version=request.form.get("version", type=int)
        )
        db.session.commit()
    except spam.SpamRefused as refusal:
        db.session.rollback()
        return refused(ticket, "spam", "spam", str(REFUSALS[refusal.code]))
    except TicketConflict:
        return refused(ticket_or_404(number), "spam", "spam", str(CONFLICT))
    message = _("%(number)s is no longer marked as spam.", number=ticket.number)
    for key in lifted:
        if spam.is_domain_key(key):
            domain = spam.readable_host(key[1:])
            message += " " + _("Everyone at %(domain)s is no longer blocked.", domain=domain)
        else:
            message += " " + _("Its sender is no longer blocked.")
    flash(message, "success")
    return after_action(load_ticket(ticket.id) or abort(404), CHANGED, anchor="ws-spam")
