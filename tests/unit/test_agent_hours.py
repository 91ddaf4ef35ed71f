"""An agent's night shift, as routing reads it: on duty from the evening into the next morning.

The hours are stored as the working-hours form saves them ({"fri": [["22:00", "06:00"]]})
and read through `working_hours_calendar`, the same path routing and staff notices take.
Real dates in Warsaw, including the night the clocks go back.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from webapp.models import User
from webapp.services.assignment import working_hours_calendar
from workflow.routing import Candidate, pick_assignee


def _agent(hours: dict) -> User:
    return User(name="Nina", timezone="Europe/Warsaw", working_hours=hours)  # never saved


@pytest.mark.parametrize(
    ("at", "on_duty"),
    [
        (datetime(2026, 12, 4, 20, 59, tzinfo=UTC), False),  # Friday 21:59 in Warsaw
        (datetime(2026, 12, 4, 21, 0, tzinfo=UTC), True),  # Friday 22:00: the shift starts
        (datetime(2026, 12, 4, 23, 30, tzinfo=UTC), True),  # Saturday 00:30
        (datetime(2026, 12, 5, 4, 59, tzinfo=UTC), True),  # Saturday 05:59
        (datetime(2026, 12, 5, 5, 0, tzinfo=UTC), False),  # Saturday 06:00: it is over
        (datetime(2026, 12, 5, 23, 30, tzinfo=UTC), False),  # Sunday 00:30: no Saturday shift
        (datetime(2026, 12, 3, 23, 30, tzinfo=UTC), False),  # Friday 00:30: Thursday is off
    ],
)
def test_a_friday_night_shift_runs_into_saturday(at, on_duty):
    calendar = working_hours_calendar(_agent({"fri": [["22:00", "06:00"]]}))
    assert calendar is not None and calendar.is_open(at) is on_duty


def test_the_night_the_clocks_go_back_is_nine_hours_long():
    """Saturday 24 October 2026 22:00 CEST to Sunday 06:00 CET."""
    calendar = working_hours_calendar(_agent({"sat": [["22:00", "06:00"]]}))
    start = datetime(2026, 10, 24, 20, tzinfo=UTC)
    end = datetime(2026, 10, 25, 5, tzinfo=UTC)
    assert calendar.is_open(datetime(2026, 10, 25, 4, 30, tzinfo=UTC))  # 05:30 CET
    assert not calendar.is_open(end)
    assert calendar.business_time_between(start, end).total_seconds() == 9 * 3600


def test_routing_picks_the_night_agent_after_midnight_and_nobody_after_the_shift():
    night = Candidate(
        1, "Nina", ("pl",), working_hours_calendar(_agent({"fri": [["22:00", "06:00"]]})), 3, 10
    )
    day = Candidate(
        2, "Dan", ("pl",), working_hours_calendar(_agent({"fri": [["09:00", "17:00"]]})), 0, 10
    )
    after_midnight = datetime(2026, 12, 5, 1, tzinfo=UTC)  # Saturday 02:00 in Warsaw
    pick = pick_assignee("least_loaded", [night, day], locale="pl", now=after_midnight)
    assert pick.user_id == 1 and ("on_duty", {}) in pick.notes  # Dan is less loaded but off
    morning = datetime(2026, 12, 5, 7, tzinfo=UTC)  # Saturday 08:00
    pick = pick_assignee("least_loaded", [night, day], locale="pl", now=morning)
    assert ("nobody_on_duty", {}) in pick.notes
