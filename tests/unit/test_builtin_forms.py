"""The shipped forms (survey_forms/templates): complete in every language, logic that branches
as intended, endings that read well; and the validator's answers to broken form YAML."""

from __future__ import annotations

import textwrap
from functools import cache
from pathlib import Path

import pytest

from survey_forms import conversation
from survey_forms.conversation import AnswerError, parse_answer
from survey_forms.definition import FormDefinition, FormLoadResult, load_form
from workflow.conditions import evaluate

TEMPLATES = Path(__file__).resolve().parents[2] / "survey_forms" / "templates"
SLUGS = ("csat", "goal", "nps", "report-problem")
LANGS = ("en", "pl", "ru", "sl")


@cache
def loaded(slug: str) -> FormLoadResult:
    return load_form((TEMPLATES / f"{slug}.yaml").read_text(encoding="utf-8"))


def form(slug: str) -> FormDefinition:
    result = loaded(slug)
    assert result.ok, [str(p) for p in result.problems]
    return result.definition


def walk(definition: FormDefinition, replies: dict, **context) -> list[str]:
    """The ids asked, in order, answering each from `replies` (a missing reply skips)."""
    answers: dict = {}
    asked = []
    while (question := conversation.next_question(definition, answers, **context)) is not None:
        assert question.id not in asked, f"{question.id} asked twice"
        asked.append(question.id)
        answers[question.id] = replies.get(question.id)
    return asked


def answers_after(definition: FormDefinition, replies: dict, **context) -> dict:
    """The answers a respondent ends with (skipped questions stored as None)."""
    return {qid: replies.get(qid) for qid in walk(definition, replies, **context)}


# --- every template -----------------------------------------------------------------------


def test_the_four_builtin_forms_are_shipped():
    assert tuple(sorted(p.stem for p in TEMPLATES.glob("*.yaml"))) == SLUGS


@pytest.mark.parametrize("slug", SLUGS)
def test_template_loads_without_problems(slug):
    result = loaded(slug)
    assert result.problems == ()
    assert result.ok
    # install_builtin_forms() publishes each file under its file name
    assert result.definition.slug == slug


@pytest.mark.parametrize("slug", SLUGS)
def test_template_speaks_all_four_languages(slug):
    definition = form(slug)
    assert definition.languages == LANGS
    assert definition.default_language == "en"


def _customer_texts(definition: FormDefinition):
    """(where, texts) for every text a customer reads, except placeholders and the bot name."""
    yield "title", definition.title
    if definition.intro:
        yield "intro", definition.intro
    for q in definition.questions:
        yield f"{q.id}.text", q.text
        for name in ("help", "low_label", "high_label"):
            if getattr(q, name):
                yield f"{q.id}.{name}", getattr(q, name)
        for choice in q.choices:
            yield f"{q.id}.choices.{choice.value}", choice.label
    for index, ending in enumerate(definition.endings):
        yield f"endings[{index}]", ending.text


@pytest.mark.parametrize("slug", SLUGS)
def test_every_text_is_translated_not_copied(slug):
    for where, texts in _customer_texts(form(slug)):
        assert set(texts) == set(LANGS), where
        for lang in LANGS:
            assert texts[lang].strip() == texts[lang] and texts[lang], (where, lang)
            assert "  " not in texts[lang], (where, lang)
            if lang != "en":
                assert texts[lang] != texts["en"], (where, lang)


@pytest.mark.parametrize("slug", SLUGS)
def test_texts_read_well_when_a_piped_answer_is_empty(slug):
    # The validator checks pipes in question texts and endings only, so keep them out of the
    # rest; and an empty answer must not leave ",," or a leading comma behind.
    for where, texts in _customer_texts(form(slug)):
        for lang, text in texts.items():
            piped = conversation.pipe(text, {})
            assert "{" not in piped and ",," not in piped, (where, lang, piped)
            assert piped[0].isalnum() or piped[0] in "¿¡", (where, lang, piped)
            if "{" in text:
                assert where.endswith(".text") or where.startswith("endings"), (where, lang)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_form_has_a_default_ending(slug):
    endings = form(slug).endings
    assert endings and endings[-1].when is None


# --- NPS ------------------------------------------------------------------------------------


def test_nps_detractor_is_asked_what_to_improve_never_for_a_testimonial():
    nps = form("nps")
    asked = walk(nps, {"score": 3, "what_went_wrong": "Slow delivery"})
    assert asked == ["score", "what_went_wrong", "name", "email"]
    assert "testimonial" not in walk(nps, {"score": 0})


