"""Received mail: the customers' e-mail replies and what became of each (admins only)."""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.admin import bp
from webapp.extensions import db
from webapp.models import InboundEmail, InboundOutcome, Ticket
from webapp.security import admin_required
from webapp.services.inbound_mail import left_in_mailbox

RECEIVED_PAGE_SIZE = 100
OUTCOME_LABELS = {
    InboundOutcome.ADDED: _l("Added to the ticket"),
    InboundOutcome.NOT_CUSTOMER: _l("Not added: the sender is not the customer"),
    InboundOutcome.AUTO_REPLY: _l("Ignored: an automatic reply or a bounce"),
    InboundOutcome.NO_TICKET: _l("Ignored: no ticket found"),
    InboundOutcome.EMPTY: _l("Ignored: no new text"),
    InboundOutcome.BLOCKED: _l("Not added: the sender is blocked, or the ticket is spam"),
}
VIA_LABELS = {"pipe": _l("Mail server"), "imap": _l("IMAP mailbox")}


@bp.get("/mail/received")
@admin_required
def received_mail():
    """The newest received e-mails with their ticket (one query, whatever the rows), and
    the replies the IMAP server would not let us put aside, said once above them."""
    messages = db.session.scalars(
        select(InboundEmail).order_by(InboundEmail.id.desc()).limit(RECEIVED_PAGE_SIZE)
    ).all()
    return render_template(
        "admin/received_mail.html",
        rows=[
            (
                message,
                Ticket.number_for(message.ticket_id) if message.ticket_id else None,
                str(OUTCOME_LABELS.get(message.outcome, message.outcome)),
                str(VIA_LABELS.get(message.via, message.via)),
            )
            for message in messages
        ],
        limit=RECEIVED_PAGE_SIZE,
        left=left_in_mailbox(),
    )
