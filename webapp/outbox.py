"""The one mail path: template → outbox row (same transaction) → job → SMTP.

`queue_email` only adds a row to the current session; nothing leaves the
process unless that transaction commits. New rows are written already marked
`queued`, and after the commit they are handed to the job queue: one Redis
call, no second database round trip in the request. If the queue is down the
rows go back to `pending`; if the process dies between the commit and the
hand-over they stay `queued` with an old `relayed_at`. `relay_pending` (run
periodically) picks up both, claiming each row with a conditional UPDATE so
that several relays never hand the same row over twice. Sending is idempotent
on its own (`jobs.mail` claims the row before SMTP), so even a row handed over
twice is sent once. The hand-over itself is `webapp.handover`, shared with webhooks.

History written after the fact (the demo's past weeks) queues its e-mails inside
`delivered_as_written`: they are recorded as delivered back then and never handed over.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from webapp import handover
from webapp.extensions import db
from webapp.models import OutboxMessage, OutboxStatus, utcnow
from webapp.shortened import shortened

_STATUS_LABELS = {
    OutboxStatus.PENDING: _l("Waiting"),
    OutboxStatus.QUEUED: _l("Queued"),
    OutboxStatus.SENDING: _l("Sending"),
    OutboxStatus.SENT: _l("Sent"),
    OutboxStatus.RETRYING: _l("Will retry"),
    OutboxStatus.FAILED: _l("Failed"),
    OutboxStatus.NOT_SENT: _l("Not sent (no SMTP server)"),
}
STALE_HANDOVER = handover.STALE_HANDOVER
# A send that has not finished within this time is taken to have died with its worker.
SEND_LEASE = timedelta(minutes=5)
HANDOVER = handover.HandOver(
    OutboxMessage,
    "jobs.mail:send_outbox_message",
    "relayed_at",
    "loopdesk_outbox_new_ids",
    batch_size=25,  # messages per send job, over one SMTP connection
)
# Set inside `delivered_as_written`: the e-mails queued there went out when they were written.
_delivered_as_written: ContextVar[bool] = ContextVar("loopdesk_delivered_as_written", default=False)


@contextmanager
def delivered_as_written() -> Iterator[None]:
    """Record every e-mail queued inside the block as delivered the moment it was written,
    and hand none of them to the job queue.

    For history written after the fact: the demo plays weeks of past tickets through the
    services with the clock set back (`clock_at`), and their e-mails went out back then.
    Sending them now would mail strangers weeks late; leaving them to the job would list
    them as failed (or not sent) on the Sent mail page. Nothing inside the block is sent.
    """
    token = _delivered_as_written.set(True)
    try:
        yield
    finally:
        _delivered_as_written.reset(token)


SUBJECT_LIMIT = OutboxMessage.__table__.c.subject.type.length  # 300


def fit_subject(subject: str) -> str:
    """The subject on one line, cut to what the outbox keeps with an ellipsis at the end.

    A ticket's subject may itself be as long as that limit (API, e-mail), and notices put
    "[LD-1042] SLA breached: " or a team's name before it: too long a subject must shorten
    the e-mail's subject line, not refuse to queue the mail (and with it the ticket's
    creation, or a whole SLA sweep, on PostgreSQL). The ticket number comes first in our
    subjects, so it is never what is cut.
    """
    line = " ".join(subject.split())
    return shortened(line, SUBJECT_LIMIT)


def queue_email(
    to: str,
    template: str,
    locale: str,
    context: dict | None = None,
    message_key: str | None = None,
    reply_to: str | None = None,
    attachments: list[int] | None = None,
) -> OutboxMessage:
    """Render `email/<template>.*` in `locale` and add it to the outbox (no commit).

    An admin's own text for this template and locale (services.email_texts) replaces the
    built-in wording.

    `message_key` makes the message idempotent: writing the same key twice is
    a unique-constraint error, so one event never produces two e-mails.
    `reply_to` routes the recipient's "Reply" (customer e-mails about a ticket:
    services.reply_addresses), kept on the row so a resend says the same.
    `attachments`: ids of the ticket's files the e-mail carries (read when it is sent).
    """
    from webapp.services.email_texts import render_for_queue

    context = dict(
        context or {},
        base_url=current_app.config["LOOPDESK_BASE_URL"],
        can_reply=bool(reply_to),  # the footer says a plain "Reply" reaches the ticket
    )
    with force_locale(locale):
        own = render_for_queue(template, locale, context)  # an admin's own wording, if any
        if own is not None:
            subject, body_text, body_html = own.subject, own.text, own.html
        else:
            subject = render_template(f"email/{template}.subject.txt", **context).strip()
            body_text = render_template(f"email/{template}.txt", **context)
            body_html = render_template(f"email/{template}.html", **context)
    message = OutboxMessage(
        message_key=message_key or f"{template}:{uuid.uuid4()}",
        channel="email",
        template=template,
        locale=locale,
        to_address=to,
        reply_to=reply_to,
        subject=fit_subject(subject),
        body_text=body_text,
        body_html=body_html,
        attachments=list(attachments) if attachments else None,
        status=OutboxStatus.PENDING,
    )
    if _delivered_as_written.get():  # not handed over: the hand-over takes `pending` rows only
        moment = utcnow()
        message.status, message.attempts = OutboxStatus.SENT, 1
        message.created_at = message.relayed_at = message.sent_at = moment
    db.session.add(message)
    return message


def status_label(status: str) -> str:
    """The delivery status as staff read it, in their language."""
    return str(_STATUS_LABELS.get(status, status))


# How `jobs.mail` records a refusal of the message: the server's reply, code first ("550 5.1.1
# <x@y>: Recipient address rejected"); other failures are recorded as "ExceptionName: ...".
_PERMANENT_REPLY = re.compile(r"5\d\d(?:\s|$)")


def refused_reply(message: OutboxMessage) -> str | None:
    """The receiving server's reply if it refused the message for good (a 5xx to its
    recipient or its content, which is not retried), as the server said it; else None."""
    error = message.last_error
    if message.status == OutboxStatus.FAILED and error and _PERMANENT_REPLY.match(error):
        return error
    return None


# What "Send again" takes: a message that did not go out, or is still waiting for a retry.
SENDABLE_AGAIN = (OutboxStatus.FAILED, OutboxStatus.NOT_SENT, OutboxStatus.RETRYING)


def send_again(message: OutboxMessage) -> bool:
    """Put a message that did not go out back in line, recorded in the audit log and, for a
    reply to a customer, in its ticket's history (no commit; `relay` it once committed).
    False when it may not be: sent or in line already, or its recipient was erased on
    request."""
    from webapp.services import audit
    from webapp.services.reply_deliveries import record_reply_sent_again

    if message.status not in SENDABLE_AGAIN or not message.to_address:
        return False
    entry = audit.record(
        "mail.retried",
        message,
        f"{message.to_address}: {message.subject}",
        before={"status": message.status},
        after={"status": OutboxStatus.PENDING.value},
    )
    record_reply_sent_again(message, entry.actor)  # who sent it again, as the audit names
    message.status = OutboxStatus.PENDING
    message.last_error = None
    return True


def relay(message_ids: list[int]) -> int:
    """Hand committed outbox rows to the job queue, each exactly once.

    A row is claimed with a conditional UPDATE (pending → queued), so several
    relays running at once never enqueue the same row twice. If the queue is
    unreachable the claim is undone and the row waits for `relay_pending`.
    """
    return HANDOVER.relay(message_ids)


def relay_pending(limit: int = 500) -> int:
    """Relay rows still pending, and rows whose hand-over or send died with its process.

    The periodic safety net (`HandOver.relay_stale`): a row `queued` for longer than
    STALE_HANDOVER or `sending` for longer than SEND_LEASE is handed over again; the send
    job's own claim keeps it from going out twice.
    """
    return HANDOVER.relay_stale(SEND_LEASE, limit=limit)


def init_app(app: Flask) -> None:
    handover.register(HANDOVER)
    handover.init_app(app)
