"""Conditions in the form builder: the score's groups, and every condition said in words."""

import html
import re
from pathlib import Path

import pytest
import yaml

from survey_forms.conversation import creates_ticket, ending_text, next_question
from survey_forms.definition import load_form
from tests.helpers import text_of
from webapp.extensions import db
from webapp.models import Role
from webapp.services import drafts
from webapp.services.forms import publish_form

NPS = (Path(__file__).parents[2] / "survey_forms" / "templates" / "nps.yaml").read_text()
EDIT = "/admin/forms/nps/edit"


@pytest.fixture
def nps(app):
    version = publish_form("nps", NPS)
    db.session.commit()
    return version


SCORE_Q = "“How likely are you to recommend…”"
NAME_Q = "“What&#39;s your name? (optional)”"  # as the page escapes it


def draft_data() -> dict:
    db.session.expire_all()
    return yaml.safe_load(drafts.current("form", "nps").yaml_text)


def condition_editor(html: str, key: str) -> str:
    return re.search(rf'<form [^>]*id="condition-{key}".*?</form>', html, re.S).group(0)


def test_the_nps_forms_conditions_show_in_words_and_as_group_rows(client, login, admin, nps):
    login(admin)
    page = client.get(EDIT)
    text = text_of(page)
    assert f"Shown only when {SCORE_Q} is in the group “Detractors or passives (0–8)”." in text
    assert f"Shown only when {SCORE_Q} is in the group “Promoters (9–10)”." in text
    assert (
        f"Shown when {SCORE_Q} is in the group “Promoters (9–10)” and "
        "“Wonderful, thank you! What would you…” is answered." in text
    )
    assert (
        f"A ticket is created only when {SCORE_Q} is in the group “Detractors (0–6)” or "
        f"({SCORE_Q} is in the group “Passives (7–8)” and "
        "“Thanks for being honest. What could…” is answered)." in text
    )
    html = page.get_data(as_text=True)
    editor = condition_editor(html, "questions-what_went_wrong")
    assert '<option value="category" selected>is in the group</option>' in editor
    assert '<option value="detractor,passive" selected>Detractors or passives (0–8)' in editor
    assert "{&#34;field&#34;" not in condition_editor(html, "questions-testimonial")  # no JSON


def test_saving_the_rows_as_shown_keeps_the_conversation_the_same(
    client, login, admin, nps, post_form
):
    login(admin)
    saved = post_form(
        "/admin/forms/nps/edit/condition",
        {
            "target": "questions/what_went_wrong",
            "action": "save",
            "combine": "all",
            "question": "score",
            "op": "category",
            "value": "detractor,passive",
            "revision": "",
        },
        htmx=True,
    )
    assert saved.status_code == 200
    assert f"Shown only when {SCORE_Q} is in the group “Detractors or passives (0–8)”." in text_of(
        saved
    )
    ending = post_form(
        "/admin/forms/nps/edit/condition",
        {
            "target": "endings/0",
            "action": "save",
            "combine": "all",
            "question": ["score", "testimonial_text"],
            "op": ["category", "exists"],
            "value": ["promoter", ""],
            "revision": "1",
        },
        htmx=True,
    )
    assert ending.status_code == 200
    data = draft_data()
    original = yaml.safe_load(NPS)
    assert data["questions"][1]["show_if"] == original["questions"][1]["show_if"]
    assert data["endings"] == original["endings"]
    definition = load_form(drafts.current("form", "nps").yaml_text).definition
    assert definition is not None
    assert next_question(definition, {"score": 6}).id == "what_went_wrong"
    assert next_question(definition, {"score": 8}).id == "what_went_wrong"
    assert next_question(definition, {"score": 9}).id == "testimonial"
    promoter = {"score": 10, "testimonial": "yes", "testimonial_text": "Great"}
    assert ending_text(definition, promoter, "en").startswith("Thank you so much")
    assert creates_ticket(definition, {"score": 3})


