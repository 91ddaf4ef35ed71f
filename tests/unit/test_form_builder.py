"""Form builder operations: plain data in, plain data out, checked by the real loader."""

from pathlib import Path

import pytest

from survey_forms import builder
from survey_forms.conversation import next_question
from survey_forms.definition import load_form
from workflow.conditions import evaluate

BASE = """\
slug: shop
title: {en: Shop, pl: Sklep}
languages: [en, pl]
questions:
  - id: score
    type: nps
    text: {en: "How likely?", pl: "Jak bardzo?"}
  - id: colour
    type: single_choice
    text: {en: "Colour?", pl: "Kolor?"}
    choices:
      - {value: red, label: {en: Red, pl: Czerwony}}
      - {value: blue, label: {en: Blue, pl: Niebieski}}
endings:
  - text: {en: Thanks, pl: Dzięki}
"""


@pytest.fixture
def data() -> dict:
    return builder.read(BASE)


def problems(data: dict) -> list[str]:
    return [str(p) for p in load_form(builder.dump(data)).problems]


def test_a_new_question_is_appended_with_a_unique_id_and_flagged_until_translated(data):
    first = builder.add_question(data, "long_text")
    second = builder.add_question(data, "long_text")
    assert (first, second) == ("long_text_1", "long_text_2")
    assert builder._ids(data)[-2:] == [first, second]
    assert any("questions[2].text" in p for p in problems(data))
    builder.set_text(data, "questions/long_text_1/text", "en", "Why?")
    builder.set_text(data, "questions/long_text_1/text", "pl", "Dlaczego?")
    builder.set_text(data, "questions/long_text_2/text", "en", "More?")
    builder.set_text(data, "questions/long_text_2/text", "pl", "Coś jeszcze?")
    assert problems(data) == []


def test_a_new_choice_question_starts_with_two_choices(data):
    qid = builder.add_question(data, "multi_choice")
    assert [c["value"] for c in builder.question(data, qid)["choices"]] == ["option_1", "option_2"]


def test_unknown_type_and_unknown_question_are_refused(data):
    with pytest.raises(builder.BuilderError) as refused:
        builder.add_question(data, "hologram")
    assert refused.value.code == "unknown_type"
    for operation in (
        lambda: builder.remove_question(data, "nope"),
        lambda: builder.move_question(data, "nope", 1),
        lambda: builder.set_text(data, "questions/nope/text", "en", "x"),
    ):
        with pytest.raises(builder.BuilderError, match="unknown_question"):
            operation()


def test_moving_and_reordering(data):
    builder.move_question(data, "colour", -1)
    assert builder._ids(data) == ["colour", "score"]
    builder.move_question(data, "colour", -1)  # already first: stays
    assert builder._ids(data) == ["colour", "score"]
    builder.reorder_questions(data, ["score", "colour"])
    assert builder._ids(data) == ["score", "colour"]
    with pytest.raises(builder.BuilderError, match="bad_order"):
        builder.reorder_questions(data, ["score"])
    with pytest.raises(builder.BuilderError, match="bad_order"):
        builder.reorder_questions(data, ["score", "score"])


def test_removing_a_question_leaves_conditions_on_it_flagged(data):
    condition = builder.build_condition(data, "all", [("score", "<=", "6")])
    builder.set_show_if(data, "colour", condition)
    builder.move_question(data, "colour", -1)
    assert any("later question 'score'" in p for p in problems(data))
    builder.remove_question(data, "score")
    assert any("unknown question 'score'" in p for p in problems(data))


def test_rename_follows_into_conditions_and_subject(data):
    data["subject"] = "score"
    builder.set_show_if(data, "colour", builder.build_condition(data, "all", [("score", ">", "8")]))
    builder.rename_question(data, "score", "nps")
    assert builder.question(data, "colour")["show_if"] == {
        "field": "answers.nps",
        "op": ">",
        "value": 8,
    }
    assert data["subject"] == "nps"
    with pytest.raises(builder.BuilderError, match="bad_id"):
        builder.rename_question(data, "nps", "Not An Id")
    with pytest.raises(builder.BuilderError, match="duplicate_id"):
        builder.rename_question(data, "nps", "colour")


def test_type_change_drops_what_the_new_type_cannot_have(data):
    builder.change_type(data, "colour", "short_text")
    assert "choices" not in builder.question(data, "colour")
    builder.set_validation(data, "colour", {"max_length": "80"})
    assert builder.question(data, "colour")["validation"] == {"max_length": 80}
    builder.change_type(data, "colour", "number")
    assert "validation" not in builder.question(data, "colour")
    builder.set_validation(data, "colour", {"min": "1", "max": "2.5", "max_length": "9"})
    assert builder.question(data, "colour")["validation"] == {"min": 1, "max": 2.5}
    assert problems(data) == []


