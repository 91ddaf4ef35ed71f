"""The builder writes a form's schedule as the loader reads it; the review names its changes."""

from __future__ import annotations

import datetime

import pytest

from survey_forms import builder
from survey_forms.changes import SettingChange, TextChange, form_changes
from survey_forms.definition import load_form

BASE = {
    "slug": "beta",
    "title": {"en": "Beta"},
    "languages": ["en"],
    "questions": [{"id": "score", "type": "nps", "text": {"en": "Score?"}}],
}


def scheduled(**values) -> dict:
    fields = {"opens_at": "", "closes_at": "", "timezone": "", "max_responses": "", **values}
    return builder.edited(BASE, lambda data: builder.set_schedule(data, fields))


def test_what_the_builder_writes_loads_and_reads_back_the_same():
    data = scheduled(
        opens_at=" 2026-12-01 ",
        closes_at="2026-12-14 18:30",
        timezone="Europe/Ljubljana",
        max_responses="200",
    )
    text = builder.dump(data)
    result = load_form(text)
    assert result.ok, result.problems
    assert builder.outline(builder.read(text)).schedule == {
        "opens_at": "2026-12-01",
        "closes_at": "2026-12-14 18:30",
        "timezone": "Europe/Ljubljana",
        "max_responses": "200",
    }
    assert "opens_at: '2026-12-01'" in text  # text, not a YAML date


def test_an_offset_is_kept_and_empty_fields_remove_the_settings():
    data = scheduled(closes_at="2026-12-14T18:00:00+01:00", max_responses="5")
    assert data["closes_at"] == "2026-12-14T18:00+01:00"
    cleared = builder.edited(
        data,
        lambda d: builder.set_schedule(
            d, {"opens_at": "", "closes_at": "", "timezone": "", "max_responses": ""}
        ),
    )
    assert cleared == BASE


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"opens_at": "tomorrow"}, "bad_moment"),
        ({"closes_at": "2026-02-30"}, "bad_moment"),
        ({"closes_at": "1066-10-14"}, "bad_moment"),
        ({"timezone": "Europe/Atlantis"}, "bad_timezone"),
        ({"max_responses": "-1"}, "out_of_range"),
        ({"max_responses": "1e3"}, "bad_number"),
    ],
)
def test_the_builder_refuses_what_it_cannot_store(values, code):
    with pytest.raises(builder.BuilderError) as refused:
        scheduled(**values)
    assert refused.value.code == code


def test_the_closed_message_is_a_text_like_any_other():
    data = builder.edited(
        BASE, lambda d: builder.set_text(d, "closed_message", "en", "We have enough answers.")
    )
    assert data["closed_message"] == {"en": "We have enough answers."}
    assert builder.outline(data).closed_message == {"en": "We have enough answers."}
    emptied = builder.edited(data, lambda d: builder.set_text(d, "closed_message", "en", ""))
    assert "closed_message" not in emptied


def test_the_review_lists_schedule_changes_and_closed_message_texts():
    before = {**BASE, "closes_at": "2026-12-14", "max_responses": 100}
    after = {
        **BASE,
        "opens_at": "2026-12-01",
        "closes_at": "2026-12-14",
        "max_responses": 200,
        "closed_message": {"en": "Thanks!"},
    }
    changes = form_changes(before, after)
    assert changes.schedule == [
        SettingChange("opens_at", "", "2026-12-01"),
        SettingChange("max_responses", "100", "200"),
    ]
    assert changes.closed_message == [TextChange("closed_message", "en", "", "Thanks!")]
    assert changes.other_settings == [] and not changes.empty


def test_an_unquoted_date_and_the_same_date_as_text_are_no_change():
    before = {**BASE, "opens_at": datetime.date(2026, 12, 1)}
    after = {**BASE, "opens_at": "2026-12-01"}
    assert form_changes(before, after).empty
