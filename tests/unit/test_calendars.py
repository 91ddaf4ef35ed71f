from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.calendars import (
    ALWAYS_OPEN,
    WEEKDAY_NAMES,
    BusinessCalendar,
    CalendarError,
    calendar_problems,
    overnight_notes,
)
from workflow.durations import Duration, parse_duration

WARSAW = ZoneInfo("Europe/Warsaw")
NEW_YORK = ZoneInfo("America/New_York")
WORKDAYS = WEEKDAY_NAMES[:5]


def weekdays(*intervals, days=WORKDAYS):
    return {day_name: list(intervals) for day_name in days}


OFFICE = BusinessCalendar(
    timezone="Europe/Warsaw",
    weekly_hours=weekdays(("09:00", "17:00")),
    holiday_country="PL",
)
SPLIT_SHIFT = BusinessCalendar(
    timezone="Europe/Warsaw",
    weekly_hours={**weekdays(("09:00", "12:00"), ("13:00", "17:00")), "sat": [("10:00", "14:00")]},
)
NIGHT_SHIFT = BusinessCalendar(
    timezone="Europe/Warsaw",
    weekly_hours=weekdays(("22:00", "06:00")),
    closed_dates=[date(2026, 6, 10)],
)
WARSAW_ROUND_THE_CLOCK = BusinessCalendar(
    timezone="Europe/Warsaw", weekly_hours=weekdays(("00:00", "24:00"), days=WEEKDAY_NAMES)
)
NEW_YORK_ROUND_THE_CLOCK = BusinessCalendar(
    timezone="America/New_York", weekly_hours=weekdays(("00:00", "24:00"), days=WEEKDAY_NAMES)
)
NEW_YORK_EARLY_BIRDS = BusinessCalendar(  # boundaries inside DST gaps and repeated hours
    timezone="America/New_York",
    weekly_hours=weekdays(
        ("01:30", "02:30"), ("02:45", "07:00"), ("21:00", "00:30"), days=WEEKDAY_NAMES
    ),
    holiday_country="US",
)


# Local wall times as UTC instants: Python never finds an aware datetime inside a DST fold
# or gap equal to one in another zone, so comparisons with results must be made in UTC.
def warsaw(*fields, fold=0):
    return datetime(*fields, tzinfo=WARSAW, fold=fold).astimezone(UTC)


def new_york(*fields, fold=0):
    return datetime(*fields, tzinfo=NEW_YORK, fold=fold).astimezone(UTC)


def hours(count):
    return timedelta(hours=count)


# --- concrete cases ------------------------------------------------------------------------


def test_friday_afternoon_plus_one_hour_is_monday_morning():
    due = OFFICE.add_business_time(warsaw(2026, 11, 6, 16, 30), parse_duration("1h"))
    assert due == warsaw(2026, 11, 9, 9, 30)
    assert due.tzinfo is UTC


def test_results_are_utc_whatever_the_input_zone():
    start = warsaw(2026, 5, 5, 10).astimezone(NEW_YORK)
    assert OFFICE.add_business_time(start, hours(1)) == datetime(2026, 5, 5, 9, tzinfo=UTC)
    assert OFFICE.next_open(start).tzinfo is UTC


def test_lunch_break_is_skipped_and_closing_time_is_returned_exactly():
    assert SPLIT_SHIFT.add_business_time(warsaw(2026, 5, 4, 11, 30), hours(1)) == warsaw(
        2026, 5, 4, 13, 30
    )
    assert SPLIT_SHIFT.add_business_time(warsaw(2026, 5, 4, 11), hours(1)) == warsaw(2026, 5, 4, 12)
    assert not SPLIT_SHIFT.is_open(warsaw(2026, 5, 4, 12))
    assert SPLIT_SHIFT.is_open(warsaw(2026, 5, 4, 13))
    assert SPLIT_SHIFT.next_open(warsaw(2026, 5, 4, 12, 15)) == warsaw(2026, 5, 4, 13)
    assert SPLIT_SHIFT.business_time_between(warsaw(2026, 5, 4), warsaw(2026, 5, 5)) == hours(7)


def test_saturday_hours_of_a_split_shift_calendar():
    friday_afternoon = warsaw(2026, 5, 8, 16)
    assert SPLIT_SHIFT.add_business_time(friday_afternoon, hours(2)) == warsaw(2026, 5, 9, 11)


