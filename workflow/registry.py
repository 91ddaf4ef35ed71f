"""The vetted names a workflow definition may use: guards and actions.

A definition refers to these by name only; an unknown name is a validation
error. Guards are pure functions of a ticket's facts (a plain mapping the web
layer builds). Actions are only *named and checked* here; the web layer
executes them after the state change, inside the same database transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from workflow.yaml_documents import N_

PRIORITIES = ("low", "normal", "high", "urgent")
# What an automation rule's `on:` (and a webhook) may listen to.
EVENTS = (
    "ticket.created",
    "ticket.transitioned",
    "ticket.assigned",
    "label.added",
    "note.added",
    "reply.sent",
    "sla.warning",
    "sla.breached",
    "survey.answered",
    "ticket.merged",
    "ticket.unmerged",
    "ticket.spam",
    "ticket.not_spam",
)
# Custom events a workflow's `webhook` action sends, and webhooks may subscribe to.
CUSTOM_EVENT = re.compile(r"^workflow\.[a-z0-9][a-z0-9_.-]{0,54}$")
ROLES = ("agent", "admin", "assignee", "customer", "system")

Facts = Mapping[str, Any]


@dataclass(frozen=True)
class Guard:
    name: str
    check: Callable[[Facts], bool]
    refusal: str  # shown when the guard blocks a move (English; the web layer translates)


GUARDS: dict[str, Guard] = {
    g.name: g
    for g in (
        Guard("has_assignee", lambda f: bool(f.get("assignee_id")), "the ticket has no assignee"),
        Guard("has_team", lambda f: bool(f.get("team_id")), "the ticket has no team"),
        Guard(
            "has_public_reply",
            lambda f: int(f.get("public_reply_count") or 0) > 0,
            "nobody has replied to the customer yet",
        ),
        Guard(
            "has_customer_email",
            lambda f: bool(f.get("customer_email")),
            "the customer left no e-mail address",
        ),
        Guard(
            "no_open_tasks",
            lambda f: int(f.get("open_task_count") or 0) == 0,
            "the ticket still has open tasks",
        ),
        Guard("has_due_date", lambda f: bool(f.get("due_at")), "no due date is set"),
    )
}


# What is wrong with an action's parameter: an N_ template naming the action as
# %(action)s, and the values of its other placeholders.
ParamProblem = tuple[str, Mapping[str, object]]


def _no_params(value: Any) -> ParamProblem | None:
    return None if value in (None, {}, True) else (N_("%(action)s takes no parameters"), {})


def _text_param(value: Any) -> ParamProblem | None:
    if isinstance(value, str) and value.strip():
        return None
    return N_("%(action)s needs a name (text)"), {}


def _priority_param(value: Any) -> ParamProblem | None:
    if value in PRIORITIES:
        return None
    return N_("%(action)s needs one of %(choices)s"), {"choices": ", ".join(PRIORITIES)}


# An unanswered survey is reminded once, this many days after it was sent, unless the
# workflow's `schedule_survey` says otherwise (`remind_after: 0` or empty: never).
DEFAULT_SURVEY_REMINDER_DAYS = 3
MAX_SURVEY_REMINDER_DAYS = 365
_DAYS = re.compile(r"^\s*([0-9]{1,9})\s*d?\s*$", re.IGNORECASE)


class BadReminderDays(ValueError):
    """`remind_after` is not a whole number of days (or is too many)."""

    def __init__(self, template: str, **params: object) -> None:
        super().__init__(template)
        self.template, self.params = template, params


def survey_reminder_days(params: Mapping[str, Any]) -> int | None:
    """Days after sending a survey to remind the customer once; None: no reminder.

    `remind_after` absent: the default; `0`, `0d`, empty: never; `3` or `3d`: three days.
    Raises BadReminderDays for anything else.
    """
    if "remind_after" not in params:
        return DEFAULT_SURVEY_REMINDER_DAYS
    value = params["remind_after"]
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    match = None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        days = value
    elif isinstance(value, str) and (match := _DAYS.match(value)):
        days = int(match.group(1))
    else:
        raise BadReminderDays(
            N_(
                "%(action)s remind_after: '%(text)s' is not a number of days "
                "(use 3d, or 0 for no reminder)"
            ),
            text=str(value),
        )
    if days > MAX_SURVEY_REMINDER_DAYS:
        raise BadReminderDays(
            N_("%(action)s remind_after: '%(text)s' is too long (at most %(max_days)sd)"),
            text=str(value),
            max_days=MAX_SURVEY_REMINDER_DAYS,
        )
    return days or None


def _survey_param(value: Any) -> ParamProblem | None:
    from workflow.durations import NOT_A_DURATION, DurationError, parse_duration

    if not isinstance(value, Mapping) or not isinstance(value.get("form"), str):
        return N_("%(action)s needs {form: <form slug>, after: <duration>}"), {}
    try:
        parse_duration(str(value.get("after", "0m")))
    except DurationError as exc:
        if exc.template == NOT_A_DURATION:
            return N_(
                "%(action)s after: '%(text)s' is not a duration (use 30m, 4h, 2d)"
            ), exc.params
        return N_("%(action)s after: '%(text)s' is too long (at most %(max_days)sd)"), exc.params
    try:
        survey_reminder_days(value)
    except BadReminderDays as exc:
        return exc.template, exc.params
    return None


def custom_webhook_event(name: Any) -> str | None:
    """The custom event a `webhook` action sends: `escalated` or `workflow.escalated` →
    "workflow.escalated", nothing → "workflow.action"; None if `name` is not a valid name."""
    if name is None:
        return "workflow.action"
    if not isinstance(name, str):
        return None
    text = name.strip().lower()
    text = text if text.startswith("workflow.") else f"workflow.{text}"
    return text if CUSTOM_EVENT.match(text) else None


def _webhook_param(value: Any) -> ParamProblem | None:
    if custom_webhook_event(value) is None:
        return (
            N_("%(action)s takes an optional event name (letters, digits, _ . -), e.g. escalated"),
            {},
        )
    return None


# name -> parameter check (returns a problem or None)
ACTIONS: dict[str, Callable[[Any], ParamProblem | None]] = {
    "notify_customer": _text_param,  # e-mail template, e.g. status_changed
    "notify_assignee": _text_param,
    "notify_team": _text_param,
    "notify_team_lead": _text_param,
    "notify_watchers": _text_param,
    "schedule_survey": _survey_param,
    "cancel_survey": _no_params,
    "add_label": _text_param,
    "set_priority": _priority_param,
    "raise_priority": _no_params,
    "assign_team": _text_param,  # escalate to another team (slug)
    "send_template": _text_param,
    "webhook": _webhook_param,
}


def raised_priority(priority: str) -> str:
    """The next priority up (urgent stays urgent)."""
    index = PRIORITIES.index(priority) if priority in PRIORITIES else 1
    return PRIORITIES[min(index + 1, len(PRIORITIES) - 1)]
