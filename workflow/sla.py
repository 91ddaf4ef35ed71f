"""SLA policies: which one applies, when each clock is due, and why.

Due times are business time: `created + target` counted over the policy's
calendar only, then pushed back by the business time the clock spent
paused (e.g. waiting on the customer), and by what a calendar change gave or
took (`open_time_gained`), so that a new holiday or new opening hours apply to
the time left without recounting the time already spent.
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


def choose_policy(
    definition: WorkflowDefinition,
    facts: Mapping[str, Any],
    calendars: Mapping[str, BusinessCalendar] | None = None,
) -> PolicyChoice | None:
    """The first policy whose condition holds (a policy without `when` matches everything).

    `calendars`: calendars by id that take the place of the definition's own (a newer
    version's); a policy whose calendar is not among them keeps the definition's.
    """
    for index, policy in enumerate(definition.policies):
        if evaluate(policy.when, facts):
            reason = _reason(policy.when, facts)
            calendar = (calendars or {}).get(policy.calendar) or definition.calendars[
                policy.calendar
            ]
            return PolicyChoice(policy, calendar, reason, index)
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
    """Due and warning instants per metric, pushed back by `paused` business time.

    A negative `paused` brings them forward (a calendar change took open time away that
    the clock had already spent), never before `started_at`.
    """
    result = {}
    calendar, policy = choice.calendar, choice.policy
    for metric in METRICS:
        target: Duration | None = getattr(policy, metric)
        if target is None:
            continue
        due = calendar.add_business_time(started_at, target)
        span = calendar.business_time_between(started_at, due)
        warn_span = span * policy.warn_at
        warn = calendar.add_business_time(started_at, warn_span)
        if paused > timedelta():
            due = calendar.add_business_time(due, paused)
            warn = calendar.add_business_time(warn, paused)
        elif paused < timedelta():
            due = calendar.add_business_time(started_at, max(span + paused, timedelta()))
            warn = calendar.add_business_time(started_at, max(warn_span + paused, timedelta()))
        result[metric] = Deadline(metric, target, due, warn)
    return result


def open_time_gained(
    before: BusinessCalendar, after: BusinessCalendar, started_at: datetime, until: datetime
) -> timedelta:
    """How much more open time `after` counts than `before` between a clock's start and
    `until` (negative: less).

    Pushing the clock's due times back by it keeps the business time the clock had spent
    by `until` as it was counted: a calendar change applies from then on, so a holiday
    added for yesterday gives no time back, and longer hours take none away.
    """
    return after.business_time_between(started_at, until) - before.business_time_between(
        started_at, until
    )


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