def test_polish_public_holiday_is_skipped():
    assert not OFFICE.is_open(warsaw(2026, 11, 11, 10))  # Independence Day, a Wednesday
    due = OFFICE.add_business_time(warsaw(2026, 11, 10, 16), hours(2))
    assert due == warsaw(2026, 11, 12, 10)
    assert OFFICE.add_business_time(warsaw(2026, 11, 10, 10), Duration(days=1)) == warsaw(
        2026, 11, 12, 10
    )


def test_extra_closed_date_is_closed_all_day():
    calendar = BusinessCalendar.from_dict(
        {
            "timezone": "Europe/Warsaw",
            "weekly_hours": {day: [["09:00", "17:00"]] for day in WORKDAYS},
            "closed_dates": ["2026-06-10", date(2026, 6, 12)],
        }
    )
    assert not calendar.is_open(warsaw(2026, 6, 10, 12))
    assert calendar.add_business_time(warsaw(2026, 6, 9, 16), hours(2)) == warsaw(2026, 6, 11, 10)
    assert calendar.add_business_time(warsaw(2026, 6, 11, 16), hours(2)) == warsaw(2026, 6, 15, 10)


def test_night_shift_spans_midnight():
    assert NIGHT_SHIFT.is_open(warsaw(2026, 5, 5, 3))  # Monday's shift, Tuesday morning
    assert NIGHT_SHIFT.is_open(warsaw(2026, 5, 9, 5, 59))  # Friday's shift, Saturday morning
    assert not NIGHT_SHIFT.is_open(warsaw(2026, 5, 4, 3))  # nothing started on Sunday
    assert not NIGHT_SHIFT.is_open(warsaw(2026, 5, 5, 12))
    saturday_morning = warsaw(2026, 5, 9, 5)
    assert NIGHT_SHIFT.add_business_time(saturday_morning, hours(2)) == warsaw(2026, 5, 11, 23)
    assert NIGHT_SHIFT.business_time_between(warsaw(2026, 5, 4), warsaw(2026, 5, 11)) == hours(40)


def test_closed_date_closes_its_local_day_even_inside_a_night_shift():
    # 2026-06-10 (Wednesday) is closed: Tuesday's shift stops at midnight, Wednesday's
    # shift starts at midnight on Thursday.
    assert NIGHT_SHIFT.is_open(warsaw(2026, 6, 9, 23, 59))
    assert not NIGHT_SHIFT.is_open(warsaw(2026, 6, 10, 1))
    assert not NIGHT_SHIFT.is_open(warsaw(2026, 6, 10, 23))
    assert NIGHT_SHIFT.next_open(warsaw(2026, 6, 10, 1)) == warsaw(2026, 6, 11)
    assert NIGHT_SHIFT.add_business_time(warsaw(2026, 6, 9, 23), hours(1)) == warsaw(2026, 6, 10)
    assert NIGHT_SHIFT.add_business_time(warsaw(2026, 6, 9, 23), hours(2)) == warsaw(2026, 6, 11, 1)


def test_three_business_days_from_wednesday_is_monday_same_time():
    due = OFFICE.add_business_time(warsaw(2026, 5, 13, 10), parse_duration("3d"))
    assert due == warsaw(2026, 5, 18, 10)


def test_business_days_from_closed_time_count_from_the_previous_closing():
    assert OFFICE.add_business_time(warsaw(2026, 5, 13, 18), Duration(days=1)) == warsaw(
        2026, 5, 14, 17
    )
    assert OFFICE.add_business_time(warsaw(2026, 5, 13, 7), Duration(days=1)) == warsaw(
        2026, 5, 13, 17
    )
    assert OFFICE.add_business_time(warsaw(2026, 5, 16, 12), Duration(days=1)) == warsaw(
        2026, 5, 18, 17
    )
    assert OFFICE.add_business_time(warsaw(2026, 5, 16, 12), Duration(days=1, minutes=30)) == (
        warsaw(2026, 5, 19, 9, 30)
    )


def test_business_days_clamp_to_a_shorter_day():
    calendar = BusinessCalendar(
        "Europe/Warsaw", {**weekdays(("09:00", "17:00")), "fri": [("09:00", "13:00")]}
    )
    assert calendar.add_business_time(warsaw(2026, 5, 14, 15), Duration(days=1)) == warsaw(
        2026, 5, 15, 13
    )
    assert calendar.add_business_time(warsaw(2026, 5, 14, 15), Duration(days=2)) == warsaw(
        2026, 5, 18, 15
    )


