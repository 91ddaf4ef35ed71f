"""Staff-side copies of a customer's words, scrubbed when the customer's data is erased.

Colleagues are told about a ticket in places that keep their own copy of what they were
told, apart from the ticket:

- inbox entries (`inbox_notification.context`: a note's or reminder's excerpt, a task's
  title, names);
- staff notices waiting for quiet hours or a digest, and those already sent
  (`staff_notice.context`, and `summary`, the digest's line: the e-mail's subject, which
  quotes the ticket's subject);
- staff e-mails in the outbox (the "Sent mail" page): a new ticket's notice names the
  customer and quotes the subject, a forward quotes the conversation, a digest lists the
  subjects of its notices, a weekly summary those of the colleague's tickets.

`erase_staff_copies` replaces, in all of them, every quotation of what the erased tickets'
customers gave (their name, address, written answers, the subject made of them, their
messages and survey comments) by the erased marker, in the reader's language where the
text is stored finished (e-mails, digest lines). Everything else stays: who was told and
when, delivery statuses, so counts and the history do not change. What colleagues wrote
themselves (notes, tasks, reminders) stays too, without the quotes
(`scrub_colleagues_words`). A notice not sent yet goes out later built from the ticket as it
is then, erased, with its scrubbed context and line.

A fixed number of queries per call, however many tickets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import joinedload

from webapp.erased_text import ERASED
from webapp.extensions import db
from webapp.models import (
    InboxNotification,
    NoticeStatus,
    OutboxMessage,
    Reminder,
    StaffNotice,
    Task,
    Ticket,
    TicketEvent,
)
from webapp.shortened import shortened

# Shorter quotations are not looked for: a one-letter answer would erase letters anywhere.
MIN_WORD = 2
# Mails that list several tickets: only the lines about an erased ticket change.
DIGEST, WEEKLY_SUMMARY = "staff_digest", "weekly_summary"
# The history lines that keep what a colleague wrote, and where in them: a note's text, a
# task's title, a reminder's or a share's note.
COLLEAGUE_TEXTS = {
    "note": ("text",),
    "task_created": ("title",),
    "task_transition": ("title",),
    "reminder_set": ("note",),
    "reminder": ("note",),
    "reminder_cancelled": ("note",),
    "shared": ("note",),
}
# A digest goes out at the colleague's next full hour at work (after an away period, too):
# looked for from the notice on for that long, not in the whole outbox.
DIGEST_DELAY = timedelta(days=45)


@dataclass
class CustomerWords:
    """What one ticket's customer gave, as it may be quoted elsewhere."""

    words: set[str] = field(default_factory=set)

    def add(self, *values: Any) -> None:
        """Keep each text, its lines and its one-line form (subjects and excerpts fold
        whitespace; HTML mails break lines)."""
        for value in values:
            if not isinstance(value, str) or value == ERASED:
                continue
            for text in (value, " ".join(value.split()), *value.splitlines()):
                text = text.strip()
                if len(text) >= MIN_WORD and text != ERASED:
                    self.words.add(text)

    def merged(self, other: CustomerWords) -> CustomerWords:
        return CustomerWords(self.words | other.words)


def _pattern(words: Iterable[str]) -> re.Pattern | None:
    """One regular expression for all the words, longest first, each a whole word where it
    starts or ends with a letter or digit ("Ann" is not found in "Annual"), in any case."""
    parts = []
    for word in sorted(set(words), key=lambda w: (-len(w), w)):
        start = r"(?<!\w)" if re.match(r"\w", word[0]) else ""
        end = r"(?!\w)" if re.match(r"\w", word[-1]) else ""
        parts.append(f"{start}{re.escape(word)}{end}")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