def test_nps_passive_is_asked_what_to_improve_too():
    assert walk(form("nps"), {"score": 8}) == ["score", "what_went_wrong", "name", "email"]


def test_nps_promoter_is_asked_for_a_testimonial_and_its_text_only_after_yes():
    nps = form("nps")
    assert walk(nps, {"score": 10, "testimonial": "yes"}) == [
        "score",
        "testimonial",
        "testimonial_text",
        "name",
        "email",
    ]
    assert walk(nps, {"score": 9, "testimonial": "no"}) == ["score", "testimonial", "name", "email"]
    assert conversation.next_question(nps, {"score": 10}).id == "testimonial"


def test_nps_testimonial_choices_are_the_strings_yes_and_no():
    # Unquoted yes/no in YAML are booleans: the choice would become "True" and never match.
    testimonial = form("nps").question("testimonial")
    assert [c.value for c in testimonial.choices] == ["yes", "no"]
    assert parse_answer(testimonial, "yes") == "yes"
    assert parse_answer(testimonial, "no") == "no"


def test_nps_score_labels_and_optional_contact_questions():
    nps = form("nps")
    score = nps.question("score")
    assert score.scale == (0, 10)
    assert score.low_label["en"] == "Not at all likely"
    assert score.high_label["en"] == "Extremely likely"
    for qid in ("what_went_wrong", "testimonial_text", "name", "email"):
        assert nps.question(qid).required is False, qid
    assert nps.question("email").type == "email"
    assert parse_answer(nps.question("name"), "") is None


@pytest.mark.parametrize(
    ("replies", "ticket"),
    [
        ({"score": 0}, True),
        ({"score": 6, "what_went_wrong": "Too expensive"}, True),
        ({"score": 7}, False),
        ({"score": 8, "what_went_wrong": "The app is slow"}, True),
        ({"score": 9, "testimonial": "no"}, False),
        ({"score": 10, "testimonial": "yes", "testimonial_text": "Great!"}, False),
    ],
)
def test_nps_ticket_rule(replies, ticket):
    nps = form("nps")
    assert conversation.creates_ticket(nps, answers_after(nps, replies)) is ticket


def test_nps_hidden_fields_subject_and_bot():
    nps = form("nps")
    assert {f.name: f.signed for f in nps.hidden_fields} == {"order": False, "customer_id": True}
    assert nps.subject_question == "what_went_wrong"
    assert set(nps.bot_name) == set(LANGS)


@pytest.mark.parametrize("lang", LANGS)
def test_nps_endings_differ_for_promoters_and_detractors(lang):
    nps = form("nps")
    promoter = conversation.ending_text(nps, {"score": 10, "testimonial": "no"}, lang)
    detractor = conversation.ending_text(nps, {"score": 2}, lang)
    passive = conversation.ending_text(nps, {"score": 7}, lang)
    quoted = conversation.ending_text(
        nps, {"score": 10, "testimonial": "yes", "testimonial_text": "Love it"}, lang
    )
    assert len({promoter, detractor, passive, quoted}) == 4


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", ["Ola", None, ""])
@pytest.mark.parametrize(
    "replies",
    [
        {"score": 10, "testimonial": "yes", "testimonial_text": "Great support"},
        {"score": 10, "testimonial": "no"},
        {"score": 3},
        {"score": 8},
    ],
)
def test_nps_endings_read_well_with_and_without_a_name(lang, name, replies):
    nps = form("nps")
    text = conversation.ending_text(nps, {**replies, "name": name}, lang)
    assert text and "{" not in text and "  " not in text
    for stray in (", !", ",!", " !", ",.", " .", ",,"):
        assert stray not in text, (stray, text)
    ending = next(e for e in nps.endings if evaluate(e.when, conversation.facts(nps, replies)))
    if name and "{name}" in ending.text[lang]:
        assert f", {name}!" in text


def test_nps_promoter_ending_in_english_with_and_without_a_name():
    nps = form("nps")
    answers = {"score": 10, "testimonial": "no"}
    with_name = conversation.ending_text(nps, {**answers, "name": "Ola"}, "en")
    without = conversation.ending_text(nps, {**answers, "name": None}, "en")
    assert with_name.startswith("Thank you, Ola! ")
    assert without.startswith("Thank you! ")