@pytest.mark.parametrize(
    "values, code",
    [
        ({"min": "lots"}, "bad_number"),
        ({"min": "9" * 40}, "bad_number"),
        ({"min": "nan"}, "bad_number"),
        ({"max": "1e300"}, "bad_number"),
    ],
)
def test_bad_limits_are_refused(data, values, code):
    builder.change_type(data, "colour", "number")
    with pytest.raises(builder.BuilderError, match=code):
        builder.set_validation(data, "colour", values)


def test_max_length_is_bounded(data):
    builder.change_type(data, "colour", "long_text")
    with pytest.raises(builder.BuilderError, match="out_of_range"):
        builder.set_validation(data, "colour", {"max_length": "999999"})


def test_choices_add_rename_remove(data):
    builder.add_choice(data, "colour")
    builder.set_text(data, "questions/colour/choices/2", "pl", "Zielony")
    builder.set_choice_value(data, "colour", 2, "green")
    choices = builder.question(data, "colour")["choices"]
    assert choices[2] == {"value": "green", "label": {"pl": "Zielony"}}
    assert any("choices[2].label.en" in p for p in problems(data))  # flagged, not refused
    with pytest.raises(builder.BuilderError, match="duplicate_choice"):
        builder.set_choice_value(data, "colour", 2, "red")
    builder.remove_choice(data, "colour", 0)
    assert [c["value"] for c in builder.question(data, "colour")["choices"]] == ["blue", "green"]
    with pytest.raises(builder.BuilderError, match="no_choices"):
        builder.add_choice(data, "score")
    with pytest.raises(builder.BuilderError, match="unknown_choice"):
        builder.remove_choice(data, "colour", 7)


def test_texts_per_language_and_removal_of_an_optional_one(data):
    builder.set_text(data, "questions/score/help", "pl", "  Pomoc  ")
    assert builder.text_at(data, "questions/score/help") == {"pl": "Pomoc"}
    builder.set_text(data, "questions/score/help", "pl", "")
    assert "help" not in builder.question(data, "score")
    builder.set_text(data, "questions/score/labels.low", "en", "Never")
    assert builder.question(data, "score")["labels"] == {"low": {"en": "Never"}}
    builder.set_text(data, "intro", "en", "Hi")
    builder.set_text(data, "endings/0", "pl", "Dziękujemy")
    assert data["intro"] == {"en": "Hi"} and data["endings"][0]["text"]["pl"] == "Dziękujemy"
    with pytest.raises(builder.BuilderError, match="unknown_target"):
        builder.set_text(data, "questions/colour/labels.low", "en", "x")  # not a scale
    with pytest.raises(builder.BuilderError, match="unknown_language"):
        builder.set_text(data, "title", "xx", "x")
    with pytest.raises(builder.BuilderError, match="too_long"):
        builder.set_text(data, "title", "en", "x" * 5000)


def test_a_plain_string_text_becomes_a_mapping_in_the_default_language():
    data = builder.read(BASE.replace("title: {en: Shop, pl: Sklep}", "title: Shop"))
    builder.set_text(data, "title", "pl", "Sklep")
    assert data["title"] == {"en": "Shop", "pl": "Sklep"}


def test_conditions_single_all_any_and_the_evaluator_agrees(data):
    single = builder.build_condition(data, "all", [("score", "<=", "6")])
    assert single == {"field": "answers.score", "op": "<=", "value": 6}
    both = builder.build_condition(
        data, "any", [("score", "<=", "6"), ("colour", "=", "blue")], before=None
    )
    assert both == {
        "any": [
            {"field": "answers.score", "op": "<=", "value": 6},
            {"field": "answers.colour", "op": "=", "value": "blue"},
        ]
    }
    qid = builder.add_question(data, "long_text")
    builder.set_text(data, f"questions/{qid}/text", "en", "Why?")
    builder.set_text(data, f"questions/{qid}/text", "pl", "Czemu?")
    builder.set_show_if(data, qid, single)
    definition = load_form(builder.dump(data)).definition
    assert next_question(definition, {"score": 3, "colour": "red"}).id == qid
    assert next_question(definition, {"score": 9, "colour": "red"}) is None
    assert builder.read_condition(both) == builder.ConditionRows(
        "any",
        (builder.ConditionRow("score", "<=", 6), builder.ConditionRow("colour", "=", "blue")),
    )