def test_zero_duration_is_the_next_opening():
    assert OFFICE.add_business_time(warsaw(2026, 5, 16, 12), Duration()) == warsaw(2026, 5, 18, 9)
    assert OFFICE.add_business_time(warsaw(2026, 5, 18, 12), timedelta(0)) == warsaw(
        2026, 5, 18, 12
    )
    assert OFFICE.add_business_time(warsaw(2026, 5, 18, 17), Duration()) == warsaw(2026, 5, 19, 9)


def test_business_time_between_across_a_weekend():
    assert OFFICE.business_time_between(warsaw(2026, 5, 15, 16), warsaw(2026, 5, 18, 10)) == hours(
        2
    )
    assert OFFICE.business_time_between(warsaw(2026, 5, 18, 10), warsaw(2026, 5, 15, 16)) == hours(
        0
    )
    assert OFFICE.business_time_between(warsaw(2026, 5, 16), warsaw(2026, 5, 17)) == hours(0)


def test_naive_datetimes_and_bad_durations_are_refused():
    naive = datetime(2026, 5, 18, 10)
    for call in (
        lambda: OFFICE.is_open(naive),
        lambda: OFFICE.next_open(naive),
        lambda: OFFICE.add_business_time(naive, hours(1)),
        lambda: OFFICE.business_time_between(naive, warsaw(2026, 5, 19)),
    ):
        with pytest.raises(ValueError, match="timezone-aware"):
            call()
    with pytest.raises(ValueError, match="negative"):
        OFFICE.add_business_time(warsaw(2026, 5, 18, 10), hours(-1))
    with pytest.raises(TypeError):
        OFFICE.add_business_time(warsaw(2026, 5, 18, 10), 60)  # type: ignore[arg-type]


def test_a_calendar_that_never_opens_raises_instead_of_looping():
    mondays = [date(2026, 1, 5) + timedelta(weeks=week) for week in range(600)]
    calendar = BusinessCalendar("UTC", {"mon": [("09:00", "17:00")]}, closed_dates=mondays)
    with pytest.raises(ValueError, match="no open"):
        calendar.next_open(datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="no open"):
        calendar.add_business_time(datetime(2026, 1, 1, tzinfo=UTC), Duration(days=1))


def test_always_open_is_utc_round_the_clock():
    start = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    assert ALWAYS_OPEN.is_open(start)
    assert ALWAYS_OPEN.add_business_time(start, Duration(days=2, minutes=90)) == datetime(
        2026, 3, 31, 1, tzinfo=UTC
    )
    assert ALWAYS_OPEN.business_time_between(start, start + hours(50)) == hours(50)
    assert ALWAYS_OPEN.describe() == "Always open: UTC, 24/7"


# --- daylight saving time ------------------------------------------------------------------


def test_warsaw_spring_forward_day_has_23_open_hours():
    calendar = WARSAW_ROUND_THE_CLOCK
    assert calendar.business_time_between(warsaw(2026, 3, 29), warsaw(2026, 3, 30)) == hours(23)
    assert calendar.add_business_time(warsaw(2026, 3, 29, 1, 30), hours(1)) == warsaw(
        2026, 3, 29, 3, 30
    )
    # A business day keeps the open time since midnight: 10h into Sunday is 11:00 CEST.
    assert calendar.add_business_time(warsaw(2026, 3, 28, 10), Duration(days=1)) == warsaw(
        2026, 3, 29, 11
    )


def test_warsaw_fall_back_day_has_25_open_hours():
    calendar = WARSAW_ROUND_THE_CLOCK
    assert calendar.business_time_between(warsaw(2026, 10, 25), warsaw(2026, 10, 26)) == hours(25)
    assert calendar.add_business_time(warsaw(2026, 10, 25, 2, 30), hours(1)) == warsaw(
        2026, 10, 25, 2, 30, fold=1
    )
    assert calendar.add_business_time(warsaw(2026, 10, 24, 10), Duration(days=1)) == warsaw(
        2026, 10, 25, 9
    )


