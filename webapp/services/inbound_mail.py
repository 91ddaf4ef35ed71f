"""Customers answer by e-mail: a reply to one of our e-mails lands on its ticket.

Two ways in share `receive_email`: an MTA pipes each message to `flask mail receive`
(webapp.cli), or the periodic job polls an IMAP mailbox (`poll_mailbox`). Either way the
message is recorded once by its Message-ID (`InboundEmail`, unique), its ticket is found
from the plus address it was sent to (services.reply_addresses) or from the Message-ID of
ours it answers, and its new text, without the quoted history, goes the same way as a reply
on the status page (replies.receive_customer_reply): the workflow's customer-reply
transition, timers, watchers, notifications and SLA behave alike.

Only the ticket's customer may add to it: the sender (From, any case) must be the
ticket's customer address; anyone else's message is not added and the ticket's history
tells the team. Auto-replies and bounces are dropped, so two robots never answer each
other forever. Attachments are not kept in this version (the history says how many).
"""

from __future__ import annotations

import email
import hashlib
import imaplib
import logging
import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import InboundEmail, InboundOutcome, OutboxMessage, Ticket
from webapp.models.types import utcnow
from webapp.services.app_settings import read_setting, write_setting
from webapp.services.history import record_event
from webapp.services.reply_addresses import outbox_ids_in, ticket_id_from_address
from webapp.services.ticket_files import keep_attachments
from webapp.shortened import shortened

log = logging.getLogger(__name__)

# The status page's limit (public.status_views.MAX_REPLY): a longer e-mail is cut there.
MAX_EMAIL_REPLY = 5000
_ADDRESS_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")
_AUTOMATIC_PRECEDENCE = {"bulk", "auto_reply", "list", "junk"}


@dataclass(frozen=True)
class Received:
    outcome: str  # an InboundOutcome, or "duplicate" for a message recorded before
    ticket_id: int | None = None


# ---------------------------------------------------------------- reading the message


def _header(message: EmailMessage, name: str) -> str:
    try:
        return str(message.get(name, "") or "").strip()
    except (ValueError, TypeError, IndexError):  # a header too broken to parse
        return ""


def _addresses(message: EmailMessage, name: str) -> list[str]:
    """Every addr_spec in all `name` headers (a header that does not parse gives none)."""
    found: list[str] = []
    for value in message.get_all(name) or []:
        try:
            found += [a.addr_spec for a in getattr(value, "addresses", ()) if a.addr_spec]
        except (ValueError, TypeError, IndexError):
            continue
        if not getattr(value, "addresses", None):
            found += re.findall(r"[^\s<>,;\"']+@[^\s<>,;\"']+", str(value))
    return found


def sender_of(message: EmailMessage) -> str:
    found = _addresses(message, "From")
    return found[0].strip() if found else ""


def is_automatic(message: EmailMessage) -> bool:
    """An out-of-office, a bounce or a list message: answering it could loop (RFC 3834)."""
    auto_submitted = _header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return True
    if message.get("X-Autoreply") is not None or message.get("X-Autorespond") is not None:
        return True
    if _header(message, "Precedence").lower() in _AUTOMATIC_PRECEDENCE:
        return True
    if "Return-Path" in message and _header(message, "Return-Path").strip("<> ") == "":
        return True  # the null sender: a delivery report
    sender = sender_of(message).lower()
    if sender.startswith(("mailer-daemon@", "postmaster@")):
        return True
    return message.get_content_type() == "multipart/report"


def message_key(message: EmailMessage, raw: bytes) -> str:
    """The Message-ID, or (without one) a digest of the bytes, so a re-delivery still matches."""
    message_id = _header(message, "Message-ID")
    if message_id and len(message_id) <= 255:
        return message_id
    return "sha256:" + hashlib.sha256(message_id.encode() if message_id else raw).hexdigest()


