"""The in-app inbox: every staff notification, kept for its colleague whatever the e-mail does.

`notifications.notify` records an entry here before it asks the colleague's e-mail
settings, so "off" silences the e-mail, never the inbox. An entry holds plain values
only; `webapp.inbox.presenters` writes its sentence in the reader's language when shown.
Every query here is scoped to one colleague: nobody reads or marks another's entries.
An entry about a ticket the colleague may no longer see (it went to another team) stays
in their list, told apart (`visible`) so the page can leave out its subject and link; the
bell does not count it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, func, select, true, update
from sqlalchemy.orm import contains_eager, joinedload

from webapp.extensions import db
from webapp.models import InboxNotification, Task, Ticket, User, utcnow
from webapp.services.history import actor_name
from webapp.services.ticket_access import visible_condition

PAGE_SIZE = 25
MAX_EXCERPT = 300  # a note or reminder text, enough for a line or two in the list

# The names the callers of `notify` give the person who acted, in their own contexts.
_ACTOR_NAME_KEYS = ("actor_name", "author", "actor")
_KEPT_KEYS = (
    "kind",
    "state",
    "for_team",
    "team",
    "metric",
    "due_text",  # entries kept before "due_at": the deadline as it was written then
    "due_at",  # ISO: written when shown, in the reader's language and time zone of the day
    "task_state",
    "other_number",  # a merge: the other ticket's number
)


def inbox_context(
    event: str, context: Mapping[str, Any], actor: User | None, task: Task | None = None
) -> dict[str, Any]:
    """The plain values an entry needs to say what happened (no e-mail-only values)."""
    values = {key: context[key] for key in _KEPT_KEYS if context.get(key) not in (None, "")}
    name = actor_name(actor) or next((context[k] for k in _ACTOR_NAME_KEYS if context.get(k)), None)
    if name:
        values["actor_name"] = str(name)
    excerpt = context.get("text") or context.get("note")
    if excerpt:
        values["excerpt"] = " ".join(str(excerpt).split())[:MAX_EXCERPT]
    if task is not None:
        values["task_title"] = task.title
        # Its state is named when shown, in the reader's language of the day ("task_state"
        # is the name in the language of the moment, for entries kept before these two).
        values["task_state_name"] = task.state
        values["task_workflow_version_id"] = task.workflow_version_id
    return values


def record_notification(
    user: User,
    event: str,
    ticket: Ticket,
    context: Mapping[str, Any] | None = None,
    *,
    actor: User | None = None,
    now: datetime | None = None,
) -> InboxNotification:
    """Keep a notification in `user`'s inbox (the caller has checked who may be told)."""
    values = dict(context or {})
    task = db.session.get(Task, values["task_id"]) if values.get("task_id") else None
    entry = InboxNotification(
        user_id=user.id,
        ticket=ticket,
        event=event,
        actor_id=actor.id if actor is not None else None,
        context=inbox_context(event, values, actor, task),
        created_at=now or utcnow(),
    )
    db.session.add(entry)
    return entry


def unread_count(viewer: User) -> int:
    """The viewer's unread entries about tickets they may see."""
    # count(*), not count(id): the partial unread index answers it without the table.
    query = (
        select(func.count())
        .select_from(InboxNotification)
        .where(InboxNotification.user_id == viewer.id, InboxNotification.read_at.is_(None))
    )
    visible = visible_condition(viewer)
    if visible is not None:
        query = query.join(Ticket, Ticket.id == InboxNotification.ticket_id).where(visible)
    return db.session.scalar(query)


def inbox_page(
    viewer: User, before: int | None = None, size: int = PAGE_SIZE
) -> tuple[list[tuple[InboxNotification, bool]], bool]:
    """Newest first, `size` entries older than entry `before`, each with whether the viewer
    may still see its ticket; and whether more are older.

    One query, whatever the size: the tickets and their visibility come in the same statement.
    """
    visible = visible_condition(viewer)
    query = (
        select(InboxNotification, true() if visible is None else case((visible, True), else_=False))
        .join(InboxNotification.ticket)
        .options(contains_eager(InboxNotification.ticket))
        .where(InboxNotification.user_id == viewer.id)
        .order_by(InboxNotification.id.desc())
        .limit(size + 1)
    )
    if before is not None:
        query = query.where(InboxNotification.id < before)
    rows = [(entry, bool(seen)) for entry, seen in db.session.execute(query)]
    return rows[:size], len(rows) > size


def open_notification(
    user_id: int, notification_id: int, now: datetime | None = None
) -> InboxNotification | None:
    """The colleague's own entry, marked read; None when it is not theirs (or gone)."""
    entry = db.session.scalar(
        select(InboxNotification)
        .options(joinedload(InboxNotification.ticket))
        .where(InboxNotification.id == notification_id, InboxNotification.user_id == user_id)
    )
    if entry is not None and entry.read_at is None:
        entry.read_at = now or utcnow()
    return entry


def mark_all_read(user_id: int, up_to: int | None = None, now: datetime | None = None) -> int:
    """Mark the colleague's unread entries read, up to entry `up_to` (the newest they saw:
    one that arrived after the page was shown stays unread). Returns how many."""
    query = (
        update(InboxNotification)
        .where(InboxNotification.user_id == user_id, InboxNotification.read_at.is_(None))
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    if up_to is not None:
        query = query.where(InboxNotification.id <= up_to)
    return db.session.execute(query).rowcount


def mark_ticket_read(user_id: int, ticket_id: int, now: datetime | None = None) -> int:
    """The colleague opened the ticket: their unread entries about it are read. One UPDATE;
    returns how many it marked."""
    return db.session.execute(
        update(InboxNotification)
        .where(
            InboxNotification.user_id == user_id,
            InboxNotification.read_at.is_(None),
            InboxNotification.ticket_id == ticket_id,
        )
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount


PURGE_BATCH = 1000  # rows per DELETE: a large backlog never locks the table for long


def delete_read_before(cutoff: datetime) -> int:
    """Delete read entries created before `cutoff`, in committed batches; returns how many.

    Unread entries stay whatever their age: nobody has seen them yet.
    """
    deleted = 0
    while True:
        batch = (
            select(InboxNotification.id)
            .where(InboxNotification.read_at.is_not(None), InboxNotification.created_at < cutoff)
            .limit(PURGE_BATCH)
        )
        count = db.session.execute(
            delete(InboxNotification)
            .where(InboxNotification.id.in_(batch.scalar_subquery()))
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        deleted += count
        if count < PURGE_BATCH:
            return deleted
