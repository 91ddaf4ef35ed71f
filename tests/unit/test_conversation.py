"""The step engine: next question, logic, edits that drop answers, piping and answer parsing."""

import pytest

from survey_forms import conversation
from survey_forms.conversation import AnswerError, parse_answer
from survey_forms.definition import Choice, Question, load_form

FORM = load_form("""
slug: demo
languages: [en, pl]
title: {en: Demo, pl: Demo}
questions:
  - id: score
    type: nps
    text: {en: "How likely?", pl: "Jak bardzo?"}
  - id: why
    type: long_text
    required: false
    text: {en: "What went wrong?", pl: "Co poszło nie tak?"}
    show_if: {field: score.category, op: in, value: [detractor, passive]}
  - id: quote
    type: goal
    text: {en: "Can we quote you?", pl: "Czy możemy Cię zacytować?"}
    show_if: {field: score.category, op: "=", value: promoter}
  - id: name
    type: short_text
    required: false
    text: {en: "Your name?", pl: "Imię?"}
endings:
  - when: {field: score.category, op: "=", value: promoter}
    text: {en: "Thanks, {name}!", pl: "Dzięki, {name}!"}
  - text: {en: Thank you., pl: Dziękujemy.}
creates_ticket: {field: score.category, op: "=", value: detractor}
""").definition


def asked(answers):
    question = conversation.next_question(FORM, answers)
    return question.id if question else None


def test_logic_follows_the_score():
    assert asked({}) == "score"
    assert asked({"score": 3}) == "why"
    assert asked({"score": 3, "why": None}) == "name"
    assert asked({"score": 10}) == "quote"
    assert asked({"score": 10, "quote": "yes", "name": "Ola"}) is None


def test_editing_an_earlier_answer_drops_answers_that_no_longer_apply():
    answers = {"score": 3, "why": "slow", "name": "Jan"}
    answers["score"] = 10
    pruned = conversation.prune(FORM, answers)
    assert pruned == {"score": 10, "name": "Jan"}
    assert asked(pruned) == "quote"


def test_progress_counts_only_questions_that_apply():
    assert conversation.progress(FORM, {"score": 10}) == (1, 3)
    assert conversation.progress(FORM, {"score": 3, "why": "x"}) == (2, 3)


def test_endings_and_piping_read_well_with_and_without_a_name():
    assert (
        conversation.ending_text(FORM, {"score": 10, "quote": "no", "name": "Ola"}, "pl")
        == "Dzięki, Ola!"
    )
    assert (
        conversation.ending_text(FORM, {"score": 10, "quote": "no", "name": None}, "en")
        == "Thanks!"
    )
    assert (
        conversation.ending_text(FORM, {"score": 2, "why": None, "name": None}, "en")
        == "Thank you."
    )


def test_ticket_rule_and_score():
    assert conversation.creates_ticket(FORM, {"score": 2})
    assert not conversation.creates_ticket(FORM, {"score": 9})
    assert conversation.score_of(FORM, {"score": 8}) == {
        "type": "nps",
        "question": "score",
        "value": 8,
        "category": "passive",
    }


def test_missing_translation_falls_back_to_the_default_language():
    assert FORM.text({"en": "Hello"}, "pl") == "Hello"


def q(**kw) -> Question:
    return Question(id="q", text={"en": "?"}, **kw)


@pytest.mark.parametrize(
    ("question", "raw", "expected"),
    [
        (q(type="nps"), "7", 7),
        (q(type="csat"), "5", 5),
        (q(type="goal"), "no", "no"),
        (q(type="short_text", max_length=200), "  Ada   Lovelace ", "Ada Lovelace"),
        (q(type="long_text", max_length=50), "line one\r\nline two", "line one\nline two"),
        (q(type="email", max_length=254), "ola@example.pl", "ola@example.pl"),
        (q(type="number", min=0, max=100), "12,5", 12.5),
        (q(type="number"), "42", 42),
        (q(type="date", min="2026-01-01"), "2026-11-23", "2026-11-23"),
        (q(type="consent"), "1", True),
        (q(type="short_text", required=False), "", None),
    ],
)
def test_answers_are_parsed(question, raw, expected):
    assert parse_answer(question, raw) == expected