class Scrubber:
    """Replaces the words in plain text and, escaped as Jinja escapes them, in HTML."""

    def __init__(self, words: CustomerWords):
        self.text = _pattern(words.words)
        self.html = _pattern(str(escape(word)) for word in words.words)

    def __bool__(self) -> bool:
        return self.text is not None

    def scrub(self, value: Any, marker: str = ERASED) -> Any:
        if not isinstance(value, str) or self.text is None:
            return value
        return self.text.sub(lambda _match: marker, value)

    def scrub_html(self, value: str | None, marker: str = ERASED) -> str | None:
        if not value or self.html is None:
            return value
        marker = str(escape(marker))
        return self.html.sub(lambda _match: marker, value)

    def scrub_values(self, values: Mapping[str, Any] | None) -> dict[str, Any]:
        """A JSON context with every string in it scrubbed (lists and dicts inside too)."""
        return {key: self._scrub_any(value) for key, value in (values or {}).items()}

    def _scrub_any(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self._scrub_any(item) for item in value]
        if isinstance(value, dict):
            return self.scrub_values(value)
        return value


def scrub_colleagues_words(
    ticket_ids: list[int], words: Mapping[int, CustomerWords]
) -> dict[int, list[str]]:
    """Replace the customer's name, address and words where colleagues quoted them in what
    they wrote on these tickets: notes, reminders, shares (history lines), tasks' titles and
    notes (no commit). The rest of each text stays. Returns each ticket's notes as they now
    read, oldest first, for its search text. Three queries.
    """
    notes: dict[int, list[str]] = {ticket_id: [] for ticket_id in ticket_ids}
    if not ticket_ids:
        return notes
    scrubbers = {
        ticket_id: Scrubber(words.get(ticket_id, CustomerWords())) for ticket_id in ticket_ids
    }
    for event in db.session.scalars(
        select(TicketEvent)
        .where(TicketEvent.ticket_id.in_(ticket_ids), TicketEvent.kind.in_(COLLEAGUE_TEXTS))
        .order_by(TicketEvent.id)
    ):
        data = dict(event.data or {})
        scrubbed = {
            key: scrubbers[event.ticket_id].scrub(data.get(key))
            for key in COLLEAGUE_TEXTS[event.kind]
        }
        if any(data.get(key) != value for key, value in scrubbed.items()):
            event.data = {**data, **scrubbed}
        if event.kind == "note":
            notes[event.ticket_id].append(str(scrubbed["text"] or ""))
    for task in db.session.scalars(select(Task).where(Task.ticket_id.in_(ticket_ids))):
        scrubber = scrubbers[task.ticket_id]
        title, text = shortened(scrubber.scrub(task.title), 300), scrubber.scrub(task.notes)
        if (title, text) != (task.title, task.notes):
            task.title, task.notes = title, text
    for reminder in db.session.scalars(select(Reminder).where(Reminder.ticket_id.in_(ticket_ids))):
        note = shortened(scrubbers[reminder.ticket_id].scrub(reminder.note), 500)
        if note != reminder.note:
            reminder.note = note
    return notes


def marker_in(locale: str | None) -> str:
    """The erased marker as a reader of `locale` reads it ("[usunięto]")."""
    try:
        with force_locale(locale or "en"):
            return gettext("[erased]")
    except ValueError:  # not a locale Babel knows: the stored marker
        return ERASED


def _history(ticket_ids: list[int]) -> tuple[set[str], set[int]]:
    """Every e-mail key the tickets' history names (notices, mentions, tasks, forwards…) and
    every colleague they were assigned to (one query)."""
    keys: set[str] = set()
    assignees: set[int] = set()
    for kind, data in db.session.execute(
        select(TicketEvent.kind, TicketEvent.data).where(TicketEvent.ticket_id.in_(ticket_ids))
    ):
        if not isinstance(data, dict):
            continue
        if isinstance(data.get("message_key"), str):
            keys.add(data["message_key"])
        keys.update(key for key in data.get("message_keys") or () if isinstance(key, str))
        if kind == "assigned" and isinstance(data.get("assignee_id"), int):
            assignees.add(data["assignee_id"])
    return keys, assignees


def _scrub_mail(message: OutboxMessage, scrubber: Scrubber) -> None:
    marker = marker_in(message.locale)
    message.subject = shortened(scrubber.scrub(message.subject, marker), 300)
    message.body_text = scrubber.scrub(message.body_text, marker)
    message.body_html = scrubber.scrub_html(message.body_html, marker)


