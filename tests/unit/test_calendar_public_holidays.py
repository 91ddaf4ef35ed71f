"""Public holidays in business calendars: a whole closed day, a region's own holidays, the
holiday's name, and routing passing by an agent who has the day off."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from workflow.calendars import (
    BusinessCalendar,
    CalendarError,
    _holiday_names,
    holiday_language,
    public_holiday_name,
)
from workflow.routing import Candidate, in_english, pick_assignee

WEEKDAYS_9_17 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
POLISH = BusinessCalendar("Europe/Warsaw", WEEKDAYS_9_17, holiday_country="PL")
# Friday 1 May 2026, 12:00 in Warsaw: Labour Day. 2 and 3 May are a weekend (3 May is
# Constitution Day as well), so the next working period starts on Monday 4 May 09:00.
LABOUR_DAY_NOON = datetime(2026, 5, 1, 10, tzinfo=UTC)
MONDAY_MORNING = datetime(2026, 5, 4, 7, tzinfo=UTC)


def test_a_public_holiday_is_closed_and_the_next_opening_is_after_it():
    assert not POLISH.is_open(LABOUR_DAY_NOON)
    assert POLISH.next_open(LABOUR_DAY_NOON) == MONDAY_MORNING
    plain = BusinessCalendar("Europe/Warsaw", WEEKDAYS_9_17)
    assert plain.is_open(LABOUR_DAY_NOON)  # without holidays, the same Friday is open


def test_christmas_eve_is_open_and_christmas_closed_then_open_again_on_the_28th():
    assert POLISH.is_open(datetime(2026, 12, 23, 10, tzinfo=UTC))
    christmas = datetime(2026, 12, 25, 10, tzinfo=UTC)  # Friday; the 26th is Saturday
    assert not POLISH.is_open(christmas)
    assert POLISH.next_open(christmas) == datetime(2026, 12, 28, 8, tzinfo=UTC)


def test_the_holiday_is_named_and_other_days_have_no_name():
    assert POLISH.public_holiday(LABOUR_DAY_NOON)
    assert POLISH.public_holiday(MONDAY_MORNING) is None
    assert BusinessCalendar("Europe/Warsaw", WEEKDAYS_9_17).public_holiday(LABOUR_DAY_NOON) is None
    assert public_holiday_name("SI", date(2026, 12, 26), reader="sl") == (
        "dan samostojnosti in enotnosti"
    )
    assert public_holiday_name("RU", date(2026, 5, 9), reader="ru") == "День Победы"


def test_the_holiday_follows_the_calendars_own_time_zone():
    """23:30 UTC on 30 April is already 1 May in Warsaw; in New York still 30 April."""
    late = datetime(2026, 4, 30, 23, 30, tzinfo=UTC)
    always = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    warsaw = BusinessCalendar("Europe/Warsaw", always, holiday_country="PL")
    new_york = BusinessCalendar("America/New_York", always, holiday_country="PL")
    assert not warsaw.is_open(late)
    assert new_york.is_open(late)


def test_a_region_keeps_its_own_holidays():
    """Epiphany (6 January 2026, a Tuesday) is a holiday in Bavaria, not in Berlin."""
    epiphany = datetime(2026, 1, 6, 10, tzinfo=UTC)
    bavaria = BusinessCalendar.from_dict(
        {
            "timezone": "Europe/Berlin",
            "weekly_hours": WEEKDAYS_9_17,
            "holiday_country": "DE",
            "holiday_subdivision": "by",
        }
    )
    berlin = BusinessCalendar.from_dict(
        {
            "timezone": "Europe/Berlin",
            "weekly_hours": WEEKDAYS_9_17,
            "holiday_country": "DE",
            "holiday_subdivision": "BE",
        }
    )
    assert bavaria.holiday_subdivision == "BY"
    assert not bavaria.is_open(epiphany)
    assert berlin.is_open(epiphany)
    assert bavaria.describe() == "Europe/Berlin, Mon–Fri 09:00–17:00, holidays: DE-BY"


@pytest.mark.parametrize(
    "data",
    [
        {"holiday_country": "DE", "holiday_subdivision": "XX"},
        {"holiday_subdivision": "BY"},  # a region without a country
        {"holiday_country": "DE", "holiday_subdivision": 7},
    ],
)
def test_a_region_that_is_not_one_is_refused(data):
    with pytest.raises(CalendarError) as refused:
        BusinessCalendar.from_dict({"timezone": "UTC", "weekly_hours": WEEKDAYS_9_17, **data})
    assert "is not a subdivision of the holiday country" in str(refused.value)


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (
            {"holiday_country": "de-by"},
            "holiday_country: 'de-by' names a region: write holiday_country: DE and "
            "holiday_subdivision: BY",
        ),
        (
            {"holiday_country": "DE", "holiday_subdivision": "DE-BY"},
            "holiday_subdivision: write the region's code without its country: BY",
        ),
    ],
)
def test_a_region_written_as_the_sla_page_shows_it_says_how_to_write_it(data, said):
    """The SLA page names a region "Germany – Bavaria (DE-BY)"; copied into the YAML, the
    code read as an unknown country."""
    with pytest.raises(CalendarError) as refused:
        BusinessCalendar.from_dict({"timezone": "UTC", "weekly_hours": WEEKDAYS_9_17, **data})
    assert said in str(refused.value)
    assert "unknown country code" not in str(refused.value)


def test_routing_passes_by_an_agent_on_their_public_holiday_and_says_why():
    anna = Candidate(1, "Anna", ("pl",), POLISH, 0, 10)
    maja = Candidate(2, "Maja", ("pl",), BusinessCalendar("Europe/Ljubljana", WEEKDAYS_9_17), 5, 10)
    pick = pick_assignee("least_loaded", [anna, maja], locale="pl", now=LABOUR_DAY_NOON)
    assert pick.user_id == maja.user_id  # Anna has fewer tickets, but it is 1 May in Poland
    [(code, values)] = [note for note in pick.notes if note[0] == "holiday"]
    assert values["name"] == "Anna" and values["country"] == "PL"
    assert values["day"] == "2026-05-01" and values["region"] is None
    assert f"Anna off for a public holiday ({values['holiday']})" in in_english(pick.notes)

    after = pick_assignee("least_loaded", [anna, maja], locale="pl", now=MONDAY_MORNING)
    assert after.user_id == anna.user_id
    assert not [note for note in after.notes if note[0] == "holiday"]


def test_a_holiday_on_the_agents_day_off_is_not_given_as_the_reason():
    """3 May 2026 (Constitution Day) is a Sunday: Anna does not work Sundays anyway."""
    anna = Candidate(1, "Anna", ("pl",), POLISH, 0, 10)
    sunday = datetime(2026, 5, 3, 10, tzinfo=UTC)
    pick = pick_assignee("least_loaded", [anna], locale="pl", now=sunday)
    assert [code for code, _values in pick.notes if code == "holiday"] == []


@pytest.mark.parametrize(
    ("country", "reader", "language"),
    [
        ("PL", "pl", "pl"),  # the reader's own language where the country has it
        ("PL", "en", "en_US"),
        ("SI", "sl", "sl"),
        ("RU", "ru", "ru"),
        ("RU", "pl", "en_US"),  # no Polish for Russia: English, not Russian
        ("CA", "en", "en_CA"),  # an English reader reads the country's own English
        ("GB", "sl", "en_GB"),  # no Slovenian: the country's own language, which is English
        ("BS", "pl", None),  # no translations at all: its names are English
    ],
)
def test_holidays_are_named_in_the_readers_language_else_english(country, reader, language):
    assert holiday_language(country, reader) == language


def test_the_servers_environment_does_not_choose_the_language(monkeypatch):
    """`holidays` guesses from LANGUAGE / LANG when no language is given: a server started
    in Polish named a calendar's holidays in Polish on an English page, next to names in
    English (and the routing note kept them so)."""
    monkeypatch.setenv("LANGUAGE", "pl")
    holiday_language.cache_clear()
    _holiday_names.cache_clear()
    assert POLISH.public_holiday(LABOUR_DAY_NOON) == "National Day"
    assert POLISH.public_holiday(LABOUR_DAY_NOON, "pl") == "Święto Państwowe"
    assert POLISH.public_holiday(LABOUR_DAY_NOON, "sl") == "National Day"
    anna = Candidate(1, "Anna", ("pl",), POLISH, 0, 10)
    pick = pick_assignee("least_loaded", [anna], locale="pl", now=LABOUR_DAY_NOON)
    assert ("holiday", "National Day") in [
        (code, values.get("holiday")) for code, values in pick.notes
    ]
