"""Routing: which rule sends a ticket where, and which agent picks it up.

`route` is pure rule matching. `pick_assignee` chooses among candidates the
web layer loads (members of the target team with their load, languages and
working hours); it never touches the database itself, so the caller can hold
the team's round-robin pointer locked while it decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workflow.calendars import BusinessCalendar
from workflow.conditions import evaluate, explain
from workflow.definition import RouteTarget, WorkflowDefinition


@dataclass(frozen=True)
class RoutingDecision:
    rule_index: int | None  # None: the default route
    rule_name: str
    target: RouteTarget
    reason: str  # "rule 2 matched: answers.score 3 <= 6 and locale = pl"


@dataclass(frozen=True)
class Candidate:
    user_id: int
    name: str
    languages: tuple[str, ...]
    working_hours: BusinessCalendar | None  # None: no hours set, always on duty
    open_load: int  # tickets in clock-running states assigned to them
    capacity: int


@dataclass(frozen=True)
class Pick:
    user_id: int | None
    reason: str
    team_full: bool = False  # every eligible member is at capacity: try the overflow team


def route(definition: WorkflowDefinition, facts: Mapping[str, Any]) -> RoutingDecision:
    """The first rule whose condition holds, else the default route."""
    for index, rule in enumerate(definition.rules):
        if evaluate(rule.when, facts):
            why = explain(rule.when, facts)
            return RoutingDecision(
                index, rule.name, rule.target, f"rule {index + 1} matched: {why}"
            )
    return RoutingDecision(
        None, "default", definition.default_route, "no rule matched: default route"
    )


def pick_assignee(
    strategy: str,
    candidates: Sequence[Candidate],
    *,
    locale: str | None,
    now: datetime,
    last_user_id: int | None = None,
) -> Pick:
    """Choose an agent by strategy, preferring speakers of `locale` who are on duty."""
    if strategy == "manual":
        return Pick(None, "manual assignment: left for the team to pick up")
    if not candidates:
        return Pick(None, "the team has no active members")
    pool, notes = _eligible(candidates, locale, now)
    with_room = [c for c in pool if c.open_load < c.capacity]
    if not with_room:
        return Pick(None, "every eligible member is at capacity", team_full=True)
    if strategy == "least_loaded":
        best = min(
            with_room, key=lambda c: (c.open_load / max(c.capacity, 1), c.open_load, c.user_id)
        )
        why = f"least loaded ({best.open_load}/{best.capacity} open)"
    else:
        ordered = sorted(with_room, key=lambda c: c.user_id)
        after = [c for c in ordered if last_user_id is not None and c.user_id > last_user_id]
        best = (after or ordered)[0]
        why = "next in round-robin order"
    return Pick(best.user_id, f"{best.name}: {why}; " + ", ".join(notes))


def _eligible(
    candidates: Sequence[Candidate], locale: str | None, now: datetime
) -> tuple[list[Candidate], list[str]]:
    pool, notes = list(candidates), []
    if locale:
        speakers = [c for c in pool if locale in c.languages]
        if speakers:
            pool = speakers
            notes.append(f"speaks {locale}")
        else:
            notes.append(f"nobody speaks {locale}, any member")
    on_duty = [c for c in pool if c.working_hours is None or c.working_hours.is_open(now)]
    if on_duty:
        pool = on_duty
        notes.append("on duty now")
    else:
        notes.append("nobody on duty, any member")
    return pool, notes
