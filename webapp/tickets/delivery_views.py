"""A reply's e-mail that did not reach the customer: "Send again" from the conversation."""

from __future__ import annotations

from flask import abort, flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.extensions import db
from webapp.outbox import relay
from webapp.security import staff_required
from webapp.services import reply_deliveries
from webapp.tickets import bp
from webapp.tickets.conversation_views import REFUSALS
from webapp.tickets.responses import after_action, ticket_or_404

SEND_AGAIN_REFUSALS = {
    "not_failed": _l(
        "This reply's e-mail is no longer failed: it was already sent again, or it went out "
        "meanwhile."
    ),
    "erased": REFUSALS["erased"],
}


@bp.post("/tickets/<number>/replies/<int:event_id>/send-again")
@staff_required
def send_reply_again(number: str, event_id: int):
    """Put a reply whose e-mail failed back in line (to the same address), once the agent has
    checked why: the conversation shows it on its way again."""
    ticket = ticket_or_404(number)
    try:
        message = reply_deliveries.send_reply_again(ticket, event_id)
    except reply_deliveries.SendAgainRefused as refusal:
        db.session.rollback()
        if refusal.code == "unknown":  # not one of this ticket's e-mailed replies
            abort(404)
        flash(str(SEND_AGAIN_REFUSALS[refusal.code]), "warning")
    else:
        db.session.commit()
        relay([message.id])
        flash(_("Your reply was queued again for %(email)s.", email=message.to_address), "success")
    return after_action(ticket, ["conversation", "timeline"], anchor="ws-thread-title")
