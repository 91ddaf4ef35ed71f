"""Routing rule conditions with one level of groups, and the pickers' kinds of fields."""

import pytest

from survey_forms import routing_fields as rf
from workflow import condition_groups as cg
from workflow import routing_rules as rr
from workflow.conditions import evaluate

C = rr.Clause
G = cg.Group

PROBLEM_REPORTS = {
    "all": [
        {"field": "form", "op": "=", "value": "report-problem"},
        {
            "any": [
                {"field": "locale", "op": "=", "value": "pl"},
                {"field": "score.category", "op": "=", "value": "detractor"},
            ]
        },
    ]
}


def test_a_group_is_stored_inside_the_top_condition_and_evaluated_as_written():
    rows = (
        C("form", "=", "report-problem"),
        G("any", (C("locale", "=", "pl"), C("score.category", "=", "detractor"))),
    )
    condition = rr.build_condition("all", rows)
    assert condition == PROBLEM_REPORTS
    facts = {"form": "report-problem", "locale": "en", "score": {"category": "detractor"}}
    assert evaluate(condition, facts)
    assert not evaluate(condition, {**facts, "score": {"category": "promoter"}})
    assert not evaluate(condition, {**facts, "form": "nps", "locale": "pl"})


def test_a_stored_group_reads_back_as_a_group_and_deeper_nesting_as_complex():
    form = rr.condition_form(PROBLEM_REPORTS)
    assert not form.complex and form.mode == "all"
    assert form.clauses == (
        C("form", "=", "report-problem"),
        G("any", (C("locale", "=", "pl"), C("score.category", "=", "detractor"))),
    )
    assert rr.build_condition(form.mode, form.clauses) == PROBLEM_REPORTS
    deeper = {"any": [{"all": [{"field": "locale", "op": "=", "value": "pl"}, PROBLEM_REPORTS]}]}
    assert rr.condition_form(deeper).complex
    assert rr.condition_form({"any": [{"all": []}]}).complex  # an empty group
    assert rr.condition_form({"not": {"field": "locale", "op": "=", "value": "pl"}}).complex


def test_a_group_of_one_row_is_that_row_and_spare_rows_are_ignored():
    rows = (C("locale", "=", "pl"), G("any", (C("channel", "=", "web"), C())), C())
    assert rr.build_condition("all", rows) == {
        "all": [
            {"field": "locale", "op": "=", "value": "pl"},
            {"field": "channel", "op": "=", "value": "web"},
        ]
    }


def test_an_empty_group_is_refused_at_the_group_and_bad_rows_by_their_place_in_the_page():
    rows = (C("locale", "=", "pl"), G("any", (C(), C())), G("all", (C("x", "<", "six"),)))
    with pytest.raises(rr.RuleInputError) as refused:
        rr.build_condition("all", rows)
    problems = {(where, code) for where, code, _params in refused.value.problems}
    # Rows are counted in page order, groups opened: the empty group's two, then "x".
    assert problems == {("groups[1]", "empty_group"), ("clauses[3].value", "not_a_number")}


def test_too_many_groups_or_rows_are_refused():
    groups = tuple(G("any", (C("locale", "=", "pl"),)) for _ in range(rr.MAX_GROUPS + 1))
    with pytest.raises(rr.RuleInputError) as refused:
        rr.build_condition("all", groups)
    assert refused.value.problems[0][1] == "too_many_groups"
    rows = (G("any", tuple(C("locale", "=", "pl") for _ in range(rr.MAX_CLAUSES + 1))),)
    with pytest.raises(rr.RuleInputError) as refused:
        rr.build_condition("all", rows)
    assert refused.value.problems[0][1] == "too_many_clauses"


def test_a_condition_saved_untouched_is_kept_exactly_even_where_the_boxes_cannot_say_it():
    # A quoted "6" reads back as the text 6, which the builder would store as the number 6.
    original = {
        "any": [
            {"field": "metadata.plan", "op": "=", "value": "6"},
            {
                "all": [
                    {"field": "locale", "op": "=", "value": "pl"},
                    {"field": "x", "op": "exists"},
                ]
            },
        ]
    }
    form = rr.condition_form(original)
    assert rr.build_condition("all", (C("metadata.plan", "=", "6"),)) == {
        "field": "metadata.plan",
        "op": "=",
        "value": 6,
    }
    kept = rr.build_condition(form.mode, form.clauses, original)
    assert kept == original and kept is not original
    changed = rr.build_condition(form.mode, (*form.clauses, C("channel", "=", "web")), original)
    assert changed != original


def test_writing_routing_unchanged_gives_the_text_back_as_it_was():
    text = "# mine\nrouting:\n  rules: [{name: a, when: {field: locale, op: '=', value: pl}}]\n"
    assert rr.write_routing(text, rr.read_document(text)) == text