def test_answered_and_not_answered(data):
    made = builder.build_condition(
        data, "all", [("colour", "exists", "x"), ("score", "missing", "")]
    )
    assert made == {
        "all": [
            {"field": "answers.colour", "op": "exists"},
            {"field": "answers.score", "op": "exists", "value": False},
        ]
    }
    assert [r.op for r in builder.read_condition(made).rows] == ["exists", "missing"]


@pytest.mark.parametrize(
    "value, shown, answered_holds",
    [(None, "exists", True), (True, "exists", True), (False, "missing", False)]
    + [("no", "missing", False), ("yes", "missing", False)],  # as the evaluator reads them
)
def test_answered_rows_read_an_exists_value_as_the_evaluator_does(value, shown, answered_holds):
    condition = {"field": "answers.colour", "op": "exists"}
    if value is not None:
        condition["value"] = value
    assert builder.read_condition(condition).rows[0].op == shown
    assert evaluate(condition, {"answers": {"colour": "red"}}) is answered_holds


@pytest.mark.parametrize(
    "row, code",
    [
        (("colour", "<=", "6"), "bad_operator"),  # a choice has no order
        (("score", "<=", "11"), "out_of_range"),  # outside the NPS scale
        (("score", "<=", "six"), "bad_number"),
        (("colour", "=", "purple"), "bad_value"),  # not one of its choices
        (("ghost", "=", "x"), "unknown_question"),
    ],
)
def test_bad_condition_rows_are_refused(data, row, code):
    with pytest.raises(builder.BuilderError, match=code):
        builder.build_condition(data, "all", [row])


def test_show_if_may_only_use_earlier_questions(data):
    with pytest.raises(builder.BuilderError, match="later_question"):
        builder.build_condition(data, "all", [("colour", "=", "red")], before="score")
    with pytest.raises(builder.BuilderError, match="later_question"):
        builder.build_condition(data, "all", [("colour", "=", "red")], before="colour")


def test_conditions_the_builder_cannot_show_are_reported_as_such():
    score = ("score", "nps")
    assert builder.read_condition({"field": "score.category", "op": "=", "value": "x"}) is None
    assert builder.read_condition({"field": "locale", "op": "=", "value": "pl"}, score) is None
    assert builder.read_condition({"not": {"field": "answers.a", "op": "exists"}}) is None
    assert builder.read_condition({"field": "answers.a", "op": "in", "value": [1]}) is None
    assert builder.read_condition(None) == builder.ConditionRows()


def test_endings_and_ticket_rule(data):
    index = builder.add_ending(data)
    assert index == 0  # before the catch-all ending
    builder.set_ending_when(data, 0, builder.build_condition(data, "all", [("score", ">=", "9")]))
    assert list(data["endings"][0]) == ["when", "text"]
    builder.set_creates_ticket(data, builder.build_condition(data, "all", [("score", "<", "7")]))
    assert data["creates_ticket"]["op"] == "<"
    builder.remove_ending(data, 1)
    assert len(data["endings"]) == 1
    with pytest.raises(builder.BuilderError, match="unknown_ending"):
        builder.remove_ending(data, 5)


def test_origins_are_https_and_normalised(data):
    builder.add_origin(data, " https://Shop.Example.com/ ")
    builder.add_origin(data, "https://shop.example.com")
    assert data["allowed_origins"] == ["https://shop.example.com"]
    for bad in ("http://shop.example.com", "https://shop.example.com/path", "javascript:x", "x"):
        with pytest.raises(builder.BuilderError, match="bad_origin"):
            builder.add_origin(data, bad)
    builder.remove_origin(data, "https://shop.example.com")
    assert "allowed_origins" not in data
    assert problems(data) == []


def test_languages(data):
    builder.add_language(data, "ru")
    assert data["languages"] == ["en", "pl", "ru"]
    assert any("text.ru" in p for p in problems(data))
    builder.set_default_language(data, "pl")
    with pytest.raises(builder.BuilderError, match="default_language"):
        builder.remove_language(data, "pl")
    builder.remove_language(data, "ru")
    builder.remove_language(data, "en")
    assert data["languages"] == ["pl"] and data["title"]["en"] == "Shop"  # texts kept
    with pytest.raises(builder.BuilderError, match="unknown_language"):
        builder.add_language(data, "xx")