def test_utc_calendar_ignores_warsaw_dst():
    assert ALWAYS_OPEN.business_time_between(warsaw(2026, 3, 29), warsaw(2026, 3, 30)) == hours(23)
    start = datetime(2026, 3, 29, tzinfo=UTC)
    assert ALWAYS_OPEN.business_time_between(start, start + timedelta(days=1)) == hours(24)


def test_night_shift_covering_the_jump_is_one_hour_shorter_or_longer():
    calendar = BusinessCalendar("Europe/Warsaw", weekdays(("22:00", "06:00"), days=WEEKDAY_NAMES))
    march_shift = calendar.business_time_between(warsaw(2026, 3, 28, 12), warsaw(2026, 3, 29, 12))
    october_shift = calendar.business_time_between(
        warsaw(2026, 10, 24, 12), warsaw(2026, 10, 25, 12)
    )
    assert (march_shift, october_shift) == (hours(7), hours(9))


def test_office_hours_are_wall_clock_hours_across_dst():
    assert OFFICE.add_business_time(warsaw(2026, 3, 27, 16), hours(2)) == warsaw(2026, 3, 30, 10)
    assert OFFICE.add_business_time(warsaw(2026, 10, 23, 16), hours(2)) == warsaw(2026, 10, 26, 10)
    assert OFFICE.add_business_time(warsaw(2026, 3, 27, 16), Duration(days=1)) == warsaw(
        2026, 3, 30, 16
    )


def test_new_york_dst_days():
    calendar = NEW_YORK_ROUND_THE_CLOCK
    assert calendar.business_time_between(new_york(2026, 3, 8), new_york(2026, 3, 9)) == hours(23)
    assert calendar.business_time_between(new_york(2026, 11, 1), new_york(2026, 11, 2)) == hours(25)
    assert calendar.add_business_time(new_york(2026, 3, 8, 1, 30), hours(1)) == new_york(
        2026, 3, 8, 3, 30
    )
    assert calendar.add_business_time(new_york(2026, 11, 1, 1, 30), hours(1)) == new_york(
        2026, 11, 1, 1, 30, fold=1
    )


def test_boundaries_in_a_dst_gap_move_to_the_end_of_the_gap():
    # 2026-03-08 02:00-03:00 does not exist in New York: "01:30-02:30" ends at 03:00 EDT and
    # "02:45-07:00" starts there, so the two intervals touch.
    calendar = NEW_YORK_EARLY_BIRDS
    assert calendar.is_open(new_york(2026, 3, 8, 1, 59))
    assert calendar.is_open(new_york(2026, 3, 8, 3))
    day = calendar.business_time_between(new_york(2026, 3, 8), new_york(2026, 3, 9))
    assert day == hours(0.5) + hours(0.5) + hours(4) + hours(3)  # 00:00-00:30 from Saturday


def test_ambiguous_boundaries_mean_the_first_occurrence():
    # On 2026-11-01 01:00-02:00 happens twice in New York; 01:30 is the first (EDT) one.
    calendar = NEW_YORK_EARLY_BIRDS
    assert calendar.next_open(new_york(2026, 11, 1, 1)) == new_york(2026, 11, 1, 1, 30)
    assert calendar.is_open(new_york(2026, 11, 1, 1, 15, fold=1))
    morning = calendar.business_time_between(new_york(2026, 11, 1, 1), new_york(2026, 11, 1, 8))
    assert morning == hours(2) + hours(4.25)


# --- definitions, validation and descriptions ----------------------------------------------


def test_from_dict_accepts_yaml_friendly_values_and_equals_the_constructor():
    loaded = BusinessCalendar.from_dict(
        {
            "timezone": "Europe/Warsaw",
            "weekly_hours": {day: [["09:00", "17:00"]] for day in WORKDAYS},
            "holiday_country": "pl",
            "name": "Warsaw office",
        }
    )
    built = BusinessCalendar(
        timezone="Europe/Warsaw",
        weekly_hours=weekdays((time(9), time(17))),
        holiday_country="PL",
        name="Warsaw office",
    )
    assert loaded == built
    assert hash(loaded) == hash(built)
    assert loaded.holiday_country == "PL"
    assert loaded.weekly_hours["mon"] == [("09:00", "17:00")]
    assert "sat" not in loaded.weekly_hours


