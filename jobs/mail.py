"""Send outbox e-mails; safe to run twice (a retried job never sends a message twice).

A temporary failure (a 4xx reply, a timeout, no connection) is retried with back-off; a
permanent refusal of the message (a 5xx reply to its recipient or its content) fails it at
once with the server's reply: retrying would only be refused again, an hour later.
"""

from __future__ import annotations

import smtplib

from flask import current_app
from flask_mail import Connection, Message
from sqlalchemy import Row, select, text, update

from jobs.context import in_app_context
from jobs.queue import max_attempts
from webapp.extensions import db
from webapp.models import OutboxMessage, OutboxStatus, utcnow
from webapp.outbox import HANDOVER, SEND_LEASE
from webapp.services.reply_addresses import message_id


class SendFailed(Exception):
    """Some messages of the batch failed for now; raised so that RQ retries the job."""


@in_app_context
def send_outbox_message(*message_ids: int) -> str:
    """Deliver outbox rows by SMTP over one connection and record each outcome.

    Rows already sent, or held by another worker, are skipped by the claim; so when RQ
    retries a batch after a failure, only the messages that failed for now are tried again
    (one refused for good is `failed`, which no claim takes).
    """
    claimed = HANDOVER.claim_for_work(message_ids, SEND_LEASE)
    if not claimed:
        return "skipped"
    if not current_app.config.get("MAIL_SERVER"):
        _record(claimed, status=OutboxStatus.NOT_SENT, last_error=None)
        return "not sent: no SMTP server configured"
    # Plain rows, not ORM objects: each outcome is its own UPDATE and commit, and a commit
    # would expire (and so reload, one SELECT each) the messages still to send.
    messages = db.session.execute(
        select(*OutboxMessage.__table__.columns)
        .where(OutboxMessage.id.in_(claimed))
        .order_by(OutboxMessage.id)
    ).all()
    failed: list[str] = []  # to try again
    refused: list[str] = []  # refused for good: failed already
    with SmtpSession() as smtp:
        for n, message in enumerate(messages):
            error = _send_one(smtp, message, failed, refused)
            if error and smtp.unreachable:
                # No connection could be opened: the rest would each wait as long for it
                # (MAIL_TIMEOUT, a batch of them) to fail alike. They wait for the retry.
                for rest in messages[n + 1 :]:
                    _record_failure(rest, error, failed)
                break
    if failed:
        raise SendFailed("; ".join(failed))
    return f"sent; refused for good: {'; '.join(refused)}" if refused else "sent"


def _send_one(smtp: SmtpSession, message: Row, failed: list[str], refused: list[str]) -> str | None:
    """Send one message and record the outcome; the error, if it failed."""
    try:
        smtp.send(_to_mail_message(message))
    except Exception as exc:
        said, for_good = refusal_of(exc) or (f"{type(exc).__name__}: {exc}", False)
        error = said[:2000]
        if for_good:
            # Failed now, and not listed in `failed`: nothing for RQ to retry.
            _record([message.id], status=OutboxStatus.FAILED, last_error=error)
            refused.append(f"#{message.id}: {error}")
        else:
            _record_failure(message, error, failed)
        return error
    _record([message.id], status=OutboxStatus.SENT, sent_at=utcnow(), last_error=None)
    return None


def _record_failure(message: Row, error: str, failed: list[str]) -> None:
    """Record a failure for now: retried, unless this was the last attempt."""
    final = message.attempts >= max_attempts()
    _record(
        [message.id],
        status=OutboxStatus.FAILED if final else OutboxStatus.RETRYING,
        last_error=error,
    )
    failed.append(f"#{message.id}: {error}")


