"""Which SLA policy applies, when clocks are due (with pauses) and how that is explained."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from workflow.definition import load_definition_or_raise
from workflow.sla import choose_policy, deadlines, explain_deadline

DEFAULT = load_definition_or_raise(
    (Path(__file__).resolve().parents[2] / "workflow" / "definitions" / "default.yaml").read_text()
)
# Friday 27 Nov 2026, 16:30 in Warsaw (15:30 UTC); the office closes at 16:00 on Fridays.
FRIDAY_AFTERNOON = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
MONDAY_10 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 10:00 in Warsaw


def test_policy_chosen_by_priority_then_team_then_default():
    assert choose_policy(DEFAULT, {"priority": "urgent"}).policy.name == "urgent"
    high = choose_policy(DEFAULT, {"priority": "high", "team": "product-quality"})
    assert high.policy.name == "high" and high.reason == "priority = high"
    assert (
        choose_policy(DEFAULT, {"priority": "normal", "team": "product-quality"}).policy.name
        == "product quality"
    )
    standard = choose_policy(DEFAULT, {"priority": "normal"})
    assert standard.policy.name == "standard" and standard.reason == "default policy"
    # Pages ask the flag, never the English reason, whether the default policy applied.
    assert standard.is_default and not high.is_default


def test_due_times_count_business_hours_only():
    high = choose_policy(DEFAULT, {"priority": "high"})
    due = deadlines(high, FRIDAY_AFTERNOON)
    # Created after closing on Friday: 2 business hours from Monday 08:00 Warsaw.
    assert due["first_response"].due_at == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    # warn at 75% of 2h = 1h30m → Monday 09:30 Warsaw.
    assert due["first_response"].warn_at == datetime(2026, 11, 30, 8, 30, tzinfo=UTC)


def test_pause_pushes_the_due_time_back_by_the_paused_business_time():
    high = choose_policy(DEFAULT, {"priority": "high"})
    plain = deadlines(high, MONDAY_10)["first_response"].due_at
    paused = deadlines(high, MONDAY_10, timedelta(hours=1))["first_response"].due_at
    assert plain == datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
    assert paused - plain == timedelta(hours=1)


def test_urgent_runs_around_the_clock():
    urgent = choose_policy(DEFAULT, {"priority": "urgent"})
    saturday = datetime(2026, 11, 28, 23, 0, tzinfo=UTC)
    assert deadlines(urgent, saturday)["first_response"].due_at == saturday + timedelta(minutes=30)


def test_explanation_says_policy_target_calendar_and_pause():
    high = choose_policy(DEFAULT, {"priority": "high"})
    deadline = deadlines(high, MONDAY_10, timedelta(hours=1))["first_response"]
    text = explain_deadline(high, deadline, timedelta(hours=1))
    assert text.startswith(
        "first response due Mon 30 Nov 13:00 +0100 — policy 'high' (priority = high)"
    )
    assert "2 business hours" in text and "Europe/Warsaw" in text
    assert text.endswith("paused 1 h waiting on customer")