@pytest.mark.parametrize(
    ("question", "raw", "code"),
    [
        (q(type="nps"), "11", "scale"),
        (q(type="nps"), "seven", "scale"),
        (q(type="nps"), "", "required"),
        (q(type="goal"), "maybe", "choice"),
        (q(type="long_text", max_length=5), "too long", "too_long"),
        (q(type="email"), "not-an-email", "email"),
        # a form may allow a longer answer, but no address is longer than 254 (a ticket's column)
        (q(type="email", max_length=1000), "jan@" + "a" * 250 + ".pl", "email"),
        (q(type="number", max=10), "11", "max"),
        (q(type="number"), "nan", "number"),
        (q(type="date"), "2026-02-30", "date"),
        (q(type="date", max="2026-01-01"), "2026-11-23", "date_max"),
        (q(type="consent"), "", "consent_required"),
    ],
)
def test_bad_answers_are_refused_with_a_code(question, raw, code):
    with pytest.raises(AnswerError) as refused:
        parse_answer(question, raw)
    assert refused.value.code == code


def test_choices_keep_the_forms_order_and_refuse_unknown_values():

    question = q(type="multi_choice", choices=(Choice("a", {"en": "A"}), Choice("b", {"en": "B"})))
    assert parse_answer(question, ["b", "a", "b"]) == ["a", "b"]
    with pytest.raises(AnswerError):
        parse_answer(question, ["a", "<script>"])


def test_unquoted_yaml_yes_no_still_works():
    form = load_form("""
slug: yn
languages: [en]
title: {en: T}
questions:
  - id: ok
    type: single_choice
    text: {en: "Fine?"}
    choices:
      - {value: yes, label: {en: "Yes"}}
      - {value: no, label: {en: "No"}}
  - id: why
    type: short_text
    text: {en: "Why not?"}
    show_if: {field: answers.ok, op: "=", value: no}
""").definition
    assert [c.value for c in form.questions[0].choices] == ["yes", "no"]
    assert asked_in(form, {"ok": "no"}) == "why"
    assert asked_in(form, {"ok": "yes"}) is None


def asked_in(form, answers):
    question = conversation.next_question(form, answers)
    return question.id if question else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{name}, thanks!", "thanks!"),
        ("Thank you, {name}, really.", "Thank you, really."),
        ("Hi {name}…", "Hi…"),
        ("Thanks, {name}!", "Thanks!"),
    ],
)
def test_piping_an_empty_answer_leaves_clean_text(text, expected):
    assert conversation.pipe(text, {"name": None}) == expected


def test_required_must_be_a_boolean():
    result = load_form("""
slug: r
languages: [en]
title: {en: T}
questions:
  - {id: a, type: short_text, text: {en: A}, required: "no"}
""")
    assert any("required: 'no' is not true or false" in str(p) for p in result.problems)


@pytest.mark.parametrize(
    "qtype, one_tap",
    [("nps", True), ("rating", True), ("goal", True), ("single_choice", True)]
    + [("multi_choice", False), ("short_text", False), ("consent", False), ("date", False)],
)
def test_one_tap_questions_are_those_answered_by_a_single_tap(qtype, one_tap):
    assert Question(id="q", type=qtype, text={"en": "?"}).one_tap is one_tap


@pytest.mark.parametrize(
    ("qtype", "raw"),
    [
        ("long_text", "\x00"),
        ("long_text", " \x00\n"),
        ("short_text", "\x00 \x00"),
        ("email", "\x00"),
        ("multi_choice", ["\x00"]),
    ],
)
def test_only_nul_characters_are_no_answer(qtype, raw):
    """NUL is dropped from what was typed (PostgreSQL's text refuses it): an answer of NULs
    alone was taken as given, so a required "What happened?" went through empty."""
    choices = (Choice("a", {"en": "A"}),)
    with pytest.raises(AnswerError) as refused:
        parse_answer(q(type=qtype, choices=choices), raw)
    assert refused.value.code == "required"
    assert parse_answer(q(type=qtype, choices=choices, required=False), raw) is None
