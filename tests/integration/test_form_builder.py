"""The structured form editor: every change goes to the shared draft with its revision."""

import re

import pytest
import yaml

from tests.helpers import text_of
from webapp.extensions import db
from webapp.models import AuditEntry
from webapp.services import drafts
from webapp.services.forms import publish_form

FORM = """\
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
EDIT = "/admin/forms/shop/edit"


@pytest.fixture
def shop(app):
    version = publish_form("shop", FORM)
    db.session.commit()
    return version


@pytest.fixture
def as_admin(client, login, admin, shop):
    login(admin)
    return client


def draft_data() -> dict:
    db.session.expire_all()
    return yaml.safe_load(drafts.current("form", "shop").yaml_text)


def revision_in(response) -> str:
    return re.search(r'name="revision" value="(\d*)"', response.get_data(as_text=True)).group(1)


def change(post_form, path: str, data: dict, revision="", htmx=True):
    return post_form(f"{EDIT}/{path}", {**data, "revision": revision}, htmx=htmx)


def test_the_editor_starts_from_the_live_version_and_shows_texts_side_by_side(as_admin):
    page = as_admin.get(EDIT)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'aria-label="Question text (pl) · score"' in html
    # a question text is a growing multi-line field; a title stays one line
    assert re.search(
        r'<textarea [^>]*aria-label="Question text \(pl\) · score"[^>]*>Jak bardzo\?<', html
    )
    assert re.search(
        r'<input type="text" [^>]*value="Sklep"[^>]*aria-label="Title \(pl\)"', html, re.S
    )
    assert "Review and publish" in text_of(page)  # disabled until there is a draft
    assert "No changes yet" in text_of(page)
    assert drafts.current("form", "shop") is None  # opening saves nothing


def test_agents_get_403(client, login, agent, shop, post_form):
    login(agent)
    assert client.get(EDIT).status_code == 403
    assert change(post_form, "questions", {"type": "nps"}).status_code == 403
    assert drafts.current("form", "shop") is None


def test_adding_a_question_saves_the_draft_and_returns_the_new_revision(as_admin, post_form):
    response = change(as_admin and post_form, "questions", {"type": "long_text"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="question-long_text_1"' in html
    assert 'class="builder-revision" hx-swap-oob="outerHTML:.builder-revision"' in html
    assert revision_in(response) == "1"
    # no texts yet: flagged, but saved; nothing to translate from, so the text is what is missing
    assert "Missing text<" in html and "Missing translation" not in html
    data = draft_data()
    assert [q["id"] for q in data["questions"]] == ["score", "colour", "long_text_1"]
    assert drafts.current("form", "shop").base_number == 1
    assert db.session.query(AuditEntry).filter_by(action="form.draft_saved").count() == 1
    # the problems are listed and publishing is not offered yet
    assert "questions[2].text" in html and "can be saved but not published" in text_of(response)


def test_a_concurrent_change_is_a_conflict_and_nothing_is_overwritten(as_admin, post_form):
    assert change(post_form, "questions", {"type": "email"}).status_code == 200  # revision 1
    # a colleague saves in the YAML editor meanwhile (revision 2)
    theirs = drafts.current("form", "shop").yaml_text.replace("Shop", "Their shop")
    drafts.save("form", "shop", theirs, revision=1, base_number=1, actor=None)
    db.session.commit()
    response = change(post_form, "questions", {"type": "nps"}, revision="1")
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#builder-messages"
    assert "Someone else changed this form" in text_of(response)
    assert "Their shop" in text_of(response)  # their text, in the diff
    assert drafts.current("form", "shop").yaml_text == theirs


def test_a_first_save_races_a_colleagues_first_save(as_admin, post_form):
    drafts.save(
        "form", "shop", FORM.replace("Shop", "Theirs"), revision=None, base_number=1, actor=None
    )
    db.session.commit()
    response = change(post_form, "questions", {"type": "nps"}, revision="")
    assert response.status_code == 409
    assert "Theirs" in drafts.current("form", "shop").yaml_text


def test_texts_flag_missing_translations_and_are_escaped(as_admin, post_form):
    response = change(
        post_form, "text", {"target": "questions/score/help", "lang": "en", "value": "<b>hi</b>"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "&lt;b&gt;hi&lt;/b&gt;" in html and "<b>hi</b>" not in html
    assert 'aria-label="Help text (en) · score"' in html and "is-missing" not in html
    assert draft_data()["questions"][0]["help"] == {"en": "<b>hi</b>"}
    page = as_admin.get(EDIT).get_data(as_text=True)
    assert "<b>hi</b>" not in page
    # help exists in English now, so the Polish one is flagged as missing
    polish = re.search(
        r'<form[^>]*class="text-cell([^"]*)"(?:(?!</form>).)*'
        r'aria-label="Help text \(pl\) · score"',
        page,
        re.S,
    )
    assert polish and "is-missing" in polish.group(1)
    removed = change(
        post_form,
        "text",
        {"target": "questions/score/text", "lang": "pl", "value": " "},
        revision="1",
    )
    assert "Missing translation" in text_of(removed)


def test_xss_in_ids_choice_values_and_conditions_is_escaped(as_admin, post_form):
    evil = '"><script>alert(1)</script>'
    drafts.save(
        "form",
        "shop",
        FORM.replace("value: red", f"value: '{evil}'").replace(
            "title: {en: Shop, pl: Sklep}",
            "title: {en: Shop, pl: Sklep}\nallowed_origins: ['<img src=x onerror=alert(1)>']",
        ),
        revision=None,
        base_number=1,
        actor=None,
    )
    db.session.commit()
    html = as_admin.get(EDIT).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_moving_reordering_and_removing_questions(as_admin, post_form):
    response = change(post_form, "questions/colour/move", {"direction": "up"})
    assert response.status_code == 200
    assert [q["id"] for q in draft_data()["questions"]] == ["colour", "score"]
    response = change(post_form, "order", {"order": "score,colour"}, revision="1")
    assert [q["id"] for q in draft_data()["questions"]] == ["score", "colour"]
    html = response.get_data(as_text=True)
    assert html.index('id="question-score"') < html.index('id="question-colour"')
    assert change(post_form, "order", {"order": "score"}, revision="2").status_code == 422
    response = change(post_form, "questions/colour/remove", {}, revision="2")
    assert response.status_code == 200
    assert [q["id"] for q in draft_data()["questions"]] == ["score"]
    assert 'id="question-colour"' not in response.get_data(as_text=True)


def test_question_settings_rename_type_required_and_limits(as_admin, post_form):
    response = change(
        post_form,
        "questions/colour",
        {"id": "shade", "type": "short_text", "old_type": "single_choice", "required": "1"},
    )
    assert response.status_code == 200
    # sent from the card, answered with the whole list (the order and conditions may change)
    assert response.headers["HX-Retarget"] == "#builder-questions"
    assert response.headers["HX-Reswap"] == "outerHTML"
    question = draft_data()["questions"][1]
    assert question["id"] == "shade" and question["type"] == "short_text"
    assert "choices" not in question
    response = change(
        post_form,
        "questions/shade",
        {"id": "shade", "type": "short_text", "old_type": "short_text", "max_length": "80"},
        revision="1",
    )
    assert response.status_code == 200 and 'id="question-shade"' in response.get_data(as_text=True)
    question = draft_data()["questions"][1]
    assert question["validation"] == {"max_length": 80} and question["required"] is False


def test_question_settings_save_on_change_and_ask_before_dropping_data(as_admin, post_form):
    page = as_admin.get(EDIT).get_data(as_text=True)
    settings = re.search(
        r'<form[^>]*/questions/colour"[^>]*>(?:(?!</form>).)*</form>', page, re.S
    ).group(0)
    assert 'hx-trigger="change, submit"' in settings and "question-settings" in settings
    # leaving the choice types drops the choices: those options are marked to ask first
    options = dict(re.findall(r'<option value="(\w+)" ?(?:selected)?( data-drops)?>', settings))
    assert options["multi_choice"] == "" and options["short_text"] == " data-drops"
    assert "cannot keep all of this question’s choices" in settings
    # without JavaScript the settings form posts and the page comes back
    response = change(
        post_form,
        "questions/colour",
        {"id": "colour", "type": "single_choice", "old_type": "single_choice"},
        htmx=False,
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/forms/shop/edit#question-colour")
    assert draft_data()["questions"][1]["required"] is False


def test_choices_through_the_routes(as_admin, post_form):
    assert change(post_form, "questions/colour/choices", {}).status_code == 200
    change(post_form, "questions/colour/choices/2", {"value": "green"}, revision="1")
    change(
        post_form,
        "text",
        {"target": "questions/colour/choices/2", "lang": "pl", "value": "Zielony"},
        revision="2",
    )
    change(post_form, "questions/colour/choices/0/remove", {}, revision="3")
    choices = draft_data()["questions"][1]["choices"]
    assert [c["value"] for c in choices] == ["blue", "green"]
    assert choices[1]["label"] == {"pl": "Zielony"}


def test_show_if_builder_refreshes_without_saving_then_saves(as_admin, post_form):
    refreshed = change(
        post_form,
        "condition",
        {"target": "questions/colour", "action": "add", "combine": "all"},
    )
    assert refreshed.status_code == 200
    html = refreshed.get_data(as_text=True)
    # the score's groups come first for an NPS question; the scale is one operator away
    assert 'name="question"' in html and '<option value="detractor" >Detractors (0–6)' in html
    assert '<option value="&lt;=" >is at most</option>' in html
    assert 'value="colour"' not in re.search(
        r'<select name="question".*?</select>', html, re.S
    ).group(0)  # only earlier questions
    assert drafts.current("form", "shop") is None  # nothing saved yet
    saved = change(
        post_form,
        "condition",
        {
            "target": "questions/colour",
            "action": "save",
            "combine": "all",
            "question": "score",
            "op": "<=",
            "value": "6",
        },
    )
    assert saved.status_code == 200
    # the editor asked (hx-target="this"), but the answer is the whole card: it replaces the
    # card, so the page keeps one card and no copy of it nested inside
    assert saved.headers["HX-Retarget"] == "#question-colour"
    assert saved.headers["HX-Reswap"] == "outerHTML"
    html = saved.get_data(as_text=True)
    assert html.lstrip().startswith('<li class="builder-question" id="question-colour"')
    assert html.count('id="question-colour"') == 1
    assert "HX-Retarget" not in refreshed.headers  # a redrawn editor replaces itself
    assert draft_data()["questions"][1]["show_if"] == {
        "field": "answers.score",
        "op": "<=",
        "value": 6,
    }
    cleared = change(
        post_form, "condition", {"target": "questions/colour", "action": "clear"}, revision="1"
    )
    assert cleared.status_code == 200 and "show_if" not in draft_data()["questions"][1]


def test_ending_and_ticket_conditions_with_any_of(as_admin, post_form):
    assert change(post_form, "endings", {}).status_code == 200
    response = change(
        post_form,
        "condition",
        {
            "target": "endings/0",
            "action": "save",
            "combine": "any",
            "question": ["score", "colour"],
            "op": [">=", "="],
            "value": ["9", "blue"],
        },
        revision="1",
    )
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#builder-endings"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert response.get_data(as_text=True).count('id="builder-endings"') == 1
    assert draft_data()["endings"][0]["when"] == {
        "any": [
            {"field": "answers.score", "op": ">=", "value": 9},
            {"field": "answers.colour", "op": "=", "value": "blue"},
        ]
    }
    ticket = change(
        post_form,
        "condition",
        {
            "target": "creates_ticket",
            "action": "save",
            "question": "score",
            "op": "<",
            "value": "7",
        },
        revision="2",
    )
    assert ticket.headers["HX-Retarget"] == "#builder-ticket"
    assert ticket.get_data(as_text=True).count('id="builder-ticket"') == 1
    assert draft_data()["creates_ticket"] == {"field": "answers.score", "op": "<", "value": 7}
    change(post_form, "creates-ticket", {"rule": "always"}, revision="3")
    assert draft_data()["creates_ticket"] is True


def test_origins_and_languages(as_admin, post_form):
    bad = change(post_form, "origins", {"origin": "http://shop.example.com", "action": "add"})
    assert bad.status_code == 422 and "https" in text_of(bad)
    assert drafts.current("form", "shop") is None
    assert (
        change(
            post_form, "origins", {"origin": "https://shop.example.com/", "action": "add"}
        ).status_code
        == 200
    )
    assert draft_data()["allowed_origins"] == ["https://shop.example.com"]
    response = change(post_form, "languages", {"lang": "ru", "action": "add"}, revision="1")
    assert response.status_code == 200
    assert 'aria-label="Question text (ru) · score"' in response.get_data(as_text=True)
    assert draft_data()["languages"] == ["en", "pl", "ru"]
    refused = change(post_form, "languages", {"lang": "en", "action": "remove"}, revision="2")
    assert refused.status_code == 422 and "default language" in text_of(refused)


@pytest.mark.parametrize(
    "path, data",
    [
        ("questions/ghost/remove", {}),
        ("questions/ghost/move", {"direction": "up"}),
        ("questions", {"type": "hologram"}),
        (
            "questions/colour",
            {"id": "Bad Id!", "type": "single_choice", "old_type": "single_choice"},
        ),
        ("questions/colour/choices/99/remove", {}),
        ("questions/score/choices", {}),
        ("order", {"order": "x," * 5000}),
        ("text", {"target": "questions/score/text", "lang": "en", "value": "x" * 100_000}),
        ("text", {"target": "../../etc", "lang": "en", "value": "x"}),
        ("text", {"target": "endings/99999999999", "lang": "en", "value": "x"}),
        ("text", {"target": "title", "lang": "<x>", "value": "x"}),
        (
            "condition",
            {
                "target": "questions/colour",
                "action": "save",
                "question": "score",
                "op": "<=",
                "value": "1" * 500,
            },
        ),
        (
            "condition",
            {
                "target": "questions/score",
                "action": "save",
                "question": "colour",
                "op": "=",
                "value": "red",
            },
        ),
        ("condition", {"target": "nowhere", "action": "save"}),
        ("condition", {"target": "creates_ticket", "action": "save"}),
        ("creates-ticket", {"rule": "sometimes"}),
        ("languages", {"lang": "xx", "action": "add"}),
        ("languages", {"lang": "en", "action": "explode"}),
        ("endings/7/remove", {}),
    ],
)
def test_junk_is_refused_with_a_message_and_saves_nothing(as_admin, post_form, path, data):
    response = change(post_form, path, data)
    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    assert response.headers["HX-Retarget"] == "#builder-messages"
    assert drafts.current("form", "shop") is None


def test_junk_revision_and_unknown_form(as_admin, post_form):
    response = change(post_form, "questions", {"type": "nps"}, revision="9" * 40)
    assert response.status_code == 200  # an unreadable revision is "no draft yet"
    assert as_admin.get("/admin/forms/nope/edit").status_code == 404


def test_without_javascript_each_form_posts_and_the_page_comes_back(as_admin, post_form):
    response = change(post_form, "questions/colour/move", {"direction": "up"}, htmx=False)
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/admin/forms/shop/edit#question-colour"
    )
    refused = change(post_form, "questions", {"type": "hologram"}, revision="1", htmx=False)
    assert refused.status_code == 422 and "is not a question type" in text_of(refused)
    pending = change(
        post_form,
        "condition",
        {"target": "questions/score", "action": "add"},  # second after the move
        revision="1",
        htmx=False,
    )
    assert pending.status_code == 200 and "Not saved yet." in text_of(pending)


def test_an_unreadable_draft_points_to_the_yaml_editor(as_admin, post_form):
    drafts.save("form", "shop", "slug: [oops", revision=None, base_number=1, actor=None)
    db.session.commit()
    page = as_admin.get(EDIT)
    assert page.status_code == 200 and "Fix it in the YAML editor first" in text_of(page)
    response = change(post_form, "questions", {"type": "nps"}, revision="1")
    assert response.status_code == 422
    assert drafts.current("form", "shop").yaml_text == "slug: [oops"


def test_without_a_draft_nothing_says_a_draft_can_be_published(as_admin):
    """The live version open in the builder: "this draft can be published" beside a
    disabled button and "No changes yet" contradicted itself."""
    page = text_of(as_admin.get(EDIT))
    assert "No changes yet: this is the live version." in page
    assert "this draft can be published" not in page


def test_publish_the_built_draft(as_admin, post_form):
    change(post_form, "text", {"target": "title", "lang": "pl", "value": "Nasz sklep"})
    page = as_admin.get(EDIT)
    assert "No problems: this draft can be published." in text_of(page)
    response = post_form("/admin/forms/shop/publish", {"revision": "1"})
    assert response.status_code == 303
    db.session.expire_all()
    assert drafts.current("form", "shop") is None


ODD = """\
slug: shop
title: [not, a, mapping]
languages: [en, pl, xx]
default_language: de
intro: 42
questions:
  - id: score
    type: nps
    text: Just a string
    validation: nonsense
    labels: nope
    show_if: "answers.x > 3"
  - {type: hologram, text: {en: 1}}
  - just a string
  - id: c
    type: single_choice
    choices: [1, {value: yes, label: x}, {label: {en: Z}}]
    show_if: {not: {field: answers.score, op: exists}}