def _number_pattern(tickets: Iterable[Ticket]) -> re.Pattern:
    numbers = sorted(re.escape(ticket.number) for ticket in tickets)
    return re.compile(rf"(?<![\w-])(?:{'|'.join(numbers)})(?!\w)")


def erase_staff_copies(tickets: list[Ticket], words: Mapping[int, CustomerWords]) -> None:
    """Scrub the customer's words from the staff-side copies about `tickets` (no commit).

    `words` are each ticket's customer's words as they were before the erasure.
    """
    tickets = [ticket for ticket in tickets if ticket.id is not None]
    if not tickets:
        return
    ids = [ticket.id for ticket in tickets]
    scrubbers = {ticket.id: Scrubber(words.get(ticket.id, CustomerWords())) for ticket in tickets}
    every_word = CustomerWords()
    for ticket in tickets:
        every_word = every_word.merged(words.get(ticket.id, CustomerWords()))
    anyone = Scrubber(every_word)
    if not anyone:
        return

    for entry in db.session.scalars(
        select(InboxNotification).where(InboxNotification.ticket_id.in_(ids))
    ):
        context = scrubbers[entry.ticket_id].scrub_values(entry.context)
        if context != (entry.context or {}):
            entry.context = context

    notices = list(
        db.session.scalars(
            select(StaffNotice)
            .where(StaffNotice.ticket_id.in_(ids))
            .options(joinedload(StaffNotice.user))
        )
    )
    for notice in notices:
        scrubber = scrubbers[notice.ticket_id]
        context = scrubber.scrub_values(notice.context)
        if context != (notice.context or {}):
            notice.context = context
        summary = shortened(scrubber.scrub(notice.summary, marker_in(notice.user.locale)), 300)
        if summary != notice.summary:
            notice.summary = summary

    # The e-mails about one ticket: by the keys its history and its notices recorded.
    keys, assignees = _history(ids)
    keys |= {notice.message_key for notice in notices if notice.message_key}
    if keys:
        for message in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.message_key.in_(sorted(keys)))
        ):
            _scrub_mail(message, anyone)

    assignees |= {ticket.assignee_id for ticket in tickets if ticket.assignee_id}
    _scrub_lists(tickets, notices, assignees, anyone)


def _scrub_lists(
    tickets: list[Ticket], notices: list[StaffNotice], assignees: set[int], scrubber: Scrubber
) -> None:
    """Digests and weekly summaries that name one of the tickets: one query, bounded by whom
    they went to (the notices' colleagues, the tickets' assignees) and when."""
    sent = [notice for notice in notices if notice.status == NoticeStatus.SENT]
    wanted = []
    if sent:
        since = min(notice.created_at for notice in sent) - timedelta(days=1)
        until = max(notice.sent_at or notice.created_at for notice in sent) + DIGEST_DELAY
        wanted.append(
            _sent_to(DIGEST, {notice.user_id for notice in sent})
            & OutboxMessage.created_at.between(since, until)
        )
    if assignees:  # a summary lists the colleague's own tickets, from the week they came
        since = min(ticket.created_at for ticket in tickets) - timedelta(days=1)
        wanted.append(_sent_to(WEEKLY_SUMMARY, assignees) & (OutboxMessage.created_at >= since))
    if not wanted:
        return
    names_a_ticket = _number_pattern(tickets)
    for message in db.session.scalars(select(OutboxMessage).where(or_(*wanted))):
        if names_a_ticket.search(message.body_text or ""):
            _scrub_mail(message, scrubber)


def _sent_to(template: str, user_ids: set[int]) -> ColumnElement[bool]:
    """Mails of `template` to these colleagues (their keys: `<template>:<user id>:…`)."""
    return (OutboxMessage.template == template) & or_(
        *(
            OutboxMessage.message_key.startswith(f"{template}:{user_id}:", autoescape=True)
            for user_id in sorted(user_ids)
        )
    )
