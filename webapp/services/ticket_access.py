"""Which tickets an agent may see: every ticket, or only their teams' (TicketAccess.TEAMS).

An agent limited to their teams still sees a ticket they are involved in: assigned to
them, followed by them, or holding a task for them. That is how work crosses teams on
purpose: assigning, adding a watcher, giving a task, @mentioning or sharing a ticket with
a colleague lets them open it (`let_see`). Admins always see everything.

One SQL condition (`visible_condition`) serves every list, count and lookup, so the
board, the list, its export, the dashboard and a ticket's page cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import exists, or_, select
from sqlalchemy.sql.elements import ColumnElement

from webapp.extensions import db
from webapp.models import Task, TeamMembership, Ticket, User, Watcher


def visible_condition(viewer: User) -> ColumnElement[bool] | None:
    """A WHERE clause on Ticket for what `viewer` may see, or None when they see all."""
    if viewer.sees_every_ticket:
        return None
    own_teams = select(TeamMembership.team_id).where(TeamMembership.user_id == viewer.id)
    return or_(
        Ticket.team_id.in_(own_teams),
        Ticket.assignee_id == viewer.id,
        exists().where(Watcher.ticket_id == Ticket.id, Watcher.user_id == viewer.id),
        exists().where(Task.ticket_id == Ticket.id, Task.assignee_id == viewer.id),
    )


def can_see(viewer: User, ticket: Ticket) -> bool:
    """Whether `viewer` may open `ticket` (no query for those who see every ticket)."""
    if viewer.sees_every_ticket or ticket.assignee_id == viewer.id:
        return True
    return can_see_id(viewer, ticket.id)


def can_see_id(viewer: User, ticket_id: int) -> bool:
    """`can_see` by id: one indexed query, and none for those who see every ticket."""
    condition = visible_condition(viewer)
    if condition is None:
        return True
    return bool(db.session.scalar(select(exists().where(Ticket.id == ticket_id, condition))))


def visible_numbers(viewer: User, numbers: Iterable[str]) -> set[str] | None:
    """Which of these ticket numbers `viewer` may open (None: every one): one query, and
    none for those who see every ticket or when there is no number to ask about."""
    condition = visible_condition(viewer)
    if condition is None:
        return None
    ids = {Ticket.id_from_number(number): number for number in numbers}
    ids.pop(None, None)
    if not ids:
        return set()
    found = db.session.scalars(select(Ticket.id).where(Ticket.id.in_(ids), condition))
    return {ids[ticket_id] for ticket_id in found}


def let_see(ticket: Ticket, colleague: User, actor: User | None) -> bool:
    """Make sure a colleague brought into a ticket can open it; True if they now follow it.

    A colleague limited to their teams who is mentioned on, or sent, another team's ticket
    follows it (watchers see it), as the history then shows: a link they cannot open
    would be worse than no message at all.
    """
    if ticket.id is None or can_see(colleague, ticket):
        return False
    from webapp.services.watchers import follow  # watchers tell colleagues: `notify` asks us

    follow(ticket, colleague, (), added_by=actor)
    return True