def ticket_id_for(message: EmailMessage) -> int | None:
    """From our plus address among the recipients, else from a Message-ID of ours it answers.

    The plus address carries an HMAC, and so do our Message-IDs (see `reply_addresses`); an
    outbox row is trusted only when it was a customer e-mail with a reply address (the
    sender check still applies to both).
    """
    for name in _ADDRESS_HEADERS:
        for address in _addresses(message, name):
            ticket_id = ticket_id_from_address(address)
            if ticket_id is not None:
                return ticket_id
    references = _header(message, "In-Reply-To") + " " + _header(message, "References")
    outbox_ids = outbox_ids_in(references)
    if not outbox_ids:
        return None
    reply_tos = db.session.scalars(
        select(OutboxMessage.reply_to).where(
            OutboxMessage.id.in_(outbox_ids[-20:]), OutboxMessage.reply_to.is_not(None)
        )
    ).all()
    for reply_to in reply_tos:
        ticket_id = ticket_id_from_address(reply_to)
        if ticket_id is not None:
            return ticket_id
    return None


class _HtmlText(HTMLParser):
    """The visible text of an HTML mail body, without the quoted history blocks."""

    _SKIP = {"script", "style", "head", "title", "blockquote"}
    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table"}
    _QUOTE_MARKS = ("gmail_quote", "divrplyfwdmsg", "moz-cite-prefix", "appendonsend")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0  # depth inside a skipped element
        self.stopped = False  # everything after the quoted history's start is history too

    def handle_starttag(self, tag, attrs):
        marks = " ".join(str(v or "") for k, v in attrs if k in ("class", "id")).lower()
        if any(mark in marks for mark in self._QUOTE_MARKS):
            self.stopped = True
        if self.skipping or tag in self._SKIP:
            if tag not in ("br", "hr", "img", "meta", "link", "input"):
                self.skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if self.skipping:
            self.skipping -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping and not self.stopped:
            self.parts.append(data)