# --- CSAT -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "asked", "ticket"),
    [
        (1, ["csat", "comment"], True),
        (2, ["csat", "comment"], True),
        (3, ["csat", "comment"], False),
        (4, ["csat", "comment_positive"], False),
        (5, ["csat", "comment_positive"], False),
    ],
)
def test_csat_follow_up_and_ticket_depend_on_satisfaction(score, asked, ticket):
    csat = form("csat")
    assert walk(csat, {"csat": score}) == asked
    assert conversation.creates_ticket(csat, answers_after(csat, {"csat": score})) is ticket


def test_csat_details():
    csat = form("csat")
    assert csat.question("csat").scale == (1, 5)
    assert not csat.question("comment").required
    assert not csat.question("comment_positive").required
    assert [(f.name, f.signed) for f in csat.hidden_fields] == [("ticket", True)]


@pytest.mark.parametrize("lang", LANGS)
def test_csat_endings_follow_satisfaction(lang):
    csat = form("csat")
    endings = {conversation.ending_text(csat, {"csat": score}, lang) for score in (1, 3, 5)}
    assert len(endings) == 3
    assert conversation.ending_text(csat, {"csat": 2}, lang) == conversation.ending_text(
        csat, {"csat": 1}, lang
    )


# --- report a problem -------------------------------------------------------------------------


def test_report_problem_always_creates_a_ticket_with_the_description_as_subject():
    report = form("report-problem")
    replies = {"category": "bug", "description": "Checkout button does nothing", "email": "a@b.pl"}
    answers = answers_after(report, replies)
    assert conversation.creates_ticket(report, answers)
    assert report.subject_question == "description"


def test_report_problem_asks_for_the_page_only_when_the_widget_did_not_send_it():
    report = form("report-problem")
    everything = ["category", "description", "page_url", "screenshot", "email"]
    assert walk(report, {}) == everything
    from_widget = walk(report, {}, hidden={"page_url": "https://shop.example.com/cart"})
    assert from_widget == [qid for qid in everything if qid != "page_url"]
    assert [(f.name, f.signed) for f in report.hidden_fields] == [("page_url", False)]


def test_report_problem_questions():
    report = form("report-problem")
    category = report.question("category")
    assert [c.value for c in category.choices] == ["bug", "payment", "delivery", "account", "other"]
    assert parse_answer(category, "payment") == "payment"
    assert report.question("screenshot").type == "file"
    assert not report.question("screenshot").required
    assert not report.question("page_url").required
    for required in ("description", "email"):
        with pytest.raises(AnswerError) as error:
            parse_answer(report.question(required), "")
        assert error.value.code == "required"
    with pytest.raises(AnswerError):
        parse_answer(report.question("email"), "not-an-email")


# --- goal -----------------------------------------------------------------------------------


def test_goal_yes_ends_at_once_without_asking_for_an_email():
    goal = form("goal")
    assert walk(goal, {"goal": "yes"}) == ["goal"]
    assert conversation.next_question(goal, {"goal": "yes"}) is None
    assert not conversation.creates_ticket(goal, {"goal": "yes"})


def test_goal_no_asks_what_stopped_you_and_creates_a_ticket():
    goal = form("goal")
    replies = {"goal": "no", "what_stopped_you": "Could not find prices"}
    assert walk(goal, replies) == ["goal", "what_stopped_you", "looking_for", "email"]
    assert goal.question("what_stopped_you").required
    assert not goal.question("looking_for").required
    assert not goal.question("email").required  # asked only here, and optional
    assert conversation.creates_ticket(goal, answers_after(goal, replies))
    assert goal.subject_question == "what_stopped_you"


@pytest.mark.parametrize("lang", LANGS)
def test_goal_endings_differ(lang):
    goal = form("goal")
    found = conversation.ending_text(goal, {"goal": "yes"}, lang)
    missed = conversation.ending_text(goal, {"goal": "no", "what_stopped_you": "x"}, lang)
    assert found and missed and found != missed


REPLY_BY_MAIL = {"en": "by e-mail", "pl": "mailowo", "ru": "по e-mail", "sl": "po e-pošti"}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("slug", "answers"),
    [("nps", {"score": 2}), ("goal", {"goal": "no", "what_stopped_you": "x"})],
)
def test_an_ending_promises_an_email_reply_only_to_whoever_gave_an_address(lang, slug, answers):
    """Not "if you left your e-mail" to someone who just typed it, or who just skipped it."""
    definition = form(slug)
    with_address = conversation.ending_text(definition, {**answers, "email": "a@b.pl"}, lang)
    without = conversation.ending_text(definition, {**answers, "email": None}, lang)
    assert REPLY_BY_MAIL[lang] in with_address and REPLY_BY_MAIL[lang] not in without
    for conditional in ("if you left", "jeśli mamy", "если Вы оставили", "če ste nam pustili"):
        assert conditional.lower() not in with_address.lower() + without.lower()