def test_the_builder_buttons_add_and_remove_rows_and_groups():
    rows = [C("locale", "=", "pl")]
    grouped = cg.edit("all", rows, "add_group", C(), max_rows=20)
    assert grouped == [C("locale", "=", "pl"), G("any", (C(), C()))]  # the other way round
    grouped = cg.edit("all", grouped, "add_to:1", C(), max_rows=20)
    assert len(grouped[1].rows) == 3
    assert cg.edit("all", grouped, "remove:2", C(), max_rows=20)[1].rows == (C(), C())
    assert cg.edit("all", grouped, "remove_group:1", C(), max_rows=20) == rows
    assert cg.edit("all", grouped, "remove_group:9", C(), max_rows=20) == grouped
    assert cg.edit("all", rows, "add_group", C(), max_rows=2) == rows  # no room for two


def test_posted_rows_are_put_back_in_their_groups_by_place():
    posted = [("0", "a"), ("1", "b"), ("1", "c"), ("2", "d"), ("", "e")]
    assert cg.arrange(posted, [("1", "all"), ("7", "nonsense")]) == [
        "a",
        G("all", ("b", "c")),
        "d",
        G("all", ()),  # a group whose rows were all removed stays, to be refused or removed
        "e",
    ]


# -- the pickers' kinds --------------------------------------------------------------------


def test_a_row_shows_the_score_group_of_its_score_type():
    keys = {rf.category_key(t) for t in rf.SCORE_TYPES} | {"locale"}
    assert rf.key_of(C("score.category", "=", "detractor"), keys) == "score.category:nps"
    assert rf.key_of(C("score.category", "in", "difficult, neutral"), keys) == (
        "score.category:ces"
    )
    assert rf.key_of(C("score.category", "=", "nonsense"), keys) == rf.OTHER
    assert rf.key_of(C("customer.plan", "=", "gold"), keys) == rf.OTHER
    assert rf.key_of(C("locale", "=", "pl"), keys) == "locale"
    assert rf.key_of(C(), keys) == ""
    # The CES group "neutral" is CSAT's too: the row is tied to the type the admin chose.
    chosen = rf.clause_of("score.category:ces", "", "=", "neutral")
    assert chosen == C("score.category", "=", "neutral", score_type="ces")
    assert rf.key_of(chosen, keys) == "score.category:ces"


def test_is_empty_is_exists_with_the_value_no_and_other_fields_are_typed():
    assert rf.clause_of("answers.comment", "", "missing", "x") == C(
        "answers.comment", "exists", "no"
    )
    assert rf.row_op(C("answers.comment", "exists", "no")) == rf.MISSING
    assert rf.clause_of("locale", "", "exists", "no") == C("locale", "exists", "no")
    assert rf.clause_of("answers.comment", "", "exists", "x") == C("answers.comment", "exists", "")
    typed = rf.clause_of(rf.OTHER, " customer.plan ", "=", "gold")
    assert (typed.field, typed.other) == ("customer.plan", True)
    assert not rf.clause_of(rf.OTHER, "", "=", "").blank  # "Other field…" chosen, not typed


@pytest.mark.parametrize(
    ("kind", "op", "widget"),
    [
        ("pick", "=", "select"),
        ("pick", "in", "checkboxes"),
        ("pick", "not_in", "checkboxes"),
        ("category", "in", "checkboxes"),
        ("category", "=", "select"),
        ("text", "in", "text"),
        ("number", "not_in", "text"),
        ("number", "<=", "number"),
        ("number", "exists", "none"),
        ("multi_choice", "contains", "select"),
        ("text", "contains", "text"),
        ("yes_no", rf.MISSING, "none"),
    ],
)
def test_the_value_control_follows_the_field_and_the_comparison(kind, op, widget):
    assert rf.value_widget(kind, op) == widget


def test_operators_follow_the_field_but_keep_a_stored_rules_own():
    assert rf.operators_for("number") == ("=", "!=", "<", "<=", ">", ">=", "exists", "missing")
    assert rf.operators_for("multi_choice", "=")[-1] == "="
    assert "like" not in rf.operators_for("pick", "like")
    assert rf.answer_kind({"nps"}) == "number" and rf.scale_of({"nps"}) == (0, 10)
    assert rf.answer_kind({"single_choice"}) == "pick"
    assert rf.answer_kind({"single_choice", "short_text"}) == "text"
    assert rf.category_values("nps") == ("detractor", "passive", "promoter")
    assert rf.category_values("goal") == ("completed", "not_completed")


def test_a_changed_field_drops_the_value_picked_for_the_old_one():
    was = rf.clause_of("form", "", "=", "pl")  # the language's value, sent with the form
    switched = rf.after_switch(was, "pick", lambda op: "report-problem")
    assert (switched.field, switched.op, switched.value) == ("form", "=", "report-problem")
    to_multi = rf.after_switch(C("answers.topics", "<=", "6"), "multi_choice", lambda op: "a")
    assert (to_multi.op, to_multi.value) == ("contains", "a")
    to_number = rf.after_switch(C("score.value", "=", "pl"), "number", lambda op: "")
    assert to_number.value == ""