def test_unreadable_drafts_are_refused_and_edited_leaves_the_original_alone(data):
    for text in ("slug: [oops", "- a list", "a: &x 1\nb: *x\n"):
        with pytest.raises(builder.BuilderError, match="unreadable"):
            builder.read(text)
    before = builder.dump(data)
    with pytest.raises(builder.BuilderError):
        builder.edited(
            data, lambda d: (builder.add_question(d, "nps"), builder.remove_question(d, "x"))
        )
    assert builder.dump(data) == before


def test_dump_keeps_order_and_unicode(data):
    text = builder.dump(data)
    assert text.startswith("slug: shop\ntitle:") and "Dzięki" in text
    assert load_form(text).ok


def test_renaming_a_choice_value_follows_into_conditions(data):
    qid = builder.add_question(data, "long_text")
    builder.set_show_if(data, qid, builder.build_condition(data, "all", [("colour", "=", "red")]))
    data["creates_ticket"] = {"field": "answers.colour", "op": "in", "value": ["red", "blue"]}
    builder.set_choice_value(data, "colour", 0, "crimson")
    assert builder.question(data, qid)["show_if"]["value"] == "crimson"
    assert data["creates_ticket"]["value"] == ["crimson", "blue"]


# ---- conditions on the score's group (score.category) ----------------------------------

NPS_TEMPLATE = Path(__file__).parents[2] / "survey_forms" / "templates" / "nps.yaml"


def test_the_built_in_nps_conditions_read_as_group_rows_and_rebuild_identically():
    data = builder.read(NPS_TEMPLATE.read_text(encoding="utf-8"))
    outline = builder.outline(data)
    assert outline.score_question == "score"
    shown = {q.id: q for q in outline.questions}
    assert shown["what_went_wrong"].show_if_rows == builder.ConditionRows(
        "all", (builder.ConditionRow("score", "category", "detractor,passive"),)
    )
    assert shown["testimonial"].show_if_rows.rows == (
        builder.ConditionRow("score", "category", "promoter"),
    )
    assert outline.endings[0].when_rows == builder.ConditionRows(
        "all",
        (
            builder.ConditionRow("score", "category", "promoter"),
            builder.ConditionRow("testimonial_text", "exists"),
        ),
    )
    assert outline.creates_ticket_rows == builder.ConditionRows(
        "any",
        (
            builder.ConditionRow("score", "category", "detractor"),
            builder.ConditionGroup(
                "all",
                (
                    builder.ConditionRow("score", "category", "passive"),
                    builder.ConditionRow("what_went_wrong", "exists"),
                ),
            ),
        ),
    )
    detractor, group = outline.creates_ticket_rows.rows
    rebuilt = builder.build_condition(data, "any", [("score", "category", "detractor"), group])
    assert rebuilt == outline.creates_ticket
    # saving each condition as the builder shows it stores exactly what was there
    for question in outline.questions[1:]:
        rows = question.show_if_rows
        rebuilt = builder.build_condition(
            data,
            rows.combine,
            [(r.question, r.op, r.value or "") for r in rows.rows],
            before=question.id,
        )
        assert rebuilt == question.show_if
    for ending in outline.endings:
        rows = ending.when_rows
        rows_text = [(r.question, r.op, r.value or "") for r in rows.rows]
        assert builder.build_condition(data, rows.combine, rows_text) == ending.when


def test_a_group_condition_behaves_in_the_conversation_as_the_yaml_did(data):
    qid = builder.add_question(data, "long_text")
    builder.set_text(data, f"questions/{qid}/text", "en", "What went wrong?")
    builder.set_text(data, f"questions/{qid}/text", "pl", "Co poszło źle?")
    condition = builder.build_condition(
        data, "all", [("score", "category", "detractor,passive")], before=qid
    )
    assert condition == {"field": "score.category", "op": "in", "value": ["detractor", "passive"]}
    builder.set_show_if(data, qid, condition)
    definition = load_form(builder.dump(data)).definition
    assert next_question(definition, {"score": 8, "colour": "red"}).id == qid
    assert next_question(definition, {"score": 9, "colour": "red"}) is None
    one = builder.build_condition(data, "all", [("score", "category", "promoter")])
    assert one == {"field": "score.category", "op": "=", "value": "promoter"}


def test_groups_per_scored_type():
    assert builder.category_groups("nps")[:3] == ("detractor", "passive", "promoter")
    assert "detractor,passive" in builder.category_groups("nps")
    assert builder.category_groups("ces")[3] == "difficult,neutral"
    assert builder.category_groups("goal") == ("completed", "not_completed")
    assert builder.category_groups("short_text") == ()