def text_from_html(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(lines)


def body_text(message: EmailMessage) -> str:
    """The text/plain body, else the text of the HTML body ("" without either)."""
    try:
        body = message.get_body(preferencelist=("plain", "html"))
        if body is None:
            return ""
        content = body.get_content()
    except (LookupError, ValueError, TypeError, AttributeError):
        return ""
    if not isinstance(content, str):
        return ""
    return text_from_html(content) if body.get_content_type() == "text/html" else content


def attachments(message: EmailMessage) -> list[tuple[str | None, bytes]]:
    """The message's files (attached, or inline with a name: a pasted screenshot), decoded."""
    found = []
    for part in message.walk():
        if part.is_multipart() or not (part.is_attachment() or part.get_filename()):
            continue
        try:
            data = part.get_payload(decode=True)
        except (LookupError, ValueError, TypeError, AssertionError):
            data = None
        found.append((part.get_filename(), data if isinstance(data, bytes) else b""))
    return found


# Lines where the quoted history starts: English, Polish, Russian and Slovenian mail
# programs (Gmail, Outlook, Thunderbird, Apple Mail).
_QUOTE_HEADERS = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^On\b.{0,300}\bwrote:$",  # Gmail, Apple Mail, Thunderbird
        r"^W dniu\b.{0,300}\bpisze:$",  # Thunderbird (pl)
        r"^.{0,300}\bnapisał(\(a\)|a)?:$",  # Gmail (pl)
        r"^.{0,300}\bнаписал(\(а\)|а)?:$",  # Gmail, Outlook (ru)
        r"^.{0,300}\bпишет:$",  # Thunderbird (ru)
        r"^.{0,300}\bnapisal(\(a\)|a)?:$",  # Gmail, Thunderbird (sl): "… je napisal(a):"
        r"^-{2,}\s*(Original Message|Oryginalna wiadomość|Wiadomość oryginalna"
        r"|Исходное сообщение|Izvirno sporočilo|Izvorno sporočilo)\s*-{2,}$",
        r"^_{10,}$",  # Outlook's rule above the quoted message
        r"^-{2,}\s*(Forwarded message|Wiadomość przekazana dalej|Пересылаемое сообщение"
        r"|Posredovano sporočilo)\s*-{2,}$",
    )
]
# Outlook quotes with a block of headers: "From: …" then "Sent: …" in the next lines.
_OUTLOOK_FROM = re.compile(r"^\*?(From|Od|От|Pošiljatelj):\*?\s", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(
    r"^\*?(Sent|Date|To|Subject|Wysłano|Data|Do|Temat|Отправлено|Дата|Кому|Тема"
    r"|Poslano|Datum|Za|Zadeva):\*?\s",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(
    r"^(-- ?|Sent from my .+|Wysłane z .+|Отправлено с .+|Poslano iz .+|Get Outlook for .+)$",
    re.IGNORECASE,
)


def _history_starts(lines: list[str], i: int) -> bool:
    line = lines[i].strip()
    # Gmail wraps a long "On … wrote:" over two lines.
    joined = f"{line} {lines[i + 1].strip()}" if i + 1 < len(lines) else line
    if any(p.match(line) or p.match(joined) for p in _QUOTE_HEADERS):
        return True
    if _OUTLOOK_FROM.match(line):
        return any(_OUTLOOK_NEXT.match(n.strip()) for n in lines[i + 1 : i + 4])
    if line.endswith(":") and re.search(r"[\d@]", line):
        # Any other language's "On <date>, <name> <address> wrote:" that a quote follows; a
        # sentence of the customer's own ("My answers:") has no date or address, and the
        # answers they wrote between quoted lines are kept.
        following = next((n for n in lines[i + 1 :] if n.strip()), "")
        return following.lstrip().startswith(">")
    return False


def strip_quoted(text: str) -> str:
    """The new text of a reply: no quoted history, no "> " lines, no signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        if line.rstrip() in ("--", "-- ") or _SIGNATURE.match(line.strip()):
            break
        if _history_starts(lines, i):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def reply_text(message: EmailMessage) -> str:
    text = strip_quoted(body_text(message).replace("\x00", ""))
    return shortened(text, MAX_EMAIL_REPLY)


# ---------------------------------------------------------------- acting on it


def _record(key: str, message: EmailMessage, outcome: str, ticket_id: int | None, via: str):
    db.session.add(
        InboundEmail(
            message_id=key,
            ticket_id=ticket_id,
            sender=sender_of(message)[:254],
            subject=" ".join(_header(message, "Subject").split())[:300],
            outcome=outcome,
            via=via,
        )
    )


def receive_email(raw: bytes, via: str = "pipe") -> Received:
    """Add a customer's e-mail reply to its ticket, or record why not; commits.

    A database error propagates (the caller retries later); everything about the message
    itself, however malformed, ends in a recorded outcome.
    """
    from webapp.services.replies import receive_customer_reply
    from webapp.services.tickets import TicketConflict

    message = email.message_from_bytes(raw, policy=policy.default)
    key = message_key(message, raw)
    if db.session.scalar(select(InboundEmail.id).where(InboundEmail.message_id == key)):
        return Received("duplicate")
    ticket_id = ticket_id_for(message)
    ticket = db.session.get(Ticket, ticket_id) if ticket_id is not None else None
    if ticket is not None:
        from webapp.services.merging import carried_on_in

        ticket = carried_on_in(ticket)  # a reply to a merged duplicate joins the ticket kept
    sender = sender_of(message)
    text = reply_text(message)
    from webapp.services.spam import is_blocked

    if is_blocked(sender) or (ticket is not None and ticket.spam_at is not None):
        outcome = InboundOutcome.BLOCKED  # recorded, never added: nobody is told
    elif is_automatic(message):
        outcome = InboundOutcome.AUTO_REPLY
    elif ticket is None:
        outcome = InboundOutcome.NO_TICKET
    elif not ticket.customer_email or sender.lower() != ticket.customer_email.strip().lower():
        outcome = InboundOutcome.NOT_CUSTOMER
    elif not text and not attachments(message):
        outcome = InboundOutcome.EMPTY
    else:
        outcome = InboundOutcome.ADDED
    _record(key, message, outcome, ticket.id if ticket else None, via)
    try:
        db.session.flush()  # the Message-ID claims the message: a second delivery stops here
    except IntegrityError:
        db.session.rollback()
        return Received("duplicate")
    if outcome == InboundOutcome.NOT_CUSTOMER:
        record_event(ticket, "email_not_added", None, sender=sender[:254], reason="not_customer")
    elif outcome == InboundOutcome.ADDED:
        files = keep_attachments(ticket, attachments(message))
        with suppress(TicketConflict):  # a colleague moved it meanwhile: the reply is kept
            receive_customer_reply(ticket, text, channel="email", **files.event_data())
    db.session.commit()
    return Received(outcome, ticket.id if ticket else None)


# ---------------------------------------------------------------- IMAP


def _imap_settings(url: str) -> tuple[str, int, str, str, str, bool]:
    parts = urlsplit(url)
    secure = parts.scheme == "imaps"
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise ValueError("LOOPDESK_IMAP_URL must look like imaps://user:password@host/INBOX")
    port = parts.port or (993 if secure else 143)
    mailbox = unquote(parts.path.lstrip("/")) or "INBOX"
    return (
        parts.hostname,
        port,
        unquote(parts.username or ""),
        unquote(parts.password or ""),
        mailbox,
        secure,
    )


# Messages the server would not let us put aside (moved to the done folder, or marked seen):
# their outcome is recorded, but they stay where the next poll looks. Remembered here by
# the mailbox's UIDVALIDITY and their UIDs, so they are skipped without a fetch, and said
# once on the admins' Received mail page (`left_in_mailbox`).
LEFT_IN_MAILBOX_KEY = "imap_left_in_mailbox"
MAX_REMEMBERED = 5000  # UIDs kept at most; beyond that the oldest are read (and skipped) again


@dataclass(frozen=True)
class LeftInMailbox:
    """What the Received mail page says about messages the server would not put aside."""

    count: int
    folder: str  # the done folder it refused ("" when marking them seen was refused)
    reason: str  # the server's own words, as it said them
    since: datetime | None  # the first refusal


def left_in_mailbox() -> LeftInMailbox | None:
    """The messages the poll leaves alone because the server refused to put them aside;
    None when there are none (any more: moved by hand, or the mailbox was reset)."""
    state = read_setting(LEFT_IN_MAILBOX_KEY)
    if not isinstance(state, dict) or not state.get("uids"):
        return None
    try:
        since = datetime.fromisoformat(str(state.get("since")))
    except ValueError:
        since = None
    return LeftInMailbox(
        len(state["uids"]), str(state.get("folder") or ""), str(state.get("reason") or ""), since
    )


def _remembered(mailbox: str, uidvalidity: str, folder: str) -> dict:
    """The stored state for this mailbox as it is now; a fresh one when the mailbox, its
    UIDVALIDITY (UIDs mean other messages now) or the done folder changed."""
    state = read_setting(LEFT_IN_MAILBOX_KEY)
    same = (
        isinstance(state, dict)
        and state.get("mailbox") == mailbox
        and state.get("uidvalidity") == uidvalidity
        and state.get("folder") == folder
        and isinstance(state.get("uids"), list)
    )
    if same:
        return dict(state)
    return {"mailbox": mailbox, "uidvalidity": uidvalidity, "folder": folder, "uids": []}


def _save_remembered(state: dict, waiting: set[int], refused: dict[int, str]) -> None:
    """Keep the UIDs still waiting in the mailbox plus those just refused; commits only when
    anything changed (most polls write nothing)."""
    before = [int(uid) for uid in state["uids"]]
    kept = [uid for uid in before if uid in waiting] + sorted(refused)
    kept = kept[-MAX_REMEMBERED:]
    if kept == before:
        return
    if refused:
        state["reason"] = next(iter(refused.values()))
        if not before:
            state["since"] = utcnow().isoformat()
    if not kept:
        state = {k: state[k] for k in ("mailbox", "uidvalidity", "folder")}
    write_setting(LEFT_IN_MAILBOX_KEY, {**state, "uids": kept})
    db.session.commit()


def _uidvalidity(client: imaplib.IMAP4) -> str:
    _typ, data = client.response("UIDVALIDITY")
    value = data[0] if data else None
    return value.decode("ascii", "replace") if isinstance(value, bytes) else str(value or "")


def poll_mailbox(url: str, limit: int = 100, done_folder: str | None = None) -> int:
    """Receive the messages waiting in the IMAP mailbox; each handled one is put aside.

    Without `done_folder` the unseen messages are read and each handled one is marked
    \\Seen: a message someone opened in a mail client first is never read. With it, every
    message still in the mailbox is read and each handled one is moved to that folder
    (created if missing), so the mailbox holds only what is left to do and nobody reading
    it can hide a reply. A message is put aside only after `receive_email` committed its
    outcome, so a crash in between means it is read again next time and then counted a
    duplicate. One the server refuses to put aside is remembered (UIDVALIDITY and UID) and
    skipped from then on without being fetched; the admins' Received mail page says so. A
    database error stops the poll and leaves the rest for the next run.
    """
    host, port, user, password, mailbox, secure = _imap_settings(url)
    client = imaplib.IMAP4_SSL(host, port) if secure else imaplib.IMAP4(host, port)
    handled = 0
    try:
        client.login(user, password)
        if done_folder:
            client.create(_quoted(done_folder))  # NO when it exists already: fine
        client.select(_quoted(mailbox))
        remembered = _remembered(mailbox, _uidvalidity(client), done_folder or "")
        status, data = client.uid("SEARCH", None, "UNDELETED" if done_folder else "UNSEEN")
        found = data[0].split() if status == "OK" and data and data[0] else []
        skipped = {int(uid) for uid in remembered["uids"]}
        # Still waiting there: the rest were moved away by hand (a failed search says nothing).
        waiting = {int(uid) for uid in found if uid.isdigit()} if status == "OK" else skipped
        uids = [uid for uid in found if not (uid.isdigit() and int(uid) in skipped)][:limit]
        deleted: list[bytes] = []
        refused: dict[int, str] = {}
        for uid in uids:
            status, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in fetched or [] if isinstance(p, tuple)), None)
            if status != "OK" or raw is None:
                continue
            receive_email(raw, via="imap")
            if done_folder:
                moved, refusal = _move(client, uid, done_folder)
                deleted += [uid] if moved else []
            else:
                refusal = _mark_seen(client, uid)
            if refusal is not None and uid.isdigit():
                refused[int(uid)] = refusal
            handled += 1
        if deleted and "UIDPLUS" in client.capabilities:
            client.uid("EXPUNGE", b",".join(deleted).decode())  # only the ones moved
        elif deleted:
            client.expunge()
        _save_remembered(remembered, waiting, refused)
    finally:
        with suppress(imaplib.IMAP4.error, OSError):
            client.logout()
    return handled


def _move(client: imaplib.IMAP4, uid: bytes, folder: str) -> tuple[bool, str | None]:
    """Move one message to `folder`: MOVE (RFC 6851) where the server has it, else copy it
    and flag the original deleted (True: the caller expunges at the end). A move the server
    refuses leaves the message marked seen where it was, says so in the log, and gives the
    server's words back (the message is then remembered, not read again)."""
    if "MOVE" in client.capabilities:
        status, said = client.uid("MOVE", uid, _quoted(folder))
        if status == "OK":
            return False, None
    else:
        status, said = client.uid("COPY", uid, _quoted(folder))
        if status == "OK":
            client.uid("STORE", uid, "+FLAGS", "(\\Seen \\Deleted)")
            return True, None
    log.warning("IMAP: could not move message %s to %r; marked seen instead", uid, folder)
    client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    return False, _server_words(status, said)


def _mark_seen(client: imaplib.IMAP4, uid: bytes) -> str | None:
    """Flag a handled message seen; the server's words when it refuses (None: done)."""
    status, said = client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    if status == "OK":
        return None
    log.warning("IMAP: could not mark message %s seen", uid)
    return _server_words(status, said)


def _server_words(status: str, said: object) -> str:
    """What the server answered, as text for the admins ("NO [TRYCREATE] no such folder")."""
    parts = said if isinstance(said, list | tuple) else [said]
    text = " ".join(
        p.decode("utf-8", "replace") if isinstance(p, bytes) else str(p) for p in parts if p
    )
    return " ".join(f"{status} {text}".split())[:300]


def _quoted(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def poll_configured_mailbox() -> int:
    """The periodic job's work: nothing unless LOOPDESK_IMAP_URL is set."""
    url = current_app.config.get("LOOPDESK_IMAP_URL")
    if not url:
        return 0
    return poll_mailbox(url, done_folder=current_app.config.get("LOOPDESK_IMAP_DONE_FOLDER"))
