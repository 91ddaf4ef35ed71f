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


ODD = ["S, M", 'Say "hi"', '"quoted"', " edge ", "Größe ✓", "007", "1.5", "a#b", "plain", "7"]


def test_any_values_travel_through_the_list_text_exactly():
    text = rr.list_text(ODD)
    assert rf.listed(text) == ODD
    # Text that reads as a number stays text when it was text, a number when it was one.
    assert rr.parse_value("in", text) == ODD
    assert rr.parse_value("in", rr.list_text([7, 1.5, "7"])) == [7, 1.5, "7"]
    assert rr.value_text(ODD) == text and rr.value_text(["pl", "sl"]) == "pl, sl"


@pytest.mark.parametrize(
    ("typed", "values"),
    [
        ("pl, sl", ["pl", "sl"]),
        ("1, 2,, ", [1, 2]),
        ('"1", 2', ["1", 2]),
        ('"a, b" , c', ["a, b", "c"]),
        ('"a, b', ['"a', "b"]),  # a quote left open is plain text
        ('5" screen, "say ""hi"""', ['5" screen', 'say "hi"']),
        ('"a"b, c', ['"a"b', "c"]),
    ],
)
def test_a_typed_list_splits_at_commas_outside_quotes(typed, values):
    assert rr.parse_value("in", typed) == values


def test_ticked_values_with_commas_stay_whole():
    assert rf.ticked_text("", ["S, M", "L"]) == '"S, M", L'
    assert rf.ticked_text('"S, M", L', ["L", "S, M"]) == '"S, M", L'  # as shown
    assert rf.ticked_text('"S, M", L', ["L"]) == "L"
    assert rf.value_after_op_change("in", "=", '"S, M", L') == "S, M"
    assert rf.value_after_op_change("=", "in", "S, M") == '"S, M"'
    assert rf.value_after_op_change("=", "not_in", "007") == '"007"'
    assert rr.parse_value("in", rf.ticked_text('"007"', ["007"])) == ["007"]
    row = rf.clause_of("answers.size", "", "in", rf.ticked_text("", ["S, M", "007"]))
    assert rr.build_condition("all", [row])["value"] == ["S, M", "007"]


def test_the_length_limit_is_per_value_and_the_count_is_capped():
    many = [f"{'v' * 400}{n}" for n in range(rr.MAX_LIST_ITEMS)]
    row = rf.clause_of("answers.topic", "", "in", rr.list_text(many))
    assert rr.build_condition("all", [row])["value"] == many
    with pytest.raises(rr.RuleInputError) as refused:
        rr.build_condition("all", [C("metadata.plan", "in", "gold, " + "x" * 501)])
    assert refused.value.problems == [
        ("clauses[0].value", "list_value_too_long", {"limit": 500, "value": "x" * 40})
    ]
    with pytest.raises(rr.RuleInputError) as refused:
        rr.build_condition("all", [C("metadata.plan", "in", rr.list_text(many + ["one more"]))])
    assert refused.value.problems == [("clauses[0].value", "list_too_long", {"limit": 100})]
    with pytest.raises(rr.RuleInputError) as refused:
        rr.build_condition("all", [C("metadata.plan", "=", "x" * 501)])
    assert refused.value.problems[0][1] == "value_too_long"


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


@pytest.mark.parametrize(
    ("score_type", "op"), [(t, op) for t in rf.SCORE_TYPES for op in ("exists", "missing")]
)
def test_a_score_group_filled_in_or_empty_is_tied_to_its_type_and_reads_back_so(score_type, op):
    key = rf.category_key(score_type)
    row = rf.clause_of(key, "", op, "")
    stored = rr.build_condition("all", [row])
    assert stored["all"][0] == {"field": "score.type", "op": "=", "value": score_type}
    assert condition_problems(stored, "when") == []
    (shown,) = rr.condition_form(stored).clauses
    assert shown == row and rf.key_of(shown, KEYS) == key and rf.row_op(shown) == op
    present = op == "exists"
    assert evaluate(stored, facts(score_type, "neutral")) is present
    assert evaluate(stored, facts("other", "neutral")) is False


def test_any_score_group_filled_in_reads_as_the_field_it_is():
    (shown,) = rr.condition_form({"field": "score.category", "op": "exists"}).clauses
    assert rf.key_of(shown, KEYS) == rf.OTHER