def test_only_scored_questions_have_groups(data):
    with pytest.raises(builder.BuilderError, match="bad_operator"):
        builder.build_condition(data, "all", [("colour", "category", "detractor")])


def test_a_later_scored_question_has_groups_stored_as_its_answers(data):
    """`score.category` reads the first scored answer; a second one's group lists its answers."""
    data["questions"].append({"id": "csat", "type": "csat", "text": {"en": "Happy?", "pl": "Ok?"}})
    data["questions"].append({"id": "done", "type": "goal", "text": {"en": "Done?", "pl": "Ok?"}})
    rows = [("score", "category", "promoter"), ("csat", "category", "unsatisfied,neutral")]
    built = builder.build_condition(data, "all", rows)
    assert built == {
        "all": [
            {"field": "score.category", "op": "=", "value": "promoter"},
            {"field": "answers.csat", "op": "in", "value": [1, 2, 3]},
        ]
    }
    goal = builder.build_condition(data, "all", [("done", "category", "not_completed")])
    assert goal == {"field": "answers.done", "op": "in", "value": ["no"]}
    types = builder.question_types(data)
    read = builder.read_condition(built, ("score", "nps"), types)
    assert read.rows[1] == builder.ConditionRow("csat", "category", "unsatisfied,neutral")
    assert builder.read_condition(goal, None, types).rows[0].op == "category"
    odd = {"field": "answers.csat", "op": "in", "value": [1, 3]}  # no group holds just these
    assert builder.read_condition(odd, None, types) is None
    data["questions"].append({"id": "after", "type": "long_text", "text": {"en": "?", "pl": "?"}})
    builder.set_show_if(data, "after", built)
    definition = load_form(builder.dump(data)).definition
    asked = {"score": 9, "colour": "red", "csat": 3, "done": "yes"}
    assert next_question(definition, asked).id == "after"
    assert next_question(definition, {**asked, "csat": 4}) is None


def test_one_level_of_groups_is_built_and_deeper_nesting_is_not_shown_as_rows(data):
    rows = [
        ("score", "<=", "6"),
        builder.ConditionGroup(
            "any", (builder.ConditionRow("score", "=", "7"), builder.ConditionRow("score", "=", 0))
        ),
        builder.ConditionGroup("all", (builder.ConditionRow("score", ">=", "9"),)),
    ]
    built = builder.build_condition(data, "any", rows)
    assert built == {
        "any": [
            {"field": "answers.score", "op": "<=", "value": 6},
            {
                "any": [
                    {"field": "answers.score", "op": "=", "value": 7},
                    {"field": "answers.score", "op": "=", "value": 0},
                ]
            },
            {"field": "answers.score", "op": ">=", "value": 9},  # a group of one is its row
        ]
    }
    assert builder.read_condition(built).rows[1] == builder.ConditionGroup(
        "any", (builder.ConditionRow("score", "=", 7), builder.ConditionRow("score", "=", 0))
    )
    deeper = {"any": [{"all": [{"any": [{"field": "answers.score", "op": "exists"}]}]}]}
    assert builder.read_condition(deeper) is None
    assert builder.read_condition({"any": [{"all": []}]}) is None
    with pytest.raises(builder.BuilderError) as empty:
        builder.build_condition(data, "all", [("score", "<", "7"), builder.ConditionGroup("any")])
    assert (empty.value.code, empty.value.group) == ("empty_group", 1)
    bad = builder.ConditionGroup("all", (builder.ConditionRow("score", "<", "eleven"),))
    with pytest.raises(builder.BuilderError) as refused:
        builder.build_condition(data, "all", [("score", "<", "7"), bad])
    assert refused.value.row == 1  # the second row on the page, the first of the group


def test_an_unknown_group_is_refused_and_odd_group_conditions_are_not_shown_as_rows(data):
    with pytest.raises(builder.BuilderError, match="bad_value"):
        builder.build_condition(data, "all", [("score", "category", "satisfied")])
    score = ("score", "nps")
    odd = [
        {"field": "score.category", "op": "!=", "value": "promoter"},
        {"field": "score.category", "op": "=", "value": "happy"},
        {"field": "score.category", "op": "in", "value": ["detractor", "passive", "promoter"]},
    ]
    for condition in odd:
        assert builder.read_condition(condition, score) is None
    plain = {"field": "score.category", "op": "=", "value": "promoter"}
    assert builder.read_condition(plain) is None  # no score question in the form
