"""Tasks for colleagues on a ticket, with the e-mails around them.

The task workflow (workflow/definitions/tasks.yaml) decides who may do what;
the assignee hears about a new task, the creator about every status change.
"""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import Task, Ticket, User, utcnow
from webapp.services.local_time import zone_or_utc
from webapp.services.notifications import notify
from webapp.services.staff_mail import new_message_key
from webapp.services.tickets import create_task, fire_task, task_actor_roles, task_facts
from webapp.services.workflow_versions import machine_for
from workflow.engine import Move, TriggerOption

MAX_TITLE = 300


class TaskRefused(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def tasks_of(ticket: Ticket) -> list[Task]:
    return list(
        db.session.scalars(
            select(Task)
            .options(joinedload(Task.assignee), joinedload(Task.creator))
            .where(Task.ticket_id == ticket.id)
            .order_by(Task.id)
        )
    )


def is_final(task: Task) -> bool:
    return machine_for(task.workflow_version_id).definition.states[task.state].final


def is_overdue(task: Task, now: datetime | None = None) -> bool:
    return task.due_at is not None and task.due_at < (now or utcnow()) and not is_final(task)


def task_options(task: Task, user: User) -> list[TriggerOption]:
    """The moves this user may make on this task now (only those: buttons for nothing else)."""
    machine = machine_for(task.workflow_version_id)
    options = machine.available_triggers(task.state, task_actor_roles(task, user), task_facts(task))
    return [option for option in options if option.allowed]


def assign_task(
    ticket: Ticket,
    title: str,
    assignee: User,
    creator: User,
    due_at: datetime | None = None,
    notes: str = "",
) -> Task:
    """Create the task and notify the assignee (unless they gave it to themselves)."""
    title = " ".join((title or "").split())
    if not title:
        raise TaskRefused("empty_title")
    tell_assignee = assignee.id != creator.id
    key = new_message_key("task", ticket) if tell_assignee else None
    task = create_task(
        ticket, title[:MAX_TITLE], assignee, creator, due_at, (notes or "").strip(), key
    )
    if tell_assignee:
        db.session.flush()  # the notice names the task by id
        notify(
            assignee,
            "task",
            ticket,
            "task_notice",
            {
                "kind": "assigned",
                "task_id": task.id,
                "actor": creator.name,
                "task_state": _state_label(task, task.state, assignee.locale),
                "due_text": format_for(assignee, due_at),
            },
            key=key,
        )
    return task


def move_task(task: Task, trigger: str, actor: User, expected_version: int | None = None) -> Move:
    """Fire a task trigger and notify the creator (raises MoveRefused / TicketConflict)."""
    creator = task.creator
    tell_creator = creator is not None and creator.id != actor.id and creator.active
    key = new_message_key("task", task.ticket) if tell_creator else None
    move = fire_task(task, trigger, actor, expected_version=expected_version, message_key=key)
    if tell_creator:
        notify(
            creator,
            "task",
            task.ticket,
            "task_notice",
            {
                "kind": "changed",
                "task_id": task.id,
                "actor": actor.name,
                "task_state": _state_label(task, move.dest, creator.locale),
            },
            key=key,
        )
    return move


def format_for(user: User, moment: datetime | None) -> str:
    """A date and time as this colleague reads it: their language, their timezone."""
    if moment is None:
        return ""
    zone = zone_or_utc(user.timezone)
    return format_datetime(moment, "short", tzinfo=zone, locale=user.locale or "en")


def _state_label(task: Task, state: str, locale: str) -> str:
    version_id = task.workflow_version_id or task.workflow_version.id  # a new task is unflushed
    return machine_for(version_id).definition.states[state].label(locale)