def test_a_group_row_with_a_group_the_score_does_not_have_is_refused(
    client, login, admin, nps, post_form
):
    login(admin)
    refused = post_form(
        "/admin/forms/nps/edit/condition",
        {
            "target": "creates_ticket",
            "action": "save",
            "question": "score",
            "op": "category",
            "value": "satisfied",
            "revision": "",
        },
        htmx=True,
    )
    assert refused.status_code == 422 and "Pick a value" in text_of(refused)
    assert drafts.current("form", "nps") is None


def test_the_groups_read_naturally_in_polish(client, login, create_user, nps):
    login(create_user(email="ola@example.com", role=Role.ADMIN, locale="pl"))
    text = text_of(client.get(EDIT))
    assert (
        "Pokazywane tylko wtedy, gdy „Jak prawdopodobne jest, że polecisz nas…” należy do grupy "
        "„Krytycy lub neutralni (0–8)”." in text
    )


def test_is_answered_reads_as_answered_everywhere_it_is_described(
    client, login, admin, nps, post_form
):
    """Build "… is answered" in the builder, save, and read it back on every page."""
    login(admin)
    rows = {"action": "save", "combine": "all", "question": "name", "op": "exists", "value": ""}
    for revision, target in enumerate(("questions/email", "endings/3", "creates_ticket")):
        reply = post_form(
            "/admin/forms/nps/edit/condition",
            {**rows, "target": target, "revision": str(revision or "")},
            htmx=True,
        )
        assert reply.status_code == 200, text_of(reply)
    assert draft_data()["creates_ticket"] == {"field": "answers.name", "op": "exists"}
    builder_page = text_of(client.get(EDIT))
    assert f"Shown only when {NAME_Q} is answered." in builder_page
    assert f"Shown when {NAME_Q} is answered." in builder_page
    assert f"A ticket is created only when {NAME_Q} is answered." in builder_page
    review = text_of(client.get("/admin/forms/nps/publish"))
    assert f"now shown only when {NAME_Q} is answered" in review
    assert f"now when {NAME_Q} is answered" in review
    assert f"now only when {NAME_Q} is answered" in review
    for page in (builder_page, review):
        assert "name is no" not in page and "name is not answered" not in page


def test_a_condition_on_a_hidden_field_is_said_in_words_not_json(client, login, admin, app):
    template = Path(__file__).parents[2] / "survey_forms" / "templates" / "report-problem.yaml"
    publish_form("report-problem", template.read_text())
    db.session.commit()
    login(admin)
    text = text_of(client.get("/admin/forms/report-problem/edit"))
    assert "Shown only when the hidden field “page_url” is empty." in text
    assert "The builder cannot edit this condition as rows" in text


TWO_SCORES = """\
slug: two-scores
title: {en: Two scores}
languages: [en]
questions:
  - id: nps
    type: nps
    text: {en: "How likely are you to recommend us?"}
  - id: csat
    type: csat
    text: {en: "How happy are you with support?"}
  - id: why
    type: long_text
    required: false
    text: {en: "What went wrong?"}
endings:
  - text: {en: Thanks}
"""


def test_each_scored_question_offers_its_groups(client, login, admin, app, post_form):
    publish_form("two-scores", TWO_SCORES)
    db.session.commit()
    login(admin)
    url = "/admin/forms/two-scores/edit/condition"
    rows = {"target": "questions/why", "combine": "all", "revision": ""}
    added = post_form(url, {**rows, "action": "refresh", "question": "csat", "op": "category"})
    editor = condition_editor(added.get_data(as_text=True), "questions-why")
    assert '<option value="category" selected>is in the group</option>' in editor
    assert ">Unsatisfied or neutral (1–3)</option>" in editor
    saved = post_form(
        url,
        {
            **rows,
            "action": "save",
            "question": ["nps", "csat"],
            "op": ["category", "category"],
            "value": ["promoter", "unsatisfied"],
        },
        htmx=True,
    )
    assert saved.status_code == 200, text_of(saved)
    assert (
        f"Shown only when {SCORE_Q} is in the group “Promoters (9–10)” and "
        "“How happy are you with support?” is in the group “Unsatisfied (1–2)”." in text_of(saved)
    )
    editor = condition_editor(saved.get_data(as_text=True), "questions-why")
    assert editor.count('<option value="category" selected>is in the group</option>') == 2
    assert '<option value="unsatisfied" selected>' in editor
    definition = load_form(drafts.current("form", "two-scores").yaml_text).definition
    assert next_question(definition, {"nps": 10, "csat": 2}).id == "why"
    assert next_question(definition, {"nps": 10, "csat": 4}) is None


