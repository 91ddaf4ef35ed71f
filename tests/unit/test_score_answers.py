"""What the database keeps of an answer scores exactly as the answer itself would."""

from __future__ import annotations

import pytest

from survey_forms.insights import summarise, tally
from survey_forms.scoring import SCORED_TYPES, on_scale, score_answer, score_changes
from tests.unit.test_builtin_forms import form

ANSWERS = [
    0,
    3,
    5,
    7,
    10,
    11,
    -1,
    "7",
    " 9 ",
    "1e1",
    4.0,
    4.5,
    True,
    False,
    None,
    "yes",
    "no",
    "Yes",
    "",
    "maybe",
    [5],
    {"a": 1},
    float("nan"),
    float("inf"),
    10**40,
]


@pytest.mark.parametrize("question_type", SCORED_TYPES)
def test_a_kept_answer_is_on_every_scale_the_answer_is_on(question_type):
    for answer in ANSWERS:
        kept = score_answer(answer)
        assert on_scale(question_type, kept) == on_scale(question_type, answer), answer


def test_only_answers_whose_score_changed_are_written():
    before = {"score": 3, "what_went_wrong": "Slow", "goal": "yes", "name": "Ann"}
    after = {"score": "3", "testimonial": "no", "name": "7"}  # what_went_wrong pruned
    assert score_changes(before, after) == {"testimonial": "no", "goal": None, "name": 7}
    assert score_changes(before, before) == {}


def test_counted_answers_sum_up_as_the_answers_one_by_one():
    answers = [{"score": s} for s in (10, 9, 9, 8, 7, 6, 3, 0, 10, "x", None)]
    counted = {}
    for given in answers:
        kept = score_answer(given.get("score"))
        counted[kept] = counted.get(kept, 0) + 1
    definition = form("nps")
    assert tally(definition.questions[0], counted.items()) == summarise(definition, answers)
