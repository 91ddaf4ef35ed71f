"""Merging a duplicate ticket into the one its customer's conversation carries on in.

A customer who writes twice about the same thing (the form, then an e-mail; or the form
twice) gets two tickets, and two agents may answer them differently. Merging closes the
duplicate (the source) and points it at the ticket that stays (the target):

- the source moves to its lifecycle's closed state without firing a transition (the
  customer is not told "closed"; the clocks stop as on any close) and stays readable;
- its labels, watchers, open tasks and pending reminders go to the target, and its words
  to the target's search text, so nothing anyone was waiting for is lost;
- the customer's status link, their replies on it and their e-mail replies to the
  source's address lead to the target (`carried_on_in`);
- both timelines say so, by number only (a subject there would outlive an erasure of the
  customer's data); the target may tell the customer in one e-mail.

Only tickets of the same customer (the same e-mail address, or the same verified customer
id: `services.same_customer`) merge: the target's status page shows its whole conversation,
which must not reach another person. An unsigned customer id never makes two tickets one
customer's: anyone can type one into a link.

A merge made by mistake is undone (`unmerge_ticket`): the duplicate goes back to the state it
was merged from and its clocks run again; the open tasks and pending reminders the merge moved
go back with it (their ids are in the merge's event), and the duplicate's words leave the kept
ticket's search text, and that of any ticket the kept one was merged on into since (the
board's search no longer finds them by those words). What the
merge gave the kept ticket otherwise stays there (labels, watchers), as do the replies the
customer sent meanwhile: they are part of that conversation now. Both histories say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from webapp.extensions import db
from webapp.models import Reminder, Task, Ticket, TicketEvent, User, Watcher, utcnow
from webapp.services import sla_clock, state_timers
from webapp.services.history import record_event
from webapp.services.same_customer import is_same_customer, same_customer_condition
from webapp.services.ticket_access import can_see, visible_condition
from webapp.services.tickets import (
    OPEN_TASK_STATES,
    TicketConflict,
    add_label,
    add_search_text,
    close_without_transition,
    closed_state,
    flush_or_conflict,
)
from webapp.services.workflow_versions import machine_for, ticket_in_categories

MAX_CHAIN = 10  # merged into a ticket later merged again: followed this far, no further
CANDIDATES_SHOWN = 10


class MergeRefused(ValueError):
    """The merge cannot be made (the code says why; the web layer words it)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Merged:
    source: Ticket
    target: Ticket
    moved_tasks: int
    moved_reminders: int
    told_customer: bool


@dataclass(frozen=True)
class Unmerged:
    source: Ticket
    target: Ticket
    state: str
    moved_tasks: int
    moved_reminders: int


def carried_on_in(ticket: Ticket) -> Ticket:
    """The ticket a merged one carries on in (itself when it was never merged)."""
    seen = {ticket.id}
    for _ in range(MAX_CHAIN):
        if ticket.merged_into_id is None:
            return ticket
        target = db.session.get(Ticket, ticket.merged_into_id)
        if target is None or target.id in seen:
            return ticket
        seen.add(target.id)
        ticket = target
    return ticket


def _category(ticket: Ticket) -> str:
    return machine_for(ticket.workflow_version_id).definition.states[ticket.state].category


def merge_candidates(ticket: Ticket, viewer: User) -> list[Ticket]:
    """The customer's other tickets this one may merge into, newest first (one query): the
    same e-mail address or the same verified customer id."""
    same_customer = same_customer_condition(ticket)
    if same_customer is None or ticket.merged_into_id is not None:
        return []
    visible = visible_condition(viewer)
    rows = db.session.scalars(
        select(Ticket)
        .where(
            same_customer,
            Ticket.id != ticket.id,
            Ticket.merged_into_id.is_(None),
            *([] if visible is None else [visible]),
        )
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .where(~ticket_in_categories(("closed",)))
        .limit(CANDIDATES_SHOWN)
    ).all()
    return list(rows)


def check_merge(source: Ticket, target: Ticket | None, viewer: User) -> None:
    """Raise MergeRefused unless `viewer` may merge `source` into `target` now."""
    if source.merged_into_id is not None:
        raise MergeRefused("already_merged")
    if source.spam_at is not None:
        raise MergeRefused("spam")
    if target is None or not can_see(viewer, target):
        raise MergeRefused("unknown_ticket")  # another team's numbers tell nothing
    if target.id == source.id:
        raise MergeRefused("same_ticket")
    if target.merged_into_id is not None:
        raise MergeRefused("target_merged")
    if source.customer_erased_at is not None or target.customer_erased_at is not None:
        raise MergeRefused("erased")
    if not is_same_customer(source, target):
        raise MergeRefused("different_customer")
    if _category(target) == "closed":
        raise MergeRefused("target_closed")
    if closed_state(source) is None:
        raise MergeRefused("no_closed_state")


