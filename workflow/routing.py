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
from zoneinfo import ZoneInfo

from workflow.calendars import WEEKDAY_NAMES, BusinessCalendar
from workflow.conditions import evaluate, explain
from workflow.definition import RouteTarget, WorkflowDefinition

# Why an agent was (not) picked, as codes with values: the web layer words them in the
# reader's language (webapp/tickets/routing_reasons.py); `Pick.reason` is the English.
Note = tuple[str, dict[str, Any]]
_ENGLISH = {
    "manual": "manual assignment: left for the team to pick up",
    "no_members": "the team has no active members",
    "at_capacity": "every eligible member is at capacity",
    "least_loaded": "{name}: least loaded ({open}/{capacity} open)",
    "round_robin": "{name}: next in round-robin order",
    "speaks": "speaks {locale}",
    "nobody_speaks": "nobody speaks {locale}, any member",
    "on_duty": "on duty now",
    "nobody_on_duty": "nobody on duty, any member",
    "overflow": "overflow to {team}",
    "away": "{name} away until {until}",
    "everyone_away": "everyone in the team is away",
    "holiday": "{name} off for a public holiday ({holiday})",
}


def join_notes(notes: Sequence[Note], words: Sequence[str]) -> str:
    """Worded notes joined as 'overflow to b: the choice; eligibility, eligibility'."""
    prefix = ""
    if notes and notes[0][0] == "overflow":
        prefix, words = words[0] + ": ", words[1:]
    if not words:
        return prefix.rstrip(": ")
    return prefix + words[0] + ("; " + ", ".join(words[1:]) if len(words) > 1 else "")


def in_english(notes: Sequence[Note]) -> str:
    """'overflow to b: Ann: least loaded (1/5 open); speaks pl, on duty now'."""
    return join_notes(notes, [_ENGLISH[code].format(**values) for code, values in notes])


@dataclass(frozen=True)
class RoutingDecision:
    rule_index: int | None  # None: the default route
    rule_name: str
    target: RouteTarget
    reason: str  # "rule 2 matched: answers.score 3 <= 6 and locale = pl"
    matched: str | None = None  # the rule's condition with the facts ("answers.score 3 <= 6")
    when: Mapping | None = None  # the matched rule's condition, for wording it in a language


@dataclass(frozen=True)
class Candidate:
    user_id: int
    name: str
    languages: tuple[str, ...]
    working_hours: BusinessCalendar | None  # None: no hours set, always on duty
    open_load: int  # tickets in clock-running states assigned to them
    capacity: int
    away_from: datetime | None = None  # away (holiday, sick leave) from this instant ...
    away_until: datetime | None = None  # ... to this one: never picked in between
    away_last_day: str | None = None  # ISO date, their last day away, for the notes

    def is_away(self, now: datetime) -> bool:
        return (
            self.away_from is not None
            and self.away_until is not None
            and self.away_from <= now < self.away_until
        )


@dataclass(frozen=True)
class Pick:
    user_id: int | None
    notes: tuple[Note, ...]  # the choice first, then who was eligible and why
    # Nobody in the team can take it (every eligible member at capacity, or everyone away):
    # try the overflow team.
    team_full: bool = False

    @property
    def reason(self) -> str:
        return in_english(self.notes)

    def overflowed_to(self, team: str) -> Pick:
        """The same pick, made in the overflow team `team` because the first one was full."""
        return Pick(self.user_id, (("overflow", {"team": team}), *self.notes), self.team_full)


def route(definition: WorkflowDefinition, facts: Mapping[str, Any]) -> RoutingDecision:
    """The first rule whose condition holds, else the default route."""
    for index, rule in enumerate(definition.rules):
        if evaluate(rule.when, facts):
            why = explain(rule.when, facts)
            return RoutingDecision(
                index, rule.name, rule.target, f"rule {index + 1} matched: {why}", why, rule.when
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
        return Pick(None, (("manual", {}),))
    if not candidates:
        return Pick(None, (("no_members", {}),))
    away: list[Note] = [
        ("away", {"name": c.name, "until": c.away_last_day or ""})
        for c in candidates
        if c.is_away(now)
    ]
    present = [c for c in candidates if not c.is_away(now)]
    if not present:  # nobody is taken on while away, not even as the last resort
        return Pick(None, (("everyone_away", {}), *away), team_full=True)
    pool, notes = _eligible(present, locale, now)
    notes = [*away, *_off_for_holidays(present, now), *notes]
    with_room = [c for c in pool if c.open_load < c.capacity]
    if not with_room:
        return Pick(None, (("at_capacity", {}), *away), team_full=True)
    if strategy == "least_loaded":
        best = min(
            with_room, key=lambda c: (c.open_load / max(c.capacity, 1), c.open_load, c.user_id)
        )
        why: Note = (
            "least_loaded",
            {"name": best.name, "open": best.open_load, "capacity": best.capacity},
        )
    else:
        ordered = sorted(with_room, key=lambda c: c.user_id)
        after = [c for c in ordered if last_user_id is not None and c.user_id > last_user_id]
        best = (after or ordered)[0]
        why = ("round_robin", {"name": best.name})
    return Pick(best.user_id, (why, *notes))


def _off_for_holidays(candidates: Sequence[Candidate], now: datetime) -> list[Note]:
    """Who is off duty because today is a public holiday where they work (the web layer
    names the holiday in the reader's language from the country, region and day)."""
    notes: list[Note] = []
    for c in candidates:
        calendar = c.working_hours
        if calendar is None or calendar.is_open(now):
            continue
        holiday = calendar.public_holiday(now)
        day = now.astimezone(ZoneInfo(calendar.timezone)).date()
        if holiday is None or WEEKDAY_NAMES[day.weekday()] not in calendar.weekly_hours:
            continue  # a holiday on their day off changes nothing
        values = {
            "name": c.name,
            "holiday": holiday,
            "country": calendar.holiday_country,
            "region": calendar.holiday_subdivision,
            "day": day.isoformat(),
        }
        notes.append(("holiday", values))
    return notes


def _eligible(
    candidates: Sequence[Candidate], locale: str | None, now: datetime
) -> tuple[list[Candidate], list[Note]]:
    pool, notes = list(candidates), []
    if locale:
        speakers = [c for c in pool if locale in c.languages]
        if speakers:
            pool = speakers
            notes.append(("speaks", {"locale": locale}))
        else:
            notes.append(("nobody_speaks", {"locale": locale}))
    on_duty = [c for c in pool if c.working_hours is None or c.working_hours.is_open(now)]
    if on_duty:
        pool = on_duty
        notes.append(("on_duty", {}))
    else:
        notes.append(("nobody_on_duty", {}))
    return pool, notes