def test_goal_intro_promises_no_number_of_questions():
    """A "no" is followed by three more questions: "just one question" would not be true."""
    goal = form("goal")
    assert len(walk(goal, {"goal": "no", "what_stopped_you": "x"})) == 4
    for lang, one in (("en", "one"), ("pl", "jedno"), ("ru", "один"), ("sl", "eno")):
        assert one not in goal.intro[lang].lower().split()


# --- the validator on small broken forms ------------------------------------------------------


def problems(questions: str, extra: str = "") -> list[tuple[str, str]]:
    text = "slug: t\nlanguages: [en, pl]\ntitle: {en: T, pl: T}\nquestions:\n"
    text += textwrap.indent(textwrap.dedent(questions), "  ") + textwrap.dedent(extra)
    result = load_form(text)
    assert not result.ok
    return [(p.path, p.text) for p in result.problems]


def test_unknown_question_type():
    found = problems("""
        - id: a
          type: slider
          text: {en: A, pl: A}
    """)
    assert len(found) == 1
    path, message = found[0]
    assert path == "questions[0].type" and "unknown question type 'slider'" in message


def test_show_if_may_not_use_a_later_answer():
    found = problems("""
        - id: a
          type: short_text
          text: {en: A, pl: A}
          show_if: {field: answers.b, op: exists}
        - id: b
          type: short_text
          text: {en: B, pl: B}
    """)
    assert [path for path, _ in found] == ["questions[0].show_if"]
    assert "'b' (show_if may only use earlier answers)" in found[0][1]


def test_show_if_names_the_later_question_as_later():
    found = problems("""
        - id: a
          type: short_text
          text: {en: A, pl: A}
          show_if: {field: answers.b, op: exists}
        - id: b
          type: short_text
          text: {en: B, pl: B}
    """)
    assert "refers to a later question 'b'" in found[0][1]


def test_show_if_on_an_unknown_question():
    found = problems("""
        - id: a
          type: short_text
          text: {en: A, pl: A}
        - id: b
          type: short_text
          text: {en: B, pl: B}
          show_if: {field: answers.ghost, op: "=", value: "x"}
    """)
    assert found == [
        (
            "questions[1].show_if",
            "refers to an unknown question 'ghost' (show_if may only use earlier answers)",
        )
    ]


def test_missing_translation_of_a_required_text():
    found = problems("""
        - id: a
          type: short_text
          text: {en: A}
        - id: b
          type: single_choice
          text: {en: B, pl: B}
          choices:
            - {value: x, label: {en: X, pl: X}}
            - {value: y, label: {en: Y, pl: " "}}
    """)
    assert found == [
        ("questions[0].text.pl", "missing translation"),
        ("questions[1].choices[1].label.pl", "missing translation"),
    ]


def test_missing_translation_of_an_ending():
    found = problems(
        """
        - id: a
          type: short_text
          text: {en: A, pl: A}
        """,
        """
        endings:
          - text: {en: Thanks}
        """,
    )
    assert found == [("endings[0].text.pl", "missing translation")]


def test_duplicate_ids():
    found = problems("""
        - id: a
          type: short_text
          text: {en: A, pl: A}
        - id: a
          type: long_text
          text: {en: B, pl: B}
    """)
    assert found == [("questions[1].id", "duplicate id 'a'")]


def test_pipe_to_a_later_question():
    found = problems("""
        - id: a
          type: short_text
          text: {en: "Hi {name}!", pl: "Cześć!"}
        - id: name
          type: short_text
          text: {en: "Name?", pl: "Imię?"}
    """)
    assert found == [("questions[0].text.en", "'{name}' is not an earlier question's answer")]


def test_pipe_to_an_earlier_question_is_fine():
    result = load_form(
        textwrap.dedent("""
        slug: t
        title: {en: T}
        questions:
          - id: name
            type: short_text
            text: {en: "Name?"}
          - id: b
            type: long_text
            text: {en: "Thanks, {name}! Anything else?"}
        endings:
          - text: {en: "Bye, {name}!"}
        """)
    )
    assert result.ok and result.problems == ()
    assert conversation.pipe(result.definition.questions[1].text["en"], {"name": None}) == (
        "Thanks! Anything else?"
    )
