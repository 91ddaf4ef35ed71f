"""Internal notes with @mentions: staff only, never on the customer's status page."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import func, or_, select

from webapp.extensions import db
from webapp.models import Role, Ticket, TicketEvent, User
from webapp.services.events import publish
from webapp.services.history import Integration, actor_name, record_event
from webapp.services.notifications import notify
from webapp.services.ticket_access import let_see
from webapp.services.tickets import add_search_text, flush_or_conflict
from webapp.services.watchers import notify_watchers

MAX_NOTE = 10_000
PEOPLE_LIMIT = 8
_AT_HANDLE = re.compile(r"(?<![\w.])@([\w.+-]+)")


class NoteRefused(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def active_staff() -> list[User]:
    """Colleagues one can assign, mention, share with or add as watcher."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_([Role.AGENT, Role.ADMIN]))
            .order_by(User.name)
        )
    )


def staff_matching(query: str, limit: int = PEOPLE_LIMIT) -> list[User]:
    """Active colleagues whose name or e-mail contains `query` (the @mention autocomplete)."""
    text = query.strip().lstrip("@").lower()
    statement = select(User).where(User.active.is_(True)).order_by(User.name).limit(limit)
    if text:
        # Matched as typed: "jan_k" finds jan_kowalski@, and "%" is no wildcard for everyone.
        statement = statement.where(
            or_(
                func.lower(User.name).contains(text, autoescape=True),
                func.lower(User.email).contains(text, autoescape=True),
            )
        )
    return list(db.session.scalars(statement))


def users_by_ids(ids: Iterable[int]) -> dict[int, User]:
    wanted = set(ids)
    if not wanted:
        return {}
    users = db.session.scalars(select(User).where(User.id.in_(wanted), User.active.is_(True)))
    return {user.id: user for user in users}


def handles_in(text: str) -> set[str]:
    """`@ola` in the text: the part of a colleague's e-mail before the @."""
    return {match.lower() for match in _AT_HANDLE.findall(text)}


def users_by_handles(handles: set[str]) -> list[User]:
    if not handles:
        return []
    if db.engine.dialect.name == "postgresql":
        local_part = func.lower(func.split_part(User.email, "@", 1))
    else:  # SQLite has no split_part
        local_part = func.lower(func.substr(User.email, 1, func.instr(User.email, "@") - 1))
    return list(
        db.session.scalars(select(User).where(User.active.is_(True), local_part.in_(handles)))
    )


def resolve_mentions(text: str, mention_ids: Iterable[int]) -> list[User]:
    """The colleagues chosen in the autocomplete plus those named as @handle in the text.

    An id that is not an active colleague raises NoteRefused("unknown_colleague").
    """
    ids = list(dict.fromkeys(mention_ids))
    chosen = users_by_ids(ids)
    if len(chosen) != len(ids):
        raise NoteRefused("unknown_colleague")
    for user in users_by_handles(handles_in(text)):
        chosen.setdefault(user.id, user)
    return list(chosen.values())


def add_note(
    ticket: Ticket,
    text: str | None,
    author: User | Integration,
    mention_ids: Iterable[int] = (),
) -> TicketEvent:
    """Record an internal note, notify each mentioned colleague, tell the watchers.

    A mentioned colleague who could not open the ticket (another team's) now follows it.

    The author may be an API integration: the history then reads "API: <name>".
    """
    text = (text or "").replace("\x00", "").replace("\r\n", "\n").strip()
    if not text:
        raise NoteRefused("empty")
    if len(text) > MAX_NOTE:
        raise NoteRefused("too_long")
    mentioned = resolve_mentions(text, mention_ids)
    keys = []
    for user in mentioned:
        if user.id != author.id:
            let_see(ticket, user, author if isinstance(author, User) else None)
            context = {"author": actor_name(author), "text": text}
            if key := notify(user, "mention", ticket, "note_mention", context):
                keys.append(key)
    event = record_event(
        ticket,
        "note",
        author,
        text=text,
        mentions=[user.id for user in mentioned],
        mention_names=[user.name for user in mentioned],
        message_keys=keys,
    )
    add_search_text(ticket, text)
    flush_or_conflict(ticket)  # a stale ticket fails here, before anyone is told
    notify_watchers(ticket, "note", author, skip_user_ids={user.id for user in mentioned})
    publish(ticket, "note.added", author=author.name, text=text)
    return event