def merge_ticket(
    source: Ticket,
    target: Ticket,
    actor: User,
    *,
    tell_customer: bool = False,
    expected_version: int | None = None,
) -> Merged:
    """Merge `source` into `target` in the caller's transaction (the caller commits).

    A stale source (someone moved it meanwhile) raises TicketConflict before anything
    is recorded.
    """
    check_merge(source, target, actor)
    previous = close_without_transition(
        source,
        actor,
        reason="merged",  # the target's own survey asks instead
        expected_version=expected_version,
        merged_into_id=target.id,
    )
    for label in list(source.labels):
        add_label(target, label.name, actor)
    _move_watchers(source, target, actor)
    task_ids = _move(Task, source, target, Task.state.in_(OPEN_TASK_STATES))
    reminder_ids = _move(Reminder, source, target, Reminder.sent_at.is_(None))
    add_search_text(target, source.search_text)
    record_event(
        source,
        "merged_into",
        actor,
        from_state=previous,
        to_state=source.state,
        target=target.number,
        task_ids=task_ids,  # what an undo takes back
        reminder_ids=reminder_ids,
        search_chars=len(source.search_text or ""),  # the words it gave the target's search
    )
    record_event(
        target,
        "merged_from",
        actor,
        source=source.number,
        tasks=len(task_ids),
        reminders=len(reminder_ids),
    )
    _tell_assignees(source, target, actor, ("merged_from", "merged_into"))
    told = False
    if tell_customer and target.customer_email:
        from webapp.services.workflow_actions import email_customer

        told = email_customer(target, "merged", actor, merged_number=source.number)
    flush_or_conflict(target)

    from webapp.services.events import publish

    publish(source, "ticket.merged", into=target.number)
    return Merged(source, target, len(task_ids), len(reminder_ids), told)


def _move(model, source: Ticket, target: Ticket, *conditions, ids: list[int] | None = None):
    """Move `model` rows (tasks, reminders) matching `conditions` from one ticket to the
    other; returns their ids. `ids` limits it to those rows (an undo takes back only what
    the merge moved)."""
    query = select(model.id).where(model.ticket_id == source.id, *conditions)
    if ids is not None:
        query = query.where(model.id.in_(ids))
    moved = sorted(db.session.scalars(query))
    if moved:
        db.session.execute(
            update(model)
            .where(model.id.in_(moved))
            .values(ticket_id=target.id)
            .execution_options(synchronize_session="fetch")
        )
    return moved


def check_unmerge(source: Ticket, viewer: User) -> Ticket:
    """The ticket `source` was merged into, if `viewer` may undo that merge now (else
    MergeRefused)."""
    if source.merged_into_id is None:
        raise MergeRefused("not_merged")
    target = db.session.get(Ticket, source.merged_into_id)
    if target is None or not can_see(viewer, target):
        raise MergeRefused("kept_out_of_sight")  # the kept ticket is another team's
    if source.customer_erased_at is not None or target.customer_erased_at is not None:
        raise MergeRefused("erased")
    return target


def _merge_event(source: Ticket) -> TicketEvent | None:
    return db.session.scalar(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == source.id, TicketEvent.kind == "merged_into")
        .order_by(TicketEvent.created_at.desc(), TicketEvent.id.desc())
        .limit(1)
    )


def unmerge_ticket(source: Ticket, actor: User, *, expected_version: int | None = None) -> Unmerged:
    """Undo the merge of `source` in the caller's transaction (the caller commits).

    The duplicate returns to the state it was merged from (its clocks run again as on any
    reopening, the merged time counting as paused); the tasks and reminders the merge moved
    and that are still open go back to it. A stale source raises TicketConflict.
    """
    target = check_unmerge(source, actor)
    if expected_version is not None and expected_version != source.version:
        raise TicketConflict(source.id)
    merged = _merge_event(source)
    data = merged.data if merged is not None else {}
    states = machine_for(source.workflow_version_id).definition.states
    back_to = merged.from_state if merged is not None else None
    previous = source.state
    if back_to in states and back_to != previous:
        now = utcnow()
        source.state = back_to
        sla_clock.on_state_change(source, previous, back_to, now)
        state_timers.entered_state(source, now)
    source.merged_into_id = None
    flush_or_conflict(source)
    task_ids = _move(
        Task, target, source, Task.state.in_(OPEN_TASK_STATES), ids=data.get("task_ids") or []
    )
    reminder_ids = _move(
        Reminder, target, source, Reminder.sent_at.is_(None), ids=data.get("reminder_ids") or []
    )
    _take_back_search_text(source, target, merged)
    record_event(
        source,
        "unmerged",
        actor,
        from_state=previous,
        to_state=source.state,
        target=target.number,
        tasks=len(task_ids),
        reminders=len(reminder_ids),
    )
    record_event(
        target,
        "unmerged_from",
        actor,
        source=source.number,
        tasks=len(task_ids),
        reminders=len(reminder_ids),
    )
    _tell_assignees(source, target, actor, ("unmerged_from", "unmerged"))
    flush_or_conflict(target)
    from webapp.services.events import publish

    publish(source, "ticket.unmerged", **{"from": target.number})
    return Unmerged(source, target, source.state, len(task_ids), len(reminder_ids))