def test_a_choice_question_without_choices_keeps_the_rows_values_in_place(
    client, login, admin, nps
):
    """A select with no options posts nothing: the row's value box offers an empty choice,
    so the next row's value is not read as this one's."""
    data = yaml.safe_load(NPS)
    data["questions"].insert(
        1, {"id": "topic", "type": "single_choice", "text": {"en": "Topic?"}, "choices": []}
    )
    data["questions"][2]["show_if"] = {
        "all": [
            {"field": "answers.topic", "op": "=", "value": "x"},
            {"field": "answers.score", "op": "<=", "value": 6},
        ]
    }
    drafts.save("form", "nps", yaml.safe_dump(data), revision=None, base_number=1, actor=admin)
    db.session.commit()
    login(admin)
    page = client.get(EDIT).get_data(as_text=True)
    key = f"questions-{data['questions'][2]['id']}"
    editor = condition_editor(page, key)
    topic_row = re.search(r'<fieldset class="condition-row".*?</fieldset>', editor, re.S).group(0)
    assert '<option value="">(no choices yet)</option>' in topic_row
    # Every row posts exactly one value.
    assert editor.count('name="value"') == editor.count('name="question"')


def _question_picker(editor: str) -> list[str]:
    picker = re.search(r'<select name="question".*?</select>', editor, re.S).group(0)
    return [html.unescape(o) for o in re.findall(r"<option [^>]*>(.*?)</option>", picker)]


def test_the_condition_pickers_name_questions_and_choices_in_the_admins_language(
    client, login, create_user, nps
):
    login(create_user(email="dima@example.com", name="Dima", role=Role.ADMIN, locale="ru"))
    page = client.get(EDIT).get_data(as_text=True)
    editor = condition_editor(page, "questions-testimonial_text")
    assert "testimonial — Очень рады это слышать! Можно попросить Вас..." in _question_picker(
        editor
    )
    assert '<option value="yes" selected>Да, с удовольствием</option>' in editor
    assert '<option value="no" >Не сейчас</option>' in editor


ENGLISH_AND_POLISH = """
slug: pair
title: {en: "Pair", pl: "Para"}
languages: [en, pl]
default_language: en
questions:
  - id: topic
    type: single_choice
    text: {en: "What is it about?", pl: "Czego dotyczy?"}
    choices:
      - {value: bill, label: {en: "A bill", pl: "Rachunek"}}
      - {value: other, label: {en: "Something else", pl: "Coś innego"}}
  - id: more
    type: long_text
    required: false
    text: {en: "Tell us more", pl: "Opowiedz więcej"}
    show_if: {field: answers.topic, op: "=", value: other}
"""


@pytest.mark.parametrize(
    ("locale", "question", "choices"),
    [
        # Polish: the form has it, so Polish, and English where a Polish text is missing
        ("pl", "topic — Czego dotyczy?", ["Rachunek", "Something else"]),
        ("ru", "topic — What is it about?", ["A bill", "Something else"]),  # no Russian: default
    ],
)
def test_a_language_the_form_lacks_falls_back_to_the_forms_default(
    client, login, create_user, locale, question, choices
):
    publish_form("pair", ENGLISH_AND_POLISH)
    # the draft being edited has lost one Polish label (drafts may be half translated)
    half = ENGLISH_AND_POLISH.replace(', pl: "Coś innego"', "")
    author = create_user(email="ada@example.com", name="Ada", role=Role.ADMIN, locale=locale)
    drafts.save("form", "pair", half, revision=None, base_number=1, actor=author)
    db.session.commit()
    login(author)
    editor = condition_editor(
        client.get("/admin/forms/pair/edit").get_data(as_text=True), "questions-more"
    )
    assert _question_picker(editor) == [question]
    value_picker = re.search(r'<select name="value".*?</select>', editor, re.S).group(0)
    assert re.findall(r"<option [^>]*>(.*?)</option>", value_picker) == choices
