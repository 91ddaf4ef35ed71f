"""Days as an agent sees them: 'before today' is counted in their own time zone."""

from datetime import UTC, datetime

from webapp.services.local_time import before_today

# 00:30 on 15 January in Warsaw, still 23:30 on the 14th in UTC.
NOW = datetime(2030, 1, 14, 23, 30, tzinfo=UTC)


def test_yesterday_is_before_today_where_the_agent_is():
    last_minute_of_the_14th_in_warsaw = datetime(2030, 1, 14, 22, 59, tzinfo=UTC)
    assert before_today(last_minute_of_the_14th_in_warsaw, "Europe/Warsaw", NOW)
    assert not before_today(last_minute_of_the_14th_in_warsaw, "UTC", NOW)


def test_today_is_not_before_today_even_when_its_hours_have_passed():
    midnight_in_warsaw = datetime(2030, 1, 14, 23, 0, tzinfo=UTC)
    assert not before_today(midnight_in_warsaw, "Europe/Warsaw", NOW)
    assert not before_today(datetime(2030, 1, 14, 0, 1, tzinfo=UTC), "UTC", NOW)
    assert before_today(datetime(2020, 1, 2, tzinfo=UTC), "No/Such_Zone", NOW)  # read as UTC
