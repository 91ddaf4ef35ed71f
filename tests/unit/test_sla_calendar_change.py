"""A calendar changed while a clock runs: the time already spent stays as it was counted, the
time left runs on the new calendar (`open_time_gained` pushes the due time back or forward)."""

from datetime import UTC, datetime, timedelta

import pytest

from workflow.calendars import BusinessCalendar
from workflow.definition import SlaPolicy
from workflow.durations import parse_duration
from workflow.sla import PolicyChoice, deadlines, open_time_gained

MONDAY = datetime(2026, 11, 30, tzinfo=UTC)  # a Monday without holidays, UTC calendars


def at(hour: int, day: int = 0) -> datetime:
    return MONDAY + timedelta(days=day, hours=hour)


def weekdays(opens: str, closes: str, closed_dates=()) -> BusinessCalendar:
    days = ("mon", "tue", "wed", "thu", "fri")
    return BusinessCalendar(
        "UTC", {day: [(opens, closes)] for day in days}, closed_dates=closed_dates
    )


def policy_on(calendar: BusinessCalendar, target: str = "8h") -> PolicyChoice:
    policy = SlaPolicy("standard", None, "office", parse_duration(target), None, 0.5)
    return PolicyChoice(policy, calendar, "default policy")


def due_after_change(old, new, started, changed_at, target="8h", paused=timedelta()):
    """The first-response due time once the calendar changed from `old` to `new`."""
    shift = open_time_gained(old, new, started, changed_at)
    return deadlines(policy_on(new, target), started, paused + shift)["first_response"]


OFFICE = weekdays("09:00", "17:00")


@pytest.mark.parametrize(
    ("new", "started", "expected_due"),
    [
        # Shorter hours from Monday 13:00: 4 h spent, the 8 h left run Tuesday and Wednesday.
        (weekdays("09:00", "13:00"), at(9), at(13, day=2)),
        # Longer hours: Monday 08-09 was closed when it passed, so it is not counted now;
        # the 8 h left run Monday 13-18 and Tuesday 08-11.
        (weekdays("08:00", "18:00"), at(7), at(11, day=1)),
        # Opening later: Monday 09-10 was worked and stays spent, so the 8 h left end on
        # Tuesday 14:00 (a recount on the new hours would say 15:00).
        (weekdays("10:00", "17:00"), at(9), at(14, day=1)),
        # A holiday on Tuesday: the 4 h left after Monday run on Wednesday.
        (weekdays("09:00", "17:00", closed_dates=["2026-12-01"]), at(9), at(13, day=2)),
    ],
)
def test_the_time_spent_stays_spent_and_the_time_left_follows_the_new_calendar(
    new, started, expected_due
):
    assert due_after_change(OFFICE, new, started, at(13), "12h").due_at == expected_due


def test_the_warning_follows_the_new_calendar_too():
    # 12 h target warned at half (6 h): 4 h spent by Monday 13:00, 2 h more on Tuesday.
    due = due_after_change(OFFICE, weekdays("09:00", "13:00"), at(9), at(13), "12h")
    assert due.warn_at == at(11, day=1)


def test_pauses_stay_as_they_were_counted():
    shorter = weekdays("09:00", "13:00")
    # Started Monday 09:00, paused 2 h: 2 h spent by 13:00, 6 h left from Tuesday 09:00.
    due = due_after_change(OFFICE, shorter, at(9), at(13), paused=timedelta(hours=2))
    assert due.due_at == at(11, day=2)


def test_a_holiday_added_for_a_day_already_worked_gives_no_time_back():
    monday_off = weekdays("09:00", "17:00", closed_dates=["2026-11-30"])
    # Monday was worked in full (8 h of 8): closing it afterwards does not restart the
    # clock. Its due and warning times stay used up, at the first open time after its
    # start, never before it.
    due = due_after_change(OFFICE, monday_off, at(9), at(9, day=1))
    assert due.due_at == due.warn_at == at(9, day=1)


def test_the_same_calendar_gains_nothing():
    assert open_time_gained(OFFICE, weekdays("09:00", "17:00"), at(9), at(9, day=3)) == (
        timedelta()
    )
