"""The workflow's `remind_after` for a survey: days, off, or a problem the editor shows."""

import pytest

from workflow.registry import BadReminderDays, survey_reminder_days


@pytest.mark.parametrize(
    ("params", "days"),
    [
        ({"form": "csat"}, 3),  # not written: the default
        ({"form": "csat", "remind_after": "5d"}, 5),
        ({"form": "csat", "remind_after": 2}, 2),
        ({"form": "csat", "remind_after": " 7 "}, 7),
        ({"form": "csat", "remind_after": 0}, None),
        ({"form": "csat", "remind_after": "0d"}, None),
        ({"form": "csat", "remind_after": ""}, None),
        ({"form": "csat", "remind_after": None}, None),  # `remind_after:` left empty
    ],
)
def test_reminder_days(params, days):
    assert survey_reminder_days(params) == days


@pytest.mark.parametrize("value", ["soon", "4h", "1d 2h", -1, True, 1.5, "366d", [3]])
def test_anything_else_is_refused(value):
    with pytest.raises(BadReminderDays):
        survey_reminder_days({"form": "csat", "remind_after": value})
