"""Routing rows that tick values ("is one of" a known list) and score groups tied to their
score type (CES's "neutral" is not CSAT's): what is stored, and how it reads back."""

import pytest

from survey_forms import routing_fields as rf
from workflow import routing_rules as rr
from workflow.conditions import condition_problems, evaluate

C = rr.Clause
KEYS = {rf.category_key(t) for t in rf.SCORE_TYPES} | {"locale", "form"}
CES_NEUTRAL = {
    "all": [
        {"field": "score.type", "op": "=", "value": "ces"},
        {"field": "score.category", "op": "=", "value": "neutral"},
    ]
}


def facts(score_type: str, category: str) -> dict:
    return {"score": {"type": score_type, "value": 4, "category": category}, "locale": "pl"}


# -- ticked values ---------------------------------------------------------------------------


def test_ticking_the_values_shown_keeps_the_text_as_it_was_stored():
    assert rf.ticked_text("sl, pl", ["pl", "sl"]) == "sl, pl"  # the boxes come in list order
    assert rf.ticked_text("sl,pl", ["sl", "pl"]) == "sl,pl"


def test_ticked_values_keep_the_stored_order_and_new_ones_follow():
    assert rf.ticked_text("sl, pl", ["en", "pl"]) == "pl, en"
    assert rf.ticked_text("", ["pl", "ru", "pl", " "]) == "pl, ru"
    assert rf.ticked_text("pl", []) == ""


def test_a_list_becomes_its_first_value_when_is_one_of_turns_into_is():
    assert rf.value_after_op_change("in", "=", "pl, sl") == "pl"
    assert rf.value_after_op_change("not_in", "!=", "") == ""
    assert rf.value_after_op_change("=", "in", "pl") == "pl"
    assert rf.value_after_op_change("in", "not_in", "pl, sl") == "pl, sl"


def test_stored_values_that_are_no_choice_stay_among_the_boxes():
    options = [("pl", "Polish"), ("sl", "Slovenian")]
    shown = rf.with_all_current(options, ["sl", "xx", "xx"], "%(value)s (not one of the choices)")
    assert shown == [*options, ("xx", "xx (not one of the choices)")]


def test_ticked_values_are_stored_as_the_list_the_text_box_stored():
    row = rf.clause_of("locale", "", "in", rf.ticked_text("", ["pl", "sl"]))
    assert rr.build_condition("all", [row]) == {
        "field": "locale",
        "op": "in",
        "value": ["pl", "sl"],
    }
    with pytest.raises(rr.RuleInputError) as refused:
        rr.build_condition("all", [rf.clause_of("locale", "", "not_in", "")])
    assert refused.value.problems == [("clauses[0].value", "no_list", {})]


# -- score groups of one score type ----------------------------------------------------------


def test_a_ces_score_group_is_stored_tied_to_ces_and_reads_back_as_ces():
    row = rf.clause_of("score.category:ces", "", "=", "neutral")
    stored = rr.build_condition("all", [row])
    assert stored == CES_NEUTRAL
    assert condition_problems(stored, "when") == []
    (shown,) = rr.condition_form(stored).clauses
    assert shown == row and rf.key_of(shown, KEYS) == "score.category:ces"
    # It matches CES's neutral scores only, no longer CSAT's.
    assert evaluate(stored, facts("ces", "neutral"))
    assert not evaluate(stored, facts("csat", "neutral"))


def test_a_csat_rule_stored_before_reads_back_as_csat_and_is_stored_as_before():
    stored = {"field": "score.category", "op": "=", "value": "neutral"}
    (shown,) = rr.condition_form(stored).clauses
    assert rf.key_of(shown, KEYS) == "score.category:csat"
    again = rf.clause_of("score.category:csat", "", "=", "neutral")
    assert again == shown and rr.build_condition("all", [again]) == stored


@pytest.mark.parametrize(
    ("key", "op", "value", "stored"),
    [
        ("score.category:ces", "in", "difficult, neutral", None),  # "difficult" says CES
        ("score.category:ces", "in", "neutral", "ces"),
        ("score.category:ces", "!=", "neutral", "ces"),
        ("score.category:nps", "=", "detractor", None),
        ("score.category:goal", "=", "completed", None),
        ("score.category:csat", "not_in", "neutral, satisfied", None),
        ("locale", "=", "neutral", None),
    ],
)
def test_only_groups_that_would_read_as_another_type_are_tied(key, op, value, stored):
    row = rf.clause_of(key, "", op, value)
    assert row.score_type == (stored or "")
    (shown,) = rr.condition_form(rr.build_condition("all", [row])).clauses
    assert rf.key_of(shown, KEYS) == key


def test_a_tied_group_reads_as_one_row_among_others_and_inside_a_group():
    ces = rf.clause_of("score.category:ces", "", "=", "neutral")
    rows = (C("locale", "=", "pl"), rr.ClauseGroup("any", (C("form", "=", "nps"), ces)))
    stored = rr.build_condition("all", rows)
    assert stored == {
        "all": [
            {"field": "locale", "op": "=", "value": "pl"},
            {"any": [{"field": "form", "op": "=", "value": "nps"}, CES_NEUTRAL]},
        ]
    }
    form = rr.condition_form(stored)
    assert not form.complex and form.clauses == rows
    either = {"any": [CES_NEUTRAL, {"field": "locale", "op": "=", "value": "pl"}]}
    assert rr.condition_form(either).flat() == [ces, rows[0]]


def test_other_combinations_of_a_score_type_stay_rows_of_their_own():
    written = {
        "all": [
            {"field": "score.type", "op": "=", "value": "rating"},  # no picker of its own
            {"field": "score.category", "op": "=", "value": "neutral"},
        ]
    }
    form = rr.condition_form(written)
    assert [row.field for row in form.flat()] == ["score.type", "score.category"]
    assert all(not row.score_type for row in form.flat())