endings: {when: 1}
creates_ticket: "sometimes"
allowed_origins: oops
"""


def test_a_draft_with_odd_parts_still_shows_and_can_be_edited(as_admin, post_form):
    drafts.save("form", "shop", ODD, revision=None, base_number=1, actor=None)
    db.session.commit()
    page = as_admin.get(EDIT)
    assert page.status_code == 200
    assert "edit them in the YAML editor" in text_of(page)
    assert "The builder cannot edit this condition as rows" in text_of(page)
    response = change(
        post_form, "text", {"target": "title", "lang": "pl", "value": "Sklep"}, revision="1"
    )
    assert response.status_code == 200
    assert draft_data()["title"] == {"pl": "Sklep"}
    assert change(post_form, "endings", {}, revision="2").status_code == 422


def test_the_builder_says_before_a_change_that_it_drops_the_yamls_comments(
    client, login, admin, post_form
):
    """It writes the whole form back from data, so the comments an admin wrote in the YAML
    editor went at the first change, without a word."""
    publish_form(
        "shop", "# Kept for the shop team\n" + FORM.replace("languages:", "# en first\nlanguages:")
    )
    db.session.commit()
    admin.locale = "pl"
    db.session.commit()
    login(admin)
    page = text_of(client.get(EDIT))
    assert (
        "Zmiana wprowadzona tutaj usunie 2 komentarze z YAML-a formularza (wiersze 1, 4): kreator "
        "zapisuje formularz bez komentarzy. Aby je zachować, wprowadzaj zmiany w edytorze YAML."
    ) in page
    changed = change(post_form, "questions", {"type": "nps"})
    assert changed.status_code == 200
    assert "#" not in drafts.current("form", "shop").yaml_text
    assert 'id="builder-publish"' in changed.get_data(as_text=True)  # refreshed: now said no more
    assert "komentarz" not in text_of(changed)
    assert "komentarz" not in text_of(client.get(EDIT))
