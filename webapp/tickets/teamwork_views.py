"""Workspace actions around a ticket: labels, tasks, reminders, watchers, assignment."""

from __future__ import annotations

from flask import flash, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.extensions import db
from webapp.i18n import PRIORITY_LABELS, priority_label
from webapp.models import Reminder, Task, Team, User
from webapp.record_ids import optional_id
from webapp.security import staff_required
from webapp.services.local_time import (
    BadLocalTime,
    before_today,
    parse_local_date_or_datetime,
)
from webapp.services.reminders import (
    ReminderInThePast,
    ReminderTooFar,
    cancel_reminder,
    create_reminder,
)
from webapp.services.tasks import TaskRefused, assign_task, move_task
from webapp.services.tickets import (
    MoveRefused,
    TicketConflict,
    add_label,
    assign_to,
    change_priority,
    flush_or_conflict,
    move_to_team,
    remove_label,
)
from webapp.services.watchers import follow, unfollow
from webapp.tickets import bp
from webapp.tickets.conversation_views import CONFLICT, refusal_text
from webapp.tickets.presenters import refusal_message
from webapp.tickets.responses import after_action, refused, ticket_or_404

BAD_DATE = _l("Please enter a valid date and time.")
PAST_DUE = _l("That day has already passed: please choose today or a later day.")
PAST_REMINDER = _l("That moment has already passed: please choose a time in the future.")
NO_COLLEAGUE = _l("Please choose a colleague.")
NO_TITLE = _l("Please give the task a title.")
NO_LABEL = _l("Please enter a label.")
NO_SUCH_TASK = _l("This task does not exist any more.")
NO_SUCH_REMINDER = _l("This reminder was already cancelled, perhaps in another tab.")


def _colleague(value: str | None) -> User | None:
    """An active colleague by id, or None (unknown, inactive or not a number)."""
    user_id = optional_id(value)
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.active else None


# Labels ------------------------------------------------------------------------------------


@bp.post("/tickets/<number>/labels")
@staff_required
def label_add(number: str):
    ticket = ticket_or_404(number)
    name = " ".join(request.form.get("name", "").split())
    if not name:
        return refused(ticket, "labels", "label", str(NO_LABEL), {"name": ""})
    label = add_label(ticket, name, current_user)
    if label is None:
        flash(_("The ticket already has the label “%(label)s”.", label=name), "info")
    db.session.commit()
    if label is not None:
        flash(_("Label “%(label)s” added.", label=label.name), "success")
    # The SLA too: a policy may ask for a label (ticket_changes.KIND_SECTIONS).
    return after_action(ticket, ["labels", "sla", "timeline"], anchor="ws-labels")


@bp.post("/tickets/<number>/labels/remove")
@staff_required
def label_remove(number: str):
    ticket = ticket_or_404(number)
    name = " ".join(request.form.get("name", "").split())
    if remove_label(ticket, name, current_user):
        db.session.commit()
        flash(_("Label “%(label)s” removed.", label=name), "success")
    elif name:  # removed meanwhile, in another tab or by a colleague
        flash(_("The ticket has no label “%(label)s” any more.", label=name), "info")
    return after_action(ticket, ["labels", "sla", "timeline"], anchor="ws-labels")


# Tasks -------------------------------------------------------------------------------------


@bp.post("/tickets/<number>/tasks")
@staff_required
def task_create(number: str):
    ticket = ticket_or_404(number)
    values = {k: request.form.get(k, "") for k in ("title", "assignee", "due", "notes")}
    assignee = _colleague(values["assignee"])
    if assignee is None:
        return refused(ticket, "tasks", "task", str(NO_COLLEAGUE), values, ["assignee"])
    due_at = None
    if values["due"].strip():
        try:
            due_at = parse_local_date_or_datetime(values["due"], current_user.timezone)
        except BadLocalTime:
            return refused(ticket, "tasks", "task", str(BAD_DATE), values, ["due"])
        if before_today(due_at, current_user.timezone):  # a typo (2020), not a plan
            return refused(ticket, "tasks", "task", str(PAST_DUE), values, ["due"])
    try:
        assign_task(ticket, values["title"], assignee, current_user, due_at, values["notes"])
    except TaskRefused:
        return refused(ticket, "tasks", "task", str(NO_TITLE), values, ["title"])
    db.session.commit()
    flash(_("Task created for %(name)s.", name=assignee.name), "success")
    return after_action(ticket, ["tasks", "timeline", "header"], anchor="ws-tasks")


