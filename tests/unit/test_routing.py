"""Routing rules and the assignment strategies."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from workflow.calendars import BusinessCalendar
from workflow.definition import load_definition_or_raise
from workflow.routing import Candidate, pick_assignee, route

DEFAULT = load_definition_or_raise(
    (Path(__file__).resolve().parents[2] / "workflow" / "definitions" / "default.yaml").read_text()
)
MONDAY_NOON = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # 12:00 in Warsaw
NINE_TO_FIVE = BusinessCalendar.from_dict(
    {
        "timezone": "Europe/Warsaw",
        "weekly_hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    }
)
NIGHTS = BusinessCalendar.from_dict(
    {"timezone": "Europe/Warsaw", "weekly_hours": {"mon": [["22:00", "06:00"]]}}
)


def facts(**overrides):
    base = {
        "form": "nps",
        "locale": "en",
        "channel": "web",
        "answers": {},
        "score": {},
        "metadata": {},
    }
    return {**base, **overrides}


def test_first_matching_rule_wins_and_says_why():
    decision = route(DEFAULT, facts(score={"category": "detractor"}, locale="sl"))
    assert decision.rule_index == 0
    assert decision.target.team == "customer-care" and decision.target.priority == "high"
    assert decision.reason == "rule 1 matched: score.category detractor = detractor"


def test_later_rule_and_default():
    assert route(DEFAULT, facts(locale="sl")).target.team == "product-quality"
    assert route(DEFAULT, facts(form="report-problem")).target.labels == ("bug",)
    default = route(DEFAULT, facts(locale="en", score={"category": "promoter"}))
    assert default.rule_index is None
    assert default.reason == "no rule matched: default route"


def agent(user_id, languages=("en",), load=0, capacity=5, hours=None, name=None):
    return Candidate(user_id, name or f"agent {user_id}", tuple(languages), hours, load, capacity)


def test_round_robin_rotates_and_wraps():
    team = [agent(3), agent(5), agent(9)]
    picks, last = [], None
    for _ in range(4):
        pick = pick_assignee("round_robin", team, locale="en", now=MONDAY_NOON, last_user_id=last)
        picks.append(pick.user_id)
        last = pick.user_id
    assert picks == [3, 5, 9, 3]


def test_least_loaded_compares_load_to_capacity():
    team = [
        agent(1, load=4, capacity=10),
        agent(2, load=3, capacity=4),
        agent(3, load=6, capacity=20),
    ]
    pick = pick_assignee("least_loaded", team, locale="en", now=MONDAY_NOON)
    assert pick.user_id == 3
    assert "least loaded (6/20 open)" in pick.reason


def test_language_speakers_are_preferred_then_anyone():
    team = [agent(1, ["en"]), agent(2, ["pl", "en"])]
    assert pick_assignee("least_loaded", team, locale="pl", now=MONDAY_NOON).user_id == 2
    fallback = pick_assignee("least_loaded", team, locale="ru", now=MONDAY_NOON)
    assert fallback.user_id == 1 and "nobody speaks ru" in fallback.reason


def test_working_hours_are_honoured_with_a_fallback():
    team = [agent(1, hours=NIGHTS), agent(2, hours=NINE_TO_FIVE, load=3)]
    assert pick_assignee("least_loaded", team, locale="en", now=MONDAY_NOON).user_id == 2
    midnight = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # nobody's 9-5, but agent 1's night shift
    assert pick_assignee("least_loaded", team, locale="en", now=midnight).user_id == 1
    sunday = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    pick = pick_assignee("least_loaded", team, locale="en", now=sunday)
    assert pick.user_id == 1 and "nobody on duty" in pick.reason


@pytest.mark.parametrize("strategy", ["round_robin", "least_loaded"])
def test_full_team_asks_for_the_overflow_team(strategy):
    team = [agent(1, load=5, capacity=5), agent(2, load=2, capacity=2)]
    pick = pick_assignee(strategy, team, locale="en", now=MONDAY_NOON)
    assert pick.user_id is None and pick.team_full


def test_a_team_all_away_asks_for_the_overflow_team_too():
    now = MONDAY_NOON
    gone = {"away_from": now - timedelta(days=1), "away_until": now + timedelta(days=2)}
    team = [replace(agent(1), **gone), replace(agent(2), **gone)]
    pick = pick_assignee("round_robin", team, locale="en", now=now)
    assert pick.user_id is None and pick.team_full
    assert pick.reason.startswith("everyone in the team is away")


def test_manual_and_empty_team():
    assert pick_assignee("manual", [agent(1)], locale="en", now=MONDAY_NOON).user_id is None
    assert (
        pick_assignee("round_robin", [], locale="en", now=MONDAY_NOON).reason
        == "the team has no active members"
    )