def test_calendar_is_immutable():
    with pytest.raises(AttributeError):
        OFFICE.timezone = "UTC"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        OFFICE._spec = None


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        (
            {"timezone": "Europe/Warsw", "weekly_hours": {"mon": [["09:00", "17:00"]]}},
            ["timezone: unknown timezone 'Europe/Warsw'"],
        ),
        (
            {"timezone": "UTC", "weekly_hours": {"mon": [["09:00", "12:00"], ["13:00", "25:00"]]}},
            ["weekly_hours.mon[1]: '25:00' is not a time (use HH:MM)"],
        ),
        (
            {"timezone": "UTC", "weekly_hours": {"mon": [["09:00", "12:60"]]}},
            ["weekly_hours.mon[0]: '12:60' is not a time (use HH:MM)"],
        ),
        (
            {"timezone": "UTC", "weekly_hours": {"mon": [["09:00", 780]]}},
            ['weekly_hours.mon[0]: 780 is not a time (use HH:MM, quoted in YAML: "13:00")'],
        ),
        ({"timezone": "UTC", "weekly_hours": {}}, ["weekly_hours: no working hours in the week"]),
        (
            {"timezone": "UTC", "weekly_hours": {"mon": [], "sat": None}},
            ["weekly_hours: no working hours in the week"],
        ),
        (
            {
                "timezone": "UTC",
                "weekly_hours": {"mon": [["09:00", "17:00"]]},
                "holiday_country": "XX",
            },
            ["holiday_country: unknown country code 'XX'"],
        ),
        (
            {"timezone": "UTC", "weekly_hours": {"mon": [["09:00", "12:00"], ["11:00", "14:00"]]}},
            ["weekly_hours.mon[1]: 11:00–14:00 overlaps mon[0] 09:00–12:00"],
        ),
        (
            {
                "timezone": "UTC",
                "weekly_hours": {"sun": [["22:00", "06:00"]], "mon": [["05:00", "10:00"]]},
            },
            ["weekly_hours.sun[0]: 22:00–06:00 overlaps mon[0] 05:00–10:00"],
        ),
        (
            {"timezone": "UTC", "weekly_hours": {"mon": [["24:00", "06:00"]]}},
            ["weekly_hours.mon[0]: '24:00' can only end an interval"],
        ),
        (
            {"timezone": "UTC", "weekly_hours": {"mon": [["09:00", "09:00"]]}},
            ["weekly_hours.mon[0]: empty interval 09:00–09:00 (use 00:00–24:00 for a whole day)"],
        ),
        (
            {"timezone": "UTC", "weekly_hours": {"mon": ["09:00-17:00"]}},
            ["weekly_hours.mon[0]: expected [start, end], got '09:00-17:00'"],
        ),
        (
            {"timezone": "UTC", "weekly_hours": {"monday": [["09:00", "17:00"]]}},
            ["weekly_hours: unknown day 'monday' (use mon, tue, wed, thu, fri, sat, sun)"],
        ),
        (
            {
                "timezone": "UTC",
                "weekly_hours": {"mon": [["09:00", "17:00"]]},
                "closed_dates": ["2026-02-30", "24.12.2026", datetime(2026, 12, 24)],
            },
            [
                "closed_dates[0]: '2026-02-30' is not a date (use YYYY-MM-DD)",
                "closed_dates[1]: '24.12.2026' is not a date (use YYYY-MM-DD)",
                "closed_dates[2]: datetime.datetime(2026, 12, 24, 0, 0)"
                " is not a date (use YYYY-MM-DD)",
            ],
        ),
        (
            {"weekly_hours": {"mon": [["09:00", "17:00"]]}, "timezon": "UTC"},
            [
                "timezone: missing (use an IANA name such as Europe/Warsaw)",
                "timezon: unknown key (use timezone, weekly_hours, holiday_country,"
                " closed_dates, name, label, holiday_subdivision)",
            ],
        ),
        (["not", "a", "mapping"], ["expected a mapping with timezone and weekly_hours"]),
    ],
)
def test_validation_messages(data, messages):
    assert [str(p) for p in calendar_problems(data)] == messages
    with pytest.raises(CalendarError) as caught:
        BusinessCalendar.from_dict(data)
    assert caught.value.messages == messages
    assert str(caught.value) == "; ".join(messages)