def refusal_of(exc: BaseException) -> tuple[str, bool] | None:
    """The server's reply refusing the message itself, as it said it ("550 5.1.1 <x@y>:
    Recipient address rejected"), and whether it refused for good (RFC 5321: 5xx);
    None for a failure that is not such a refusal (a timeout, no connection, a refused
    login or sender: the same for every message, a setting the retries give time to mend).

    A refusal of the recipient counts as for good only if every recipient got a 5xx.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = list(exc.recipients.values())
    elif isinstance(exc, smtplib.SMTPDataError):
        replies = [(exc.smtp_code, exc.smtp_error)]
    else:
        return None
    if not replies:
        return None
    said = "; ".join(_reply_line(code, text) for code, text in replies)
    return said, all(_is_permanent(code) for code, _text in replies)


def _is_permanent(code: int) -> bool:
    return 500 <= code <= 599


def _reply_line(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return f"{code} {' '.join(text.split())}".strip()


class SmtpSession:
    """One SMTP connection for a batch of messages, opened when first needed.

    Opening a session (TCP, EHLO, STARTTLS, AUTH, QUIT) costs more than sending a typical
    message. A refusal of one message (its recipient or its content) leaves the session
    usable: after an RSET the next message goes over it, unless the server hung up. After
    any other error the session's state is unknown, so the next message opens a fresh one.
    """

    def __init__(self) -> None:
        self.connection = None
        self.unreachable = False  # the last try to open a connection failed

    def __enter__(self) -> SmtpSession:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def send(self, message: Message) -> None:
        if self.connection is None:
            # Connects, STARTTLS, logs in as set.
            self.unreachable = True
            self.connection = _TimedConnection(current_app.extensions["mail"]).__enter__()
            self.unreachable = False
        try:
            message.send(self.connection)
        except BaseException as exc:
            if refusal_of(exc) is None or not self._still_usable():
                self.close()
            raise

    def _still_usable(self) -> bool:
        """Whether the server still answers after refusing a message: smtplib sent RSET
        already, but says nothing if the server had hung up; one more RSET tells."""
        try:
            code, _text = self.connection.host.rset()
        except (smtplib.SMTPException, OSError):
            return False
        return code == 250

    def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is None or connection.host is None:
            return
        try:
            connection.host.quit()
        except (smtplib.SMTPException, OSError):
            connection.host.close()  # the server is gone already


class _TimedConnection(Connection):
    """Flask-Mail's connection with a socket timeout (`MAIL_TIMEOUT` seconds).

    Flask-Mail opens smtplib's connection without one, so a server that accepts the
    connection and then stops answering held the worker (in-process: the request that
    queued the mail) for ever. Now the send fails like a refusal and is retried.
    """

    def configure_host(self) -> smtplib.SMTP:
        settings, timeout = self.mail, current_app.config["MAIL_TIMEOUT"]
        smtp_class = smtplib.SMTP_SSL if settings.use_ssl else smtplib.SMTP
        host = smtp_class(settings.server, settings.port, timeout=timeout)
        host.set_debuglevel(int(settings.debug))
        if settings.use_tls:
            host.starttls()
        if settings.username and settings.password:
            host.login(settings.username, settings.password)
        return host


def _record(message_ids: list[int], **outcome) -> None:
    """Commit an outcome as soon as it is known, without waiting for the disk.

    The claim before sending was committed durably; this commit only records the result.
    Waiting for its flush to disk would double the cost of a message, and losing it (only
    if the database server itself crashes in the next instant) means one resend after the
    lease, under the same Message-ID, never a lost message.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit = off"))
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(message_ids)).values(**outcome)
    )
    db.session.commit()


def _to_mail_message(message: OutboxMessage | Row) -> Message:
    from webapp.services.non_essential_mail import list_unsubscribe_headers

    domain = current_app.config["LOOPDESK_BASE_URL"].split("//")[-1].split("/")[0].split(":")[0]
    mail_message = Message(
        subject=message.subject,
        recipients=[message.to_address],
        body=message.body_text,
        html=message.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        reply_to=message.reply_to or None,
        extra_headers={
            "Content-Language": message.locale,
            # Surveys and testimonial requests: one-click unsubscribe (RFC 8058), derived
            # from the row's address, the same signed link as in the body.
            **list_unsubscribe_headers(message),
            **_automatic_headers(message.template),
        },
    )
    # Stable per outbox row, so receivers can de-duplicate even a resend.
    mail_message.msgId = message_id(message.id, domain or "loopdesk")
    for stored, data in _attached_files(message.attachments):
        mail_message.attach(stored.filename, stored.content_type, data)
    return mail_message


# Written by a person (an agent's reply, a colleague forwarding a ticket): answered as mail
# between people is. Every other template Loopdesk writes by itself.
WRITTEN_BY_PEOPLE = frozenset({"public_reply", "ticket_shared"})


def _automatic_headers(template: str) -> dict[str, str]:
    """Mark a mail Loopdesk wrote by itself as such (RFC 3834), so that the recipient's
    out-of-office notice, or another help desk's "we received your request", does not
    answer it: such answers came back as customer replies, or looped between two desks.
    Outlook and Exchange read their own header for it."""
    if template in WRITTEN_BY_PEOPLE:
        return {}
    return {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "OOF, AutoReply"}


def _attached_files(ids: list[int] | None) -> list:
    """The files a message carries, read from the upload folder as it is sent (a file erased
    since is left out: its e-mail is erased too)."""
    if not ids:
        return []
    from webapp.models import TicketFile
    from webapp.services.ticket_files import path_of

    found = []
    for stored in db.session.scalars(
        select(TicketFile).where(TicketFile.id.in_(ids)).order_by(TicketFile.id)
    ):
        path = path_of(stored)
        if path.exists():
            found.append((stored, path.read_bytes()))
    return found
