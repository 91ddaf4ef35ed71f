"""Score summaries: NPS the way the industry computes it, averages on the form's own scale,
and answers that are missing or off the scale left out rather than miscounted."""

from __future__ import annotations

import pytest

from survey_forms.insights import summarise
from tests.unit.test_builtin_forms import form


def test_nps_is_promoters_minus_detractors_in_percent():
    answers = [{"score": s} for s in (10, 9, 9, 8, 7, 6, 3, 0, 10, 10)]
    summary = summarise(form("nps"), answers)
    assert summary.count == 10
    assert summary.categories == {"detractor": 3, "passive": 2, "promoter": 5}
    assert summary.nps == 20  # 50 % promoters − 30 % detractors
    assert summary.best_share == 0.5
    assert summary.average is None  # an NPS is not read as an average


def test_all_detractors_is_minus_100_and_no_answers_is_no_score():
    assert summarise(form("nps"), [{"score": 2}, {"score": 0}]).nps == -100
    empty = summarise(form("nps"), [])
    assert empty.count == 0 and empty.nps is None and empty.best_share is None


def test_csat_is_an_average_on_its_five_point_scale():
    summary = summarise(form("csat"), [{"csat": v} for v in (5, 4, 4, 2, 5)])
    assert summary.type == "csat"
    assert summary.average == pytest.approx(4.0)
    assert summary.scale_max == 5
    assert summary.best_share == pytest.approx(0.8)  # 4s and 5s are satisfied


def test_goal_completion_is_the_share_of_yes():
    summary = summarise(form("goal"), [{"goal": v} for v in ("yes", "no", "yes", "yes")])
    assert summary.categories == {"completed": 3, "not_completed": 1}
    assert summary.best_share == 0.75


@pytest.mark.parametrize("bad", [None, "", "eleven", 11, -1, 7.5, True, [9], {"v": 9}])
def test_missing_or_off_scale_answers_are_left_out(bad):
    summary = summarise(form("nps"), [{"score": 9}, {"score": bad}, {}])
    assert summary.count == 1 and summary.nps == 100


def test_numbers_stored_as_text_still_count():
    assert summarise(form("nps"), [{"score": "9"}, {"score": "7.0"}]).count == 2


def test_a_form_without_a_scored_question_has_no_summary():
    assert summarise(form("report-problem"), [{"category": "bug"}]) is None