def test_valid_definitions_have_no_messages():
    data = {
        "timezone": "America/New_York",
        "weekly_hours": {"mon": [["22:00", "06:00"]], "tue": [["06:00", "14:00"]]},
        "holiday_country": "US",
        "closed_dates": ["2026-12-24"],
        "name": "Night desk",
    }
    assert calendar_problems(data) == []
    assert isinstance(BusinessCalendar.from_dict(data), BusinessCalendar)


def test_constructor_validates_too():
    with pytest.raises(CalendarError, match="unknown timezone"):
        BusinessCalendar("Mars/Olympus", weekdays(("09:00", "17:00")))


@pytest.mark.parametrize(
    ("calendar", "text"),
    [
        (OFFICE, "Europe/Warsaw, Mon–Fri 09:00–17:00, holidays: PL"),
        (SPLIT_SHIFT, "Europe/Warsaw, Mon–Fri 09:00–12:00, 13:00–17:00, Sat 10:00–14:00"),
        (NIGHT_SHIFT, "Europe/Warsaw, Mon–Fri 22:00–06:00, closed: 2026-06-10"),
        (WARSAW_ROUND_THE_CLOCK, "Europe/Warsaw, 24/7"),
        (
            BusinessCalendar(
                "UTC",
                {
                    "mon": [("09:00", "17:00")],
                    "tue": [("09:00", "17:00")],
                    "thu": [("10:00", "16:00")],
                },
                closed_dates=[date(2026, 1, day) for day in range(2, 7)],
                name="Support",
            ),
            "Support: UTC, Mon–Tue 09:00–17:00, Thu 10:00–16:00, 5 closed dates",
        ),
    ],
)
def test_describe(calendar, text):
    assert calendar.describe() == text


# --- properties ----------------------------------------------------------------------------

CALENDARS = [
    OFFICE,
    SPLIT_SHIFT,
    NIGHT_SHIFT,
    WARSAW_ROUND_THE_CLOCK,
    NEW_YORK_ROUND_THE_CLOCK,
    NEW_YORK_EARLY_BIRDS,
    ALWAYS_OPEN,
]
DST_CHANGES_UTC = [
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 1, tzinfo=UTC),
    datetime(2026, 3, 8, 7, tzinfo=UTC),
    datetime(2026, 11, 1, 6, tzinfo=UTC),
]
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)

calendars = st.sampled_from(CALENDARS)
instants = st.one_of(
    st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    st.builds(
        lambda change, seconds: change + timedelta(seconds=seconds),
        st.sampled_from(DST_CHANGES_UTC),
        st.integers(min_value=-3 * 86400, max_value=3 * 86400),
    ),
)
open_time = st.integers(min_value=0, max_value=5000).map(lambda minutes: timedelta(minutes=minutes))
positive_open_time = st.integers(min_value=1, max_value=5000).map(
    lambda minutes: timedelta(minutes=minutes)
)


def is_open_or_closing_instant(calendar, instant):
    return calendar.is_open(instant) or calendar.is_open(instant - timedelta(microseconds=1))


@PROPERTY_SETTINGS
@given(calendars, instants, open_time, open_time)
def test_result_is_monotonic_in_duration(calendar, start, first, second):
    shorter, longer = sorted((first, second))
    assert calendar.add_business_time(start, shorter) <= calendar.add_business_time(start, longer)


@PROPERTY_SETTINGS
@given(
    calendars,
    instants,
    st.integers(min_value=0, max_value=10),
    st.integers(min_value=0, max_value=10),
    st.integers(min_value=0, max_value=600),
)
def test_result_is_monotonic_in_business_days(calendar, start, first, second, minutes):
    fewer, more = sorted((first, second))
    earlier = calendar.add_business_time(start, Duration(days=fewer, minutes=minutes))
    later = calendar.add_business_time(start, Duration(days=more, minutes=minutes))
    assert start <= earlier <= later


