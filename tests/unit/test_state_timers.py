"""State timers in a workflow definition: what the loader accepts and refuses (with paths),
and when a ticket's timers are due."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from workflow.definition import ActionRef, StateTimer, load_definition, parse_definition
from workflow.durations import Duration
from workflow.engine import CompiledWorkflow, TransitionRefused
from workflow.timers import due_timers, timer_due_at, timers_since

DEFAULT_TEXT = (
    Path(__file__).resolve().parents[2] / "workflow" / "definitions" / "default.yaml"
).read_text(encoding="utf-8")
DEFAULT = yaml.safe_load(DEFAULT_TEXT)
DAY = timedelta(days=1)
ENTERED = datetime(2026, 12, 4, 16, 30, tzinfo=UTC)  # a Friday afternoon


def with_timers(state: str, timers) -> dict:
    data = copy.deepcopy(DEFAULT)
    data["states"][state]["timers"] = timers
    return data


def problems_of(data) -> list[str]:
    definition, problems = parse_definition(data)
    assert definition is None
    return [str(p) for p in problems]


def test_the_default_workflow_reminds_resolves_and_closes_by_itself():
    definition = load_definition(DEFAULT_TEXT).definition
    waiting = definition.states["waiting_on_customer"].timers
    assert waiting == (
        StateTimer(Duration(days=3), (ActionRef("notify_customer", "still_waiting"),), None),
        StateTimer(Duration(days=7), (), "resolve"),
    )
    assert definition.states["resolved"].timers == (StateTimer(Duration(days=7), (), "close"),)
    # Loopdesk (the role `system`) may fire both; agents still may not resolve another's ticket.
    machine = CompiledWorkflow(definition)
    assert machine.fire("waiting_on_customer", "resolve", {"system"}, {}).dest == "resolved"
    assert machine.fire("resolved", "close", {"system"}, {}).dest == "closed"
    with pytest.raises(TransitionRefused) as refused:
        machine.fire("in_progress", "resolve", {"agent"}, {})
    assert str(refused.value) == "only admin or assignee may do this"  # nobody can be system


@pytest.mark.parametrize(
    ("timers", "expected"),
    [
        ("3d", ["states.resolved.timers: must be a list of timers (after, do, trigger)"]),
        (["3d"], ["states.resolved.timers[0]: a timer is a mapping with after and do or trigger"]),
        (
            [{"trigger": "close"}],
            [
                "states.resolved.timers[0].after: missing: how long after entering the state "
                "(e.g. 3d)"
            ],
        ),
        (
            [{"after": "7 days", "trigger": "close"}],
            ["states.resolved.timers[0].after: '7 days' is not a duration (use 30m, 4h, 2d)"],
        ),
        (
            [{"after": "0m", "trigger": "close"}],
            ["states.resolved.timers[0].after: must be longer than no time (e.g. 30m, 3d)"],
        ),
        (
            [{"after": "7d"}],
            ["states.resolved.timers[0]: needs do: [actions] or trigger: <transition> (or both)"],
        ),
        (
            [{"after": "7d", "trigger": "close", "when": "later"}],
            ["states.resolved.timers[0].when: unknown key (expected one of after, do, trigger)"],
        ),
        (
            [{"after": "7d", "trigger": "archive"}],
            ["states.resolved.timers[0].trigger: unknown transition 'archive'"],
        ),
        (
            [{"after": "7d", "trigger": "start"}],
            [
                "states.resolved.timers[0].trigger: 'start' does not leave 'resolved' "
                "(see its source)"
            ],
        ),
        (
            [{"after": "7d", "trigger": "reopen"}],
            [
                "states.resolved.timers[0].trigger: 'reopen' must allow the role system: "
                "timers fire as system"
            ],
        ),
        (
            [{"after": "2d", "do": ["page_the_boss"]}],
            ["states.resolved.timers[0].do[0]: unknown action 'page_the_boss' (known: "],
        ),
        (
            [{"after": "7d", "trigger": "close"}, {"after": "168h", "do": ["raise_priority"]}],
            ["states.resolved.timers[1].after: must be later than the timer before it (7d)"],
        ),
    ],
)
def test_a_bad_timer_is_reported_at_its_path(timers, expected):
    problems = problems_of(with_timers("resolved", timers))
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(start)


def test_a_timer_after_a_bad_one_keeps_its_own_index():
    timers = [{"after": "soon", "trigger": "close"}, {"after": "9d", "trigger": "reopen"}]
    assert problems_of(with_timers("resolved", timers)) == [
        "states.resolved.timers[0].after: 'soon' is not a duration (use 30m, 4h, 2d)",
        "states.resolved.timers[1].trigger: 'reopen' must allow the role system: "
        "timers fire as system",
    ]


def test_problems_carry_line_numbers_from_the_yaml():
    text = DEFAULT_TEXT.replace("{after: 7d, trigger: close}", "{after: 7d, trigger: reopen}")
    [problem] = load_definition(text).problems
    assert problem.path == "states.resolved.timers[0].trigger"
    assert (
        problem.line == DEFAULT_TEXT.splitlines().index("      - {after: 7d, trigger: close}") + 1
    )


def test_a_final_state_may_run_actions_on_a_timer():
    data = with_timers("closed", [{"after": "30d", "do": [{"add_label": "archived"}]}])
    definition, problems = parse_definition(data)
    assert problems == []
    assert definition.states["closed"].timers[0].do == (ActionRef("add_label", "archived"),)


WAITING = (
    StateTimer(Duration(days=3), (ActionRef("notify_customer", "still_waiting"),)),
    StateTimer(Duration(days=7), (), "resolve"),
)


def test_days_are_wall_clock_days_whatever_the_weekend():
    assert timer_due_at(WAITING, ENTERED, 0) == ENTERED + 3 * DAY  # Monday, same time
    assert timer_due_at(WAITING, ENTERED, 1) == ENTERED + 7 * DAY
    assert timer_due_at(WAITING, ENTERED, 2) is None  # all fired
    assert timer_due_at((), ENTERED, 0) is None  # a state without timers
    hours = (StateTimer(Duration(minutes=90), (), "close"),)
    assert timer_due_at(hours, ENTERED, 0) == ENTERED + timedelta(minutes=90)


def test_each_timer_counts_from_the_same_start():
    """Firing the reminder late does not push the resolution back."""
    due = timer_due_at(WAITING, ENTERED, 0)
    assert timers_since(WAITING, due, 0) == ENTERED
    assert timer_due_at(WAITING, timers_since(WAITING, due, 0), 1) == ENTERED + 7 * DAY


def test_due_timers_are_those_reached_and_not_fired():
    assert due_timers(WAITING, ENTERED, 0, ENTERED + 3 * DAY - timedelta(seconds=1)) == []
    assert due_timers(WAITING, ENTERED, 0, ENTERED + 3 * DAY) == [0]
    assert due_timers(WAITING, ENTERED, 0, ENTERED + 8 * DAY) == [0, 1]
    assert due_timers(WAITING, ENTERED, 1, ENTERED + 8 * DAY) == [1]
    assert due_timers(WAITING, ENTERED, 2, ENTERED + 8 * DAY) == []