@bp.post("/tickets/<number>/tasks/<int:task_id>/move")
@staff_required
def task_move(number: str, task_id: int):
    ticket = ticket_or_404(number)
    task = db.session.get(Task, task_id)
    if task is None or task.ticket_id != ticket.id:
        return refused(ticket, "tasks", "task_move", str(NO_SUCH_TASK))
    try:
        move_task(
            task,
            request.form.get("trigger", ""),
            current_user,
            expected_version=request.form.get("version", type=int),
        )
        db.session.commit()
    except MoveRefused as refusal:
        db.session.rollback()
        message = refusal_message(refusal.code, refusal.detail)
        return refused(ticket_or_404(number), "tasks", "task_move", message)
    except TicketConflict:
        return refused(ticket_or_404(number), "tasks", "task_move", str(CONFLICT))
    return after_action(ticket, ["tasks", "timeline", "header"], anchor="ws-tasks")


# Reminders ---------------------------------------------------------------------------------


@bp.post("/tickets/<number>/reminders")
@staff_required
def reminder_create(number: str):
    ticket = ticket_or_404(number)
    values = {k: request.form.get(k, "") for k in ("remind_at", "note")}
    try:
        reminder = create_reminder(ticket, current_user, values["remind_at"], values["note"])
    except BadLocalTime:
        return refused(ticket, "reminders", "reminder", str(BAD_DATE), values)
    except ReminderInThePast:
        return refused(ticket, "reminders", "reminder", str(PAST_REMINDER), values)
    except ReminderTooFar as too_far:
        message = _(
            "That is more than a year away: please choose a moment no later than %(date)s.",
            date=format_date(too_far.latest, "medium"),
        )
        return refused(ticket, "reminders", "reminder", message, values)
    db.session.commit()
    flash(_("We will remind you %(when)s.", when=_format(reminder)), "success")
    return after_action(ticket, ["reminders", "timeline"], anchor="ws-reminders")


def _format(reminder: Reminder) -> str:
    from flask_babel import format_datetime

    return format_datetime(reminder.remind_at, "short")


@bp.post("/tickets/<number>/reminders/<int:reminder_id>/cancel")
@staff_required
def reminder_cancel(number: str, reminder_id: int):
    ticket = ticket_or_404(number)
    reminder = db.session.get(Reminder, reminder_id)
    mine = reminder is not None and reminder.user_id == current_user.id
    if not mine or reminder.ticket_id != ticket.id:
        # Cancelled meanwhile (another tab) or never this agent's: said where they clicked,
        # as a task gone from a stale tab is, rather than a list that silently loses a line.
        return refused(ticket, "reminders", "reminder_cancel", str(NO_SUCH_REMINDER))
    when = _format(reminder)
    if reminder.sent_at is not None or not cancel_reminder(reminder, current_user):
        message = _(
            "The reminder for %(when)s was already sent, so there is nothing to cancel.",
            when=when,
        )
        return refused(ticket, "reminders", "reminder_cancel", message)
    db.session.commit()
    # Said aloud as the other changes are: the list just loses a line otherwise.
    flash(_("The reminder for %(when)s is cancelled.", when=when), "success")
    return after_action(ticket, ["reminders", "timeline"], anchor="ws-reminders")


# Watchers ----------------------------------------------------------------------------------