@PROPERTY_SETTINGS
@given(calendars, instants, st.integers(min_value=0, max_value=5), open_time)
def test_result_is_never_inside_closed_time(calendar, start, days, minutes):
    due = calendar.add_business_time(start, Duration(days=days) if days else minutes)
    assert is_open_or_closing_instant(calendar, due)
    assert due >= start
    if days:
        due = calendar.add_business_time(start, Duration(days=days, minutes=minutes.seconds // 60))
        assert is_open_or_closing_instant(calendar, due)


@PROPERTY_SETTINGS
@given(calendars, instants, positive_open_time, positive_open_time)
def test_adding_in_two_steps_equals_adding_once(calendar, start, first, second):
    in_two_steps = calendar.add_business_time(calendar.add_business_time(start, first), second)
    assert in_two_steps == calendar.add_business_time(start, first + second)


@PROPERTY_SETTINGS
@given(calendars, instants, open_time)
def test_business_time_between_inverts_add(calendar, start, duration):
    due = calendar.add_business_time(start, duration)
    assert calendar.business_time_between(start, due) == duration


@PROPERTY_SETTINGS
@given(calendars, instants, st.lists(instants, min_size=2, max_size=2))
def test_business_time_between_is_additive(calendar, start, others):
    middle, end = sorted(others)
    if middle < start:
        return
    between = calendar.business_time_between
    assert between(start, middle) + between(middle, end) == between(start, end)
    assert between(start, end) <= end - start


@PROPERTY_SETTINGS
@given(calendars, instants)
def test_next_open_is_the_first_open_instant(calendar, start):
    opening = calendar.next_open(start)
    assert calendar.is_open(opening)
    assert opening >= start
    assert calendar.business_time_between(start, opening) == timedelta(0)
    assert (opening == start) == calendar.is_open(start)


@PROPERTY_SETTINGS
@given(instants, st.integers(min_value=0, max_value=12))
def test_a_business_day_is_eight_hours_on_a_uniform_office_calendar(start, days):
    by_days = OFFICE.add_business_time(start, Duration(days=days))
    by_hours = OFFICE.add_business_time(start, hours(8 * days))
    assert by_days == by_hours


# --- names ---------------------------------------------------------------------------------


def test_a_calendar_is_named_by_its_label_in_the_readers_language():
    calendar = BusinessCalendar.from_dict(
        {
            "name": "warsaw_office",
            "label": {"en": "Warsaw office", "pl": "Biuro w Warszawie"},
            "timezone": "Europe/Warsaw",
            "weekly_hours": weekdays(("09:00", "17:00")),
        }
    )
    assert calendar.label("pl") == "Biuro w Warszawie"
    assert calendar.label("sl") == "Warsaw office"  # no Slovenian: the English label
    assert calendar.labels == {"en": "Warsaw office", "pl": "Biuro w Warszawie"}


def test_a_calendar_without_a_label_is_named_by_its_id_in_words():
    calendar = BusinessCalendar.from_dict(
        {"name": "night_shift-2", "timezone": "UTC", "weekly_hours": weekdays(("22:00", "06:00"))}
    )
    assert calendar.label("pl") == "Night shift 2"
    plain = BusinessCalendar("UTC", weekdays(("09:00", "17:00")), name="x", label="Head office")
    assert plain.label("ru") == "Head office"


def test_a_label_must_be_text_or_texts_per_language():
    data = {"timezone": "UTC", "weekly_hours": {"mon": [["09:00", "17:00"]]}, "label": ["W"]}
    assert [str(p) for p in calendar_problems(data)] == [
        "label: must be a text or a mapping of language to text"
    ]


# --- overnight working hours ("17:00-09:00") -----------------------------------------------

EVENINGS = BusinessCalendar(  # a support desk working the night, Monday to Friday evenings
    timezone="Europe/Warsaw",
    weekly_hours=weekdays(("17:00", "09:00")),
    holiday_country="PL",
)


def test_an_evening_to_morning_span_is_open_until_the_next_morning():
    # Monday 2026-06-01 17:00 to Tuesday 09:00 (local), then closed until Tuesday 17:00.
    assert not EVENINGS.is_open(warsaw(2026, 6, 1, 16, 59))
    assert EVENINGS.is_open(warsaw(2026, 6, 1, 17))
    assert EVENINGS.is_open(warsaw(2026, 6, 2, 8, 59))
    assert not EVENINGS.is_open(warsaw(2026, 6, 2, 9))
    assert not EVENINGS.is_open(warsaw(2026, 6, 1, 0, 30))  # Sunday has no shift to run on
    assert EVENINGS.is_open(warsaw(2026, 6, 6, 8))  # Friday's shift runs into Saturday
    assert not EVENINGS.is_open(warsaw(2026, 6, 6, 17))
    assert EVENINGS.next_open(warsaw(2026, 6, 1, 8)) == warsaw(2026, 6, 1, 17)


def test_an_overnight_target_counts_through_midnight_and_stops_at_the_morning():
    assert EVENINGS.add_business_time(warsaw(2026, 6, 1, 22), hours(4)) == warsaw(2026, 6, 2, 2)
    # 16 open hours per shift: Monday 17:00 + 16h is Tuesday's closing, + 1 minute more is
    # the first minute of Tuesday's evening shift.
    assert EVENINGS.add_business_time(warsaw(2026, 6, 1, 17), hours(16)) == warsaw(2026, 6, 2, 9)
    assert EVENINGS.add_business_time(
        warsaw(2026, 6, 1, 17), hours(16) + timedelta(minutes=1)
    ) == warsaw(2026, 6, 2, 17, 1)
    # a week without holidays: five shifts of 16 hours
    assert EVENINGS.business_time_between(warsaw(2026, 6, 8), warsaw(2026, 6, 15)) == hours(5 * 16)
    # the week of Corpus Christi (Thursday 4 June) loses Thursday's whole local day: 16 hours
    assert EVENINGS.business_time_between(warsaw(2026, 6, 1), warsaw(2026, 6, 8)) == hours(4 * 16)


def test_a_public_holiday_closes_its_own_day_of_an_overnight_span():
    # Corpus Christi, Thursday 2026-06-04: Wednesday's shift stops at midnight, Thursday's
    # evening does not open; Thursday's shift after midnight belongs to Friday, so it opens.
    assert EVENINGS.is_open(warsaw(2026, 6, 3, 23, 59))
    assert not EVENINGS.is_open(warsaw(2026, 6, 4, 3))
    assert not EVENINGS.is_open(warsaw(2026, 6, 4, 20))
    assert EVENINGS.is_open(warsaw(2026, 6, 5, 3))
    assert EVENINGS.add_business_time(warsaw(2026, 6, 3, 23), hours(2)) == warsaw(2026, 6, 5, 1)


def test_an_overnight_span_over_a_dst_change_is_an_hour_shorter_or_longer():
    calendar = BusinessCalendar("Europe/Warsaw", {"sat": [("17:00", "09:00")]})
    # 2026-03-29 02:00 CET jumps to 03:00 CEST; 2026-10-25 03:00 CEST falls back to 02:00 CET
    spring = calendar.business_time_between(warsaw(2026, 3, 28, 12), warsaw(2026, 3, 29, 12))
    autumn = calendar.business_time_between(warsaw(2026, 10, 24, 12), warsaw(2026, 10, 25, 12))
    assert (spring, autumn) == (hours(15), hours(17))
    assert calendar.add_business_time(warsaw(2026, 3, 28, 17), hours(15)) == warsaw(2026, 3, 29, 9)
    # 17:00 CEST + 9h is the first 02:00 (CEST), + 10h the second 02:00 (CET), + 17h 09:00 CET
    assert calendar.add_business_time(warsaw(2026, 10, 24, 17), hours(9)) == warsaw(
        2026, 10, 25, 2, fold=0
    )
    assert calendar.add_business_time(warsaw(2026, 10, 24, 17), hours(10)) == warsaw(
        2026, 10, 25, 2, fold=1
    )
    assert calendar.add_business_time(warsaw(2026, 10, 24, 17), hours(17)) == warsaw(
        2026, 10, 25, 9
    )
    assert calendar.add_business_time(warsaw(2026, 10, 24, 17), hours(18)) == warsaw(
        2026, 10, 31, 18
    )


def test_overnight_spans_are_noted_not_refused():
    data = {"timezone": "UTC", "weekly_hours": {"mon": [["09:00", "12:00"], ["17:00", "09:00"]]}}
    assert calendar_problems(data) == []
    [note] = overnight_notes(data)
    assert str(note) == "weekly_hours.mon[1]: 17:00–09:00 runs past midnight, until 09:00 on tue"
    assert note.params["day"] == "mon" and note.params["next_day"] == "tue"
    sunday = {"timezone": "UTC", "weekly_hours": {"sun": [["22:00", "06:00"]]}}
    assert overnight_notes(sunday)[0].params["next_day"] == "mon"
    until_midnight = {"timezone": "UTC", "weekly_hours": {"mon": [["17:00", "24:00"]]}}
    assert overnight_notes(until_midnight) == [] and overnight_notes({"junk": 1}) == []