def _take_back_search_text(source: Ticket, target: Ticket, merged: TicketEvent | None) -> None:
    """Take the duplicate's words the merge appended out of the target's search text, and out
    of the tickets the target was merged on into since (A into B, then B into C: A's words
    travelled to C inside B's; separate again, A's words find neither B nor C).

    The merge appended " " + the duplicate's search text as it was then (`search_chars`
    long; the duplicate's own text only grows at its end since, by notes). The last such
    piece is the merge's: the target's own words came before it. Text written since stays.
    An onward merge counts only if it came after this one (a merge into B made while B was
    already merged on is refused, but B may have been merged, undone and merged again), and
    the chain is followed only while the piece is found: a ticket whose text no longer holds
    it (cut at the search-text limit) is left as it is rather than cut somewhere else. Each
    onward merge's `search_chars` shrinks by what was taken, so undoing that merge later
    still finds its own piece.
    """
    data = merged.data if merged is not None else {}
    chars = data.get("search_chars")
    words = source.search_text or ""
    if chars is not None:
        words = words[:chars]
    if not words:
        return
    piece = " " + words
    after = merged.id if merged is not None else None
    ticket = target
    for _ in range(MAX_CHAIN + 1):
        if not _cut_last(ticket, piece):
            return
        if ticket.merged_into_id is None or after is None:
            return
        onward = _merge_event(ticket)
        if onward is None or onward.id < after:
            return  # merged on before these words arrived: they never went further
        following = db.session.get(Ticket, ticket.merged_into_id)
        if following is None:
            return
        onward_data = dict(onward.data or {})
        if onward_data.get("search_chars") is not None:
            onward_data["search_chars"] = max(0, onward_data["search_chars"] - len(piece))
            onward.data = onward_data  # a new dict: JSON columns do not see changes in place
        after, ticket = onward.id, following


def _cut_last(ticket: Ticket, piece: str) -> bool:
    """Remove the last occurrence of `piece` from the ticket's search text; False if absent."""
    text = ticket.search_text or ""
    start = text.rfind(piece)
    if start < 0:
        return False
    ticket.search_text = text[:start] + text[start + len(piece) :]
    return True


def _tell_assignees(source: Ticket, target: Ticket, actor: User, kinds: tuple[str, str]) -> None:
    """The kept ticket's assignee gets the duplicate's conversation, tasks and reminders; the
    duplicate's assignee loses a ticket they were working on (an undo: the other way round):
    both hear of it, as their ticket-update settings say (never the colleague who did it).
    `kinds` name the notice for the kept ticket and for the duplicate."""
    from webapp.services.notifications import notify

    told = set()
    for ticket, other, kind in ((target, source, kinds[0]), (source, target, kinds[1])):
        user = ticket.assignee
        if user is None or user.id in told:
            continue
        told.add(user.id)
        context = {"kind": kind, "other_number": other.number, "actor_name": actor.name}
        key = notify(user, "ticket_update", ticket, "staff_ticket_notice", context, actor=actor)
        if key:
            record_event(
                ticket, "email_queued", None, to=user.email, template=kind, message_key=key
            )


def _move_watchers(source: Ticket, target: Ticket, actor: User) -> None:
    """Everyone following the duplicate follows the ticket that stays (their choices kept)."""
    from webapp.services.watchers import follow

    already = set(db.session.scalars(select(Watcher.user_id).where(Watcher.ticket_id == target.id)))
    for watcher in db.session.scalars(select(Watcher).where(Watcher.ticket_id == source.id)):
        if watcher.user_id not in already and watcher.user.active:
            follow(target, watcher.user, watcher.events, actor)
