"""Colleagues who follow a ticket, and the one place that tells them what happened."""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import Ticket, User, Watcher, utcnow
from webapp.services.history import actor_name, record_event
from webapp.services.notifications import notify

# What a watcher can choose to hear about; "resolved" is always sent.
WATCH_EVENTS = ("resolved", "public_reply", "note", "transition")
DEFAULT_WATCH_EVENTS = ("resolved", "public_reply")


def clean_watch_events(chosen: Iterable[str]) -> list[str]:
    """Keep known event names, in a stable order; resolution is always included."""
    picked = set(chosen) | {"resolved"}
    return [kind for kind in WATCH_EVENTS if kind in picked]


def watchers_of(ticket: Ticket) -> list[Watcher]:
    # No autoflush: a stale ticket must fail in flush_or_conflict, not in this SELECT.
    with db.session.no_autoflush:
        return list(db.session.scalars(_watchers_query(), {"ticket_id": ticket.id}))


@functools.cache
def _watchers_query():
    """Built once (parameter `ticket_id`): every move asks."""
    return (
        select(Watcher)
        .options(joinedload(Watcher.user))
        .where(Watcher.ticket_id == bindparam("ticket_id"))
        .order_by(Watcher.id)
    )


def follow(ticket: Ticket, user: User, events: Iterable[str], added_by: User | None) -> Watcher:
    """Start (or update) following; recorded on the timeline."""
    chosen = clean_watch_events(events)
    watcher = None
    if ticket.id is not None:
        watcher = db.session.scalar(
            select(Watcher).where(Watcher.ticket_id == ticket.id, Watcher.user_id == user.id)
        )
    if watcher is None:
        watcher = Watcher(
            ticket=ticket, user=user, events=chosen, added_by=added_by, added_at=utcnow()
        )
        db.session.add(watcher)
    else:
        watcher.events = chosen
    record_event(
        ticket, "watcher_added", added_by, watcher_id=user.id, watcher=user.name, events=chosen
    )
    return watcher


def unfollow(ticket: Ticket, user: User, actor: User | None) -> bool:
    watcher = db.session.scalar(
        select(Watcher).where(Watcher.ticket_id == ticket.id, Watcher.user_id == user.id)
    )
    if watcher is None:
        return False
    db.session.delete(watcher)
    record_event(ticket, "watcher_removed", actor, watcher_id=user.id, watcher=user.name)
    return True


def add_route_watchers(ticket: Ticket, emails: Collection[str]) -> None:
    """Routing named watchers by e-mail: the active colleagues among them follow the ticket."""
    wanted = {e.strip().lower() for e in emails if e.strip()}
    if not wanted:
        return
    users = db.session.scalars(
        select(User).where(func.lower(User.email).in_(wanted), User.active.is_(True))
    )
    for user in users:
        db.session.add(
            Watcher(ticket=ticket, user=user, events=list(DEFAULT_WATCH_EVENTS), added_at=utcnow())
        )


def _wants(watcher: Watcher, event_kind: str) -> bool:
    if event_kind == "resolved":
        return True
    return event_kind in (watcher.events or ())


def notify_watchers(
    ticket: Ticket,
    event_kind: str,
    actor: User | None = None,
    *,
    skip_user_ids: Collection[int] = (),
    everyone: bool = False,
    detail: str = "",
    details: Mapping[str, Any] | None = None,
) -> list[str]:
    """Tell the watchers who chose `event_kind` (all of them when resolved or `everyone`).

    The actor is never told about their own action. Each watcher's notification settings
    and working hours decide when the e-mail goes. `details` say what happened, as the
    workflow's actions get them ({"metric": "resolution"} for a missed SLA deadline).
    Returns the message keys.
    """
    if ticket.id is None:
        return []
    skip = set(skip_user_ids) | ({actor.id} if actor else set())
    keys = []
    names = []
    for watcher in watchers_of(ticket):
        user = watcher.user
        if user.id in skip or not user.active or not (everyone or _wants(watcher, event_kind)):
            continue
        key = notify(
            user,
            "watched",
            ticket,
            "watcher_notice",
            {
                **(details or {}),
                "kind": event_kind,
                "detail": detail,
                "actor_name": actor_name(actor),
            },
        )
        if key:
            keys.append(key)
            names.append(user.name)
    if keys:
        record_event(
            ticket, "watchers_notified", None, event=event_kind, to=names, message_keys=keys
        )
    return keys
