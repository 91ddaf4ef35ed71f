"""Merging a duplicate ticket into the customer's other request (services.merging)."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.extensions import db
from webapp.htmx_responses import redirect_for_htmx_or_browser
from webapp.models import Ticket
from webapp.security import staff_required
from webapp.services.merging import MergeRefused, check_merge, merge_ticket, unmerge_ticket
from webapp.services.tickets import TicketConflict
from webapp.services.workflow_versions import machine_for
from webapp.tickets import bp
from webapp.tickets.conversation_views import CONFLICT
from webapp.tickets.responses import after_action, refused, ticket_or_404
from webapp.tickets.workspace import FormState, load_ticket

REFUSALS = {
    "no_target": _l("Choose one of the customer's requests or enter a ticket number."),
    "unknown_ticket": _l("There is no ticket with this number that you can open."),
    "same_ticket": _l("A ticket cannot be merged into itself."),
    "already_merged": _l("This ticket was already merged into another."),
    "target_merged": _l(
        "That ticket was itself merged into another: merge into the ticket it carries on in."
    ),
    "erased": _l("The customer's data was erased: there is nothing left to merge."),
    "different_customer": _l(
        "Only requests from the same customer (the same e-mail address or the same verified "
        "customer ID) can be merged: the customer would otherwise see another person's "
        "conversation."
    ),
    "target_closed": _l("That ticket is closed: reopen it first, or merge the other way round."),
    "no_closed_state": _l("This ticket's lifecycle has no closed state to put a merged ticket in."),
    "spam": _l("This ticket was marked as spam: choose “Not spam” before merging it."),
    "not_merged": _l("This ticket is not merged into another (any more)."),
    "kept_out_of_sight": _l(
        "Only a colleague who can open the ticket it was merged into can undo this merge."
    ),
}


def _target_number() -> str:
    """The typed number wins over the chosen request (typing is the deliberate act)."""
    return (request.form.get("number") or request.form.get("target") or "").strip()[:40]


@bp.post("/tickets/<number>/merge")
@staff_required
def merge(number: str):
    """First post: check and show what will happen. With `confirm`: merge, go to the target."""
    source = ticket_or_404(number)
    values = {
        "number": request.form.get("number", "")[:40],
        "target": request.form.get("target", "")[:40],
    }
    if request.form.get("cancel"):
        return after_action(source, ["merge"], anchor="ws-merge")
    typed = _target_number()
    target = load_ticket(Ticket.id_from_number(typed) or 0) if typed else None
    fields = ["number"] if values["number"].strip() else ["target"]
    try:
        if not typed:
            raise MergeRefused("no_target")
        check_merge(source, target, current_user)
    except MergeRefused as refusal:
        return refused(source, "merge", "merge", str(REFUSALS[refusal.code]), values, fields)
    if not request.form.get("confirm"):
        forms = FormState(values={"merge": values})
        return after_action(source, ["merge"], anchor="ws-merge", forms=forms, merge_into=target)
    try:
        done = merge_ticket(
            source,
            target,
            current_user,
            tell_customer=request.form.get("tell_customer") == "1",
            expected_version=request.form.get("version", type=int),
        )
        db.session.commit()
    except MergeRefused as refusal:  # the other ticket changed since the confirmation
        db.session.rollback()
        return refused(ticket_or_404(number), "merge", "merge", str(REFUSALS[refusal.code]))
    except TicketConflict:
        return refused(ticket_or_404(number), "merge", "merge", str(CONFLICT))
    message = _("%(old)s was merged into %(new)s.", old=done.source.number, new=done.target.number)
    if done.told_customer:
        message += " " + _("The customer was told by e-mail.")
    flash(message, "success")
    return redirect_for_htmx_or_browser(url_for("tickets.show", number=done.target.number))


@bp.post("/tickets/<number>/unmerge")
@staff_required
def unmerge(number: str):
    """Undo a merge: the duplicate is a ticket of its own again; go to it."""
    source = ticket_or_404(number)
    try:
        done = unmerge_ticket(
            source, current_user, expected_version=request.form.get("version", type=int)
        )
        db.session.commit()
    except MergeRefused as refusal:  # e.g. undone meanwhile in another tab
        db.session.rollback()
        return refused(ticket_or_404(number), "merge", "unmerge", str(REFUSALS[refusal.code]))
    except TicketConflict:
        return refused(ticket_or_404(number), "merge", "unmerge", str(CONFLICT))
    state = machine_for(done.source.workflow_version_id).definition.states[done.state]
    message = _(
        "%(old)s is no longer merged into %(new)s. It is now: %(state)s.",
        old=done.source.number,
        new=done.target.number,
        state=state.label(str(get_locale())),
    )
    if done.moved_tasks:
        message += " " + ngettext(
            "%(num)d open task came back.", "%(num)d open tasks came back.", done.moved_tasks
        )
    if done.moved_reminders:
        message += " " + ngettext(
            "%(num)d reminder came back.", "%(num)d reminders came back.", done.moved_reminders
        )
    flash(message, "success")
    return redirect_for_htmx_or_browser(url_for("tickets.show", number=done.source.number))