@bp.post("/tickets/<number>/watchers")
@staff_required
def watcher_add(number: str):
    """Follow the ticket yourself, or make a colleague follow it, for the chosen events."""
    ticket = ticket_or_404(number)
    chosen = request.form.get("user") or str(current_user.id)
    user = _colleague(chosen)
    if user is None:
        return refused(
            ticket, "watchers", "watcher", refusal_text("unknown_colleague"), fields=["user"]
        )
    follow(ticket, user, request.form.getlist("events"), current_user)
    db.session.commit()
    if user.id == current_user.id:
        flash(_("You now follow this ticket."), "success")
    else:
        flash(_("%(name)s now follows this ticket.", name=user.name), "success")
    return after_action(ticket, ["watchers", "timeline"], anchor="ws-watchers")


@bp.post("/tickets/<number>/watchers/<int:user_id>/remove")
@staff_required
def watcher_remove(number: str, user_id: int):
    ticket = ticket_or_404(number)
    user = db.session.get(User, user_id)
    if user is not None:
        unfollow(ticket, user, current_user)
        db.session.commit()
        if user.id == current_user.id:
            flash(_("You no longer follow this ticket."), "success")
        else:
            flash(_("%(name)s no longer follows this ticket.", name=user.name), "success")
    return after_action(ticket, ["watchers", "timeline"], anchor="ws-watchers")


# Assignment and priority -------------------------------------------------------------------


@bp.post("/tickets/<number>/assign")
@staff_required
def assign(number: str):
    """Give the ticket to a colleague (or nobody) and/or move it to a team."""
    ticket = ticket_or_404(number)
    assignee_value = request.form.get("assignee", "")
    team_value = request.form.get("team", "")
    assignee = _colleague(assignee_value) if assignee_value else None
    if assignee_value and assignee is None:
        message = refusal_text("unknown_colleague")
        return refused(ticket, "header", "assign", message, fields=["assignee"])
    team_id = optional_id(team_value)
    team = db.session.get(Team, team_id) if team_id else None
    if team_value and team is None:
        message = _("This team does not exist.")
        return refused(ticket, "header", "assign", message, fields=["team"])
    new_team = team is not None and team.id != ticket.team_id
    new_assignee = (assignee.id if assignee else None) != ticket.assignee_id
    try:
        if new_team:
            move_to_team(ticket, team, current_user)
            flush_or_conflict(ticket)
        if new_assignee:
            assign_to(ticket, assignee, current_user)
        db.session.commit()
    except TicketConflict:
        return refused(ticket_or_404(number), "header", "assign", str(CONFLICT))
    _confirm_assignment(ticket, new_team, new_assignee)
    return after_action(ticket, ["header", "sla", "timeline"], anchor="ws-header")


@bp.post("/tickets/<number>/priority")
@staff_required
def priority(number: str):
    """Change the priority; the SLA targets follow the policy it selects."""
    ticket = ticket_or_404(number)
    value = request.form.get("priority", "")
    if value not in PRIORITY_LABELS:
        message = _("Please choose a priority.")
        return refused(ticket, "header", "priority", message, fields=["priority"])
    unchanged = value == ticket.priority
    try:
        change_priority(ticket, value, current_user)
        db.session.commit()
    except TicketConflict:
        return refused(ticket_or_404(number), "header", "priority", str(CONFLICT))
    if unchanged:
        flash(_("The priority is already %(priority)s.", priority=priority_label(value)), "info")
    else:
        flash(_("Priority changed to %(priority)s.", priority=priority_label(value)), "success")
    return after_action(ticket, ["header", "sla", "timeline"], anchor="ws-header")


def _confirm_assignment(ticket, new_team: bool, new_assignee: bool) -> None:
    """Say what changed: the header changes quietly, a screen reader hears the toast."""
    if new_team:
        flash(_("The ticket moved to the team %(team)s.", team=ticket.team.name), "success")
    if new_assignee and ticket.assignee is not None:
        flash(_("Assigned to %(name)s.", name=ticket.assignee.name), "success")
    elif new_assignee:
        flash(_("Nobody is assigned to the ticket now."), "success")
    if not (new_team or new_assignee):
        flash(_("Nothing changed: the ticket already has this assignee and team."), "info")
