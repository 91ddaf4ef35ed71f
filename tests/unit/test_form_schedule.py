"""A form's schedule and response limit: validation with paths, and open or not at a moment."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import yaml

from survey_forms.definition import load_form
from survey_forms.schedule import Availability, form_state
from survey_forms.translation_check import check_translations

BASE = {
    "slug": "beta",
    "title": {"en": "Beta", "pl": "Beta"},
    "languages": ["en", "pl"],
    "questions": [{"id": "score", "type": "nps", "text": {"en": "Score?", "pl": "Ocena?"}}],
}


def loaded(**settings):
    return load_form(yaml.safe_dump({**BASE, **settings}, allow_unicode=True))


def problems(text_or_settings) -> list[str]:
    result = (
        load_form(text_or_settings)
        if isinstance(text_or_settings, str)
        else loaded(**text_or_settings)
    )
    return [f"{p.path}: {p.text}" for p in result.problems]


def test_every_schedule_problem_is_reported_with_its_path():
    found = problems(
        {
            "opens_at": "next monday",
            "closes_at": "2026-02-30",
            "timezone": "Mars/Olympus",
            "max_responses": 0,
            "closed_message": {"en": "Closed."},
        }
    )
    assert (
        "opens_at: 'next monday' is not a date (use YYYY-MM-DD, or a date and time like "
        "2026-12-01T09:00:00+01:00)" in found
    )
    assert any(p.startswith("closes_at: '2026-02-30' is not a date") for p in found)
    assert "timezone: 'Mars/Olympus' is not a time zone (use a name like Europe/Warsaw)" in found
    assert "max_responses: '0' is not a whole number from 1 to 10000000" in found
    assert "closed_message.pl: missing translation" in found


@pytest.mark.parametrize("limit", [-3, 1.5, "200", True])
def test_a_limit_must_be_a_positive_whole_number(limit):
    assert problems({"max_responses": limit})[0].startswith("max_responses: ")


def test_closing_before_opening_is_a_problem_but_one_whole_day_is_not():
    assert problems({"opens_at": "2026-12-14", "closes_at": "2026-12-01"}) == [
        "closes_at: closes before it opens (check opens_at)"
    ]
    assert problems({"opens_at": "2026-12-01T10:00:00+00:00", "closes_at": "2026-12-01T10:00:00Z"})
    assert problems({"opens_at": "2026-12-01", "closes_at": "2026-12-01"}) == []


def test_unquoted_yaml_dates_and_date_times_are_read_as_written():
    text = yaml.safe_dump(BASE) + (
        "opens_at: 2026-12-01\ncloses_at: 2026-12-14T18:00:00+01:00\nmax_responses: 200\n"
    )
    result = load_form(text)
    assert result.ok, result.problems
    assert result.definition.opens_at == date(2026, 12, 1)
    assert result.definition.closes_at.utcoffset().total_seconds() == 3600
    assert result.definition.max_responses == 200


def test_a_form_without_a_schedule_is_always_open_and_counts_nothing():
    state = form_state(loaded().definition, datetime(2026, 1, 1, tzinfo=UTC), "UTC")
    assert state.availability is Availability.OPEN and state.completed is None


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # opens_at 2026-12-01 and closes_at 2026-12-14 in Warsaw (UTC+1 in winter)
        (datetime(2026, 11, 30, 22, 59, 59, tzinfo=UTC), Availability.NOT_YET),
        (datetime(2026, 11, 30, 23, 0, 0, tzinfo=UTC), Availability.OPEN),
        (datetime(2026, 12, 14, 22, 59, 59, tzinfo=UTC), Availability.OPEN),  # all of the 14th
        (datetime(2026, 12, 14, 23, 0, 0, tzinfo=UTC), Availability.CLOSED),
    ],
)
def test_dates_are_whole_days_in_the_forms_time_zone(now, expected):
    definition = loaded(
        opens_at="2026-12-01", closes_at="2026-12-14", timezone="Europe/Warsaw"
    ).definition
    assert form_state(definition, now, "UTC").availability is expected


def test_without_its_own_time_zone_a_form_reads_dates_in_the_installations():
    definition = loaded(opens_at="2026-12-01").definition
    just_before = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert form_state(definition, just_before, "UTC").availability is Availability.NOT_YET
    assert form_state(definition, just_before, "Europe/Warsaw").availability is Availability.OPEN


def test_a_date_time_with_an_offset_is_that_instant():
    definition = loaded(closes_at="2026-12-01T09:00:00+01:00", timezone="Asia/Tokyo").definition
    assert form_state(definition, datetime(2026, 12, 1, 7, 59, tzinfo=UTC), "UTC").is_open
    closed = form_state(definition, datetime(2026, 12, 1, 8, 0, tzinfo=UTC), "UTC")
    assert closed.availability is Availability.CLOSED


@pytest.mark.parametrize(
    ("completed", "expected"),
    [
        (0, Availability.OPEN),
        (199, Availability.OPEN),
        (200, Availability.FULL),
        (230, Availability.FULL),
    ],
)
def test_the_limit_counts_completed_responses(completed, expected):
    definition = loaded(max_responses=200).definition
    state = form_state(definition, datetime(2026, 1, 1, tzinfo=UTC), "UTC", completed)
    assert state.availability is expected and state.completed == completed and state.limit == 200


def test_closed_by_time_says_closed_even_when_also_full():
    definition = loaded(closes_at="2000-01-01", max_responses=1).definition
    state = form_state(definition, datetime(2026, 1, 1, tzinfo=UTC), "UTC", 5)
    assert state.availability is Availability.CLOSED


def test_the_translations_report_counts_the_closed_message():
    report = check_translations({**BASE, "closed_message": {"en": "Closed, thank you."}})
    polish = next(lang for lang in report.languages if lang.language == "pl")
    assert [m.path for m in polish.missing] == ["closed_message"]
    assert polish.missing[0].source == "Closed, thank you."
