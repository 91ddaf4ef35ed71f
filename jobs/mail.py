"""Send one outbox e-mail; safe to run twice (a retried job never sends twice)."""

from __future__ import annotations

from flask import current_app
from flask_mail import Message

from jobs.context import in_app_context
from jobs.queue import max_attempts
from webapp.extensions import db, mail
from webapp.models import OutboxMessage, OutboxStatus, utcnow
from webapp.outbox import HANDOVER, SEND_LEASE


@in_app_context
def send_outbox_message(message_id: int) -> str:
    """Deliver outbox row `message_id` by SMTP and record the outcome."""
    if not HANDOVER.claim_for_work(message_id, SEND_LEASE):
        return "skipped"
    message = db.session.get(OutboxMessage, message_id)
    if not current_app.config.get("MAIL_SERVER"):
        message.status = OutboxStatus.NOT_SENT
        message.last_error = None
        db.session.commit()
        return "not sent: no SMTP server configured"
    try:
        mail.send(_to_mail_message(message))
    except Exception as exc:
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        message.status = (
            OutboxStatus.FAILED if message.attempts >= max_attempts() else OutboxStatus.RETRYING
        )
        db.session.commit()
        raise
    message.status = OutboxStatus.SENT
    message.sent_at = utcnow()
    message.last_error = None
    db.session.commit()
    return "sent"


def _to_mail_message(message: OutboxMessage) -> Message:
    from webapp.services.non_essential_mail import list_unsubscribe_headers

    domain = current_app.config["LOOPDESK_BASE_URL"].split("//")[-1].split("/")[0].split(":")[0]
    return Message(
        subject=message.subject,
        recipients=[message.to_address],
        body=message.body_text,
        html=message.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        extra_headers={
            # Stable per outbox row: receivers can de-duplicate even a resend.
            "Message-ID": f"<outbox-{message.id}@{domain or 'loopdesk'}>",
            "Content-Language": message.locale,
            # Surveys and testimonial requests: one-click unsubscribe (RFC 8058), derived
            # from the row's address, the same signed link as in the body.
            **list_unsubscribe_headers(message),
        },
    )
