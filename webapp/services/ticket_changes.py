"""Has an open ticket page fallen behind, and what came in since: the page's live refresh.

The page polls with the newest event it shows, the ticket version it shows and a tag of
both. Every change to a ticket is an event in its history or a new row version (optimistic
lock), so comparing those two numbers tells whether anything changed, from one query on
primary-key and `ticket_event (ticket_id, id)` indexes, whatever the length of the history.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Ticket, TicketEvent, User
from webapp.services.reply_collisions import CONVERSATION_EVENTS

# What a live refresh redraws when the history grew. Never the reply or note boxes: the
# agent may be typing there. Sections with forms are kept by the page while in use.
EVENT_SECTIONS = (
    "header",
    "conversation",
    "timeline",
    "sla",
    "labels",
    "tasks",
    "reminders",
    "watchers",
)
VERSION_SECTIONS = ("header", "sla")  # the ticket row changed without a new event
MAIL_SECTIONS = ("conversation", "timeline")  # a reply's e-mail was sent, or failed
TIME_SECTIONS = ("sla",)  # "due in 3 hours" moves on by itself
# Where a change of these kinds shows: the agent's own action answers with these sections,
# and then moves the page's poll on with them (`drawn_in_full`). Any other kind counts as
# showing everywhere.
KIND_SECTIONS = {
    "priority": ("header", "sla", "timeline"),
    "assigned": ("header", "sla", "timeline"),
    "team": ("header", "sla", "timeline"),
    "email_queued": ("timeline",),  # e.g. the new assignee told by e-mail
    "label_added": ("labels", "sla", "timeline"),  # an SLA policy may ask for a label
    "label_removed": ("labels", "sla", "timeline"),
    "task_created": ("tasks", "header", "timeline"),  # open tasks may hold back a move
    "task_transition": ("tasks", "header", "timeline"),
    "reminder_set": ("reminders", "timeline"),
    "reminder_cancelled": ("reminders", "timeline"),
    "watcher_added": ("watchers", "timeline"),
    "watcher_removed": ("watchers", "timeline"),
    # Messages and moves show in the reply box too (its `seen`, its "Then" choices), which
    # polls never redraw: only the agent's own reply, sent or refused, draws it.
    "public_reply": ("reply", "conversation", "header", "sla", "timeline"),
    "customer_reply": ("reply", "conversation", "header", "sla", "timeline"),
    "transition": ("reply", "header", "sla", "timeline"),
    "survey_scheduled": ("timeline",),
}


@dataclass(frozen=True)
class TicketMark:
    """Where a ticket is: its row version and its newest event (0 without events)."""

    version: int
    last_event_id: int


def ticket_mark(ticket_id: int) -> TicketMark | None:
    """The ticket's mark in one query, or None when the ticket no longer exists."""
    newest = (
        select(func.max(TicketEvent.id))
        .where(TicketEvent.ticket_id == Ticket.id)
        .correlate(Ticket)
        .scalar_subquery()
    )
    row = db.session.execute(select(Ticket.version, newest).where(Ticket.id == ticket_id)).first()
    return TicketMark(row[0], row[1] or 0) if row else None


def change_tag(
    ticket_id: int,
    mark: TicketMark,
    locale: str,
    now: datetime,
    present: str = "",
    mails: str = "",
) -> str:
    """The ETag of what a page shows: changes with the ticket, every minute (SLA times),
    with the viewer's language, with who else has it open (`presence.fingerprint`) and with
    the delivery of the replies' e-mails it watches (`reply_deliveries.marks_fingerprint`)."""
    raw = (
        f"{ticket_id}|{mark.version}|{mark.last_event_id}|{now:%Y%m%d%H%M}|{locale}|{present}"
        f"|{mails}"
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def shown_mark(ticket: Ticket, events: Sequence[TicketEvent]) -> TicketMark:
    """The mark of what a page was drawn from (`events` newest first, as the timeline has
    them): a change landing while it was drawn makes the next poll see a newer mark."""
    return TicketMark(ticket.version, events[0].id if events else 0)


def changed_sections(
    shown: TicketMark,
    since: int | None,
    version: int | None,
    mails_changed: bool = False,
    held: bool = False,
) -> tuple[str, ...]:
    """Which workspace sections a page that knew (`since`, `version`) must redraw;
    `mails_changed`: the delivery of a reply's e-mail it shows changed; `held`: the page
    kept sections back from earlier redraws (the agent was working in them) and asks for
    them all, still saying what it showed, so what arrived since is announced."""
    if held or since != shown.last_event_id:
        return EVENT_SECTIONS
    sections = VERSION_SECTIONS if version != shown.version else TIME_SECTIONS
    if mails_changed:
        sections = (*MAIL_SECTIONS, *sections)
    return sections


def drawn_in_full(
    shown: TicketMark,
    events: Sequence[TicketEvent],
    since: int | None,
    version: int | None,
    drawn: Sequence[str],
) -> bool:
    """Whether `drawn` (an action's answer) brings a page that showed (`since`, `version`)
    up to `shown`: every event since is of a kind those sections show whole, and a changed
    ticket row shows in them too. (The SLA's times must be drawn as well, `TIME_SECTIONS`:
    the new tag counts this minute.) A page that was behind (a customer's message, a
    colleague's label since its last poll) is not: its poll keeps its mark and catches up."""
    drawn = set(drawn)
    if since is None or version is None:
        return False
    if version != shown.version and not set(VERSION_SECTIONS) <= drawn:
        return False
    return all(
        set(KIND_SECTIONS.get(event.kind, EVENT_SECTIONS)) <= drawn
        for event in events
        if event.id > since
    )


def messages_from_others(
    events: Sequence[TicketEvent], since: int | None, viewer: User
) -> list[TicketEvent]:
    """Customer messages and colleagues' replies newer than `since`, oldest first.

    Without a `since` (a page that did not say what it showed) nothing counts as new: old
    messages must not be announced as if they had just arrived.
    """
    if since is None:
        return []
    return [
        e
        for e in reversed(events)
        if e.id > since and e.kind in CONVERSATION_EVENTS and e.actor_id != viewer.id
    ]
