"""SLA policies: which one applies, when each clock is due, and why.

Due times are business time: `created + target` counted over the policy's
calendar only, then pushed back by the business time the clock spent
paused (e.g. waiting on the customer).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from workflow.calendars import BusinessCalendar
from workflow.conditions import evaluate, explain
from workflow.definition import SlaPolicy, WorkflowDefinition
from workflow.durations import Duration

METRICS = ("first_response", "resolution")


@dataclass(frozen=True)
class PolicyChoice:
    policy: SlaPolicy
    calendar: BusinessCalendar
    reason: str  # e.g. "priority = high" or "default policy"; English, for the CLI and logs
    index: int | None = None  # the policy's place in `definition.policies`, from 0

    @property
    def is_default(self) -> bool:
        """Whether the policy has no condition: it takes every ticket no earlier policy fits."""
        return self.policy.when is None


@dataclass(frozen=True)
class Deadline:
    metric: str
    target: Duration
    due_at: datetime
    warn_at: datetime


def choose_policy(definition: WorkflowDefinition, facts: Mapping[str, Any]) -> PolicyChoice | None:
    """The first policy whose condition holds (a policy without `when` matches everything)."""
    for index, policy in enumerate(definition.policies):
        if evaluate(policy.when, facts):
            reason = _reason(policy.when, facts)
            return PolicyChoice(policy, definition.calendars[policy.calendar], reason, index)
    return None


def _reason(condition: Mapping | None, facts: Mapping[str, Any]) -> str:
    if condition is None:
        return "default policy"
    # explain() shows the actual value too; for the simple `field = value` case keep it short.
    if "field" in condition and condition.get("op") == "=":
        return f"{condition['field']} = {condition['value']}"
    return explain(condition, facts)


def deadlines(
    choice: PolicyChoice, started_at: datetime, paused: timedelta = timedelta()
) -> dict[str, Deadline]:
    """Due and warning instants per metric, pushed back by `paused` business time."""
    result = {}
    calendar, policy = choice.calendar, choice.policy
    for metric in METRICS:
        target: Duration | None = getattr(policy, metric)
        if target is None:
            continue
        unpaused_due = calendar.add_business_time(started_at, target)
        span = calendar.business_time_between(started_at, unpaused_due)
        warn = calendar.add_business_time(started_at, span * policy.warn_at)
        if paused > timedelta():
            unpaused_due = calendar.add_business_time(unpaused_due, paused)
            warn = calendar.add_business_time(warn, paused)
        result[metric] = Deadline(metric, target, unpaused_due, warn)
    return result


def describe_target(target: Duration) -> str:
    """'4 business hours', '3 business days', '1h30m of business time'."""
    if target.days and not target.minutes:
        return f"{target.days} business day{'s' if target.days != 1 else ''}"
    if not target.days and target.minutes % 60 == 0:
        hours = target.minutes // 60
        return f"{hours} business hour{'s' if hours != 1 else ''}"
    if not target.days and target.minutes < 60:
        return f"{target.minutes} business minutes"
    return f"{target} of business time"


def describe_pause(paused: timedelta) -> str:
    minutes = int(paused.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return (
        f"{hours} h {minutes} min"
        if hours and minutes
        else (f"{hours} h" if hours else f"{minutes} min")
    )


def explain_deadline(
    choice: PolicyChoice, deadline: Deadline, paused: timedelta = timedelta()
) -> str:
    """Why a due time is what it is, in one English line (the CLI prints it).

    e.g. "first response due Mon 1 Dec 11:30 +01:00 — policy 'high' (priority = high),
    2 business hours, Europe/Warsaw, Mon–Fri 08:00–18:00, paused 1 h waiting on customer"
    """
    local = deadline.due_at.astimezone(ZoneInfo(choice.calendar.timezone))
    parts = [
        f"policy '{choice.policy.name}' ({choice.reason})",
        describe_target(deadline.target),
        choice.calendar.describe(),
    ]
    if paused > timedelta():
        parts.append(f"paused {describe_pause(paused)} waiting on customer")
    when = local.strftime("%a %-d %b %H:%M %z")
    return f"{deadline.metric.replace('_', ' ')} due {when} — " + ", ".join(parts)
