"""Non-essential customer e-mail (surveys, testimonial requests) and the way out of it.

Confirmations and status updates are essential: they always go out. The templates listed in
`NON_ESSENTIAL_TEMPLATES` are not: they are skipped for an address in `EmailOptOut`, carry an
unsubscribe link, and (see `jobs.mail`) the `List-Unsubscribe` headers of RFC 2369/8058.

The unsubscribe token is the lower-cased address signed with the app's secret (no expiry:
an old e-mail's link must still work). It is deterministic, so the link in the body and
the one in the header, computed when the job sends the row, are the same.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.external_urls import external_url
from webapp.models import EmailOptOut, OutboxMessage, Ticket
from webapp.outbox import queue_email
from webapp.services.history import record_event
from webapp.signing import serializer

UNSUBSCRIBE_SALT = "loopdesk-unsubscribe"
NON_ESSENTIAL_TEMPLATES = frozenset({"survey_invitation", "survey_reminder", "testimonial_request"})
# Staff e-mails a colleague turned on in their notification settings, and turns off there.
STAFF_CHOSEN_TEMPLATES = frozenset({"weekly_summary", "staff_digest"})
# Templates the workflow's `send_template` action sends with their own files (not as a
# `ticket_update` kind); each goes to a customer at most once per ticket.
DEDICATED_TEMPLATES = frozenset({"testimonial_request"})


def _signer() -> URLSafeSerializer:
    return serializer(UNSUBSCRIBE_SALT)


def normalised(address: str) -> str:
    return address.strip().lower()


def unsubscribe_token(address: str) -> str:
    return _signer().dumps(normalised(address))


def address_from_token(token: str) -> str | None:
    """The address a token was made for, or None when it was not made by us."""
    try:
        address = _signer().loads(token)
    except BadSignature:
        return None
    return address if isinstance(address, str) and "@" in address else None


def unsubscribe_url(address: str, locale: str) -> str:
    return external_url("public.unsubscribe", token=unsubscribe_token(address), lang=locale)


def list_unsubscribe_headers(message: OutboxMessage) -> dict[str, str]:
    """RFC 8058 one-click headers for a non-essential message; for the mails a colleague
    chose (the weekly summary, digests) the RFC 2369 header alone, naming the settings page
    where they are turned off (signed in, so no one-click); nothing for the others."""
    if message.template in STAFF_CHOSEN_TEMPLATES:
        return {"List-Unsubscribe": f"<{external_url('auth.notification_settings')}>"}
    if message.template not in NON_ESSENTIAL_TEMPLATES:
        return {}
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(message.to_address, message.locale)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def is_opted_out(address: str | None) -> bool:
    if not address:
        return False
    return (
        db.session.scalar(select(EmailOptOut.id).where(EmailOptOut.email == normalised(address)))
        is not None
    )


def opt_out(address: str) -> bool:
    """Record that `address` wants no more non-essential e-mail; False if it already had."""
    if is_opted_out(address):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(EmailOptOut(email=normalised(address)))
    except IntegrityError:  # the same link clicked twice at once
        return False
    return True


def reason_not_to_email(ticket: Ticket) -> str | None:
    """Why the customer gets no non-essential e-mail (`no_address`, `unsubscribed`), or None."""
    if not ticket.customer_email:
        return "no_address"
    if is_opted_out(ticket.customer_email):
        return "unsubscribed"
    return None


def email_customer(ticket: Ticket, template: str, context: dict, message_key: str) -> str | None:
    """Queue a non-essential e-mail to the ticket's customer, in their language.

    Returns the message key and records `email_queued` (the timeline shows its delivery);
    when the customer has no address or unsubscribed, records `email_skipped` instead.
    """
    reason = reason_not_to_email(ticket)
    if reason:
        record_event(ticket, "email_skipped", None, template=template, reason=reason)
        return None
    address, locale = ticket.customer_email, ticket.customer_locale
    queue_email(
        address,
        template,
        locale,
        {
            "ticket": ticket,
            "number": ticket.number,
            "name": ticket.customer_name,
            "unsubscribe_url": unsubscribe_url(address, locale),
            **context,
        },
        message_key=message_key,
    )
    record_event(
        ticket, "email_queued", None, to="customer", template=template, message_key=message_key
    )
    return message_key


def send_dedicated_template(ticket: Ticket, template: str) -> bool:
    """The workflow's `send_template` for templates with their own files.

    Returns False for any other name (the caller sends it as a `ticket_update` kind).
    Sent at most once per ticket: a changed survey answer re-runs the automations.
    """
    if template not in DEDICATED_TEMPLATES:
        return False
    key = f"{template}:{ticket.id}"
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.message_key == key)):
        return True
    email_customer(
        ticket,
        template,
        {"review_url": current_app.config.get("TESTIMONIAL_URL")},
        key,
    )
    return True
