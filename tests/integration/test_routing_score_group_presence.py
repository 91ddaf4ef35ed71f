"""A score group "is filled in" / "is empty" reads back as the score type it was saved for
(CES, CSAT…), in the builder and in the rule's words, not as the NPS score; and it routes
only that type's scores."""

from __future__ import annotations

import pytest

from tests.integration.test_routing_builder_pickers import (
    PAGE,
    RuleEditor,
    change,
    draft_rules,
    draft_text,
    publish_in_order,
    words,
)
from webapp.extensions import db
from webapp.services import drafts
from webapp.services.tickets import NewTicket, create_ticket
from webapp.services.workflow_versions import active_version


def filled_in(score_type: str, present: bool = True) -> dict:
    presence = {"field": "score.category", "op": "exists"}
    return {
        "all": [
            {"field": "score.type", "op": "=", "value": score_type},
            presence if present else {**presence, "value": False},
        ]
    }


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_a_ces_group_filled_in_reads_back_as_ces_and_routes_only_ces_scores(
    routing_admin, client, post_form, htmx
):
    editor = RuleEditor(client.get(PAGE).get_data(as_text=True))
    editor.named("name")["value"] = "Any effort score"
    editor.choose("Field of condition 1", "Score group (CES)")
    editor = change(post_form, editor, htmx)
    editor.choose("Operator of condition 1", "is filled in")
    editor = change(post_form, editor, htmx)
    saved = post_form(editor.action, editor.posted(team="polish-desk"), htmx=htmx)
    assert saved.status_code == (200 if htmx else 303), words(saved.get_data(as_text=True))
    assert draft_rules()[-1]["when"] == filled_in("ces")
    listed = words(client.get(PAGE).get_data(as_text=True))
    assert "When the CES score group is filled in Then team Polish Desk" in listed

    editor = RuleEditor(client.get(f"{PAGE}?edit=3").get_data(as_text=True))
    assert editor.control("Field of condition 1")["value"] == "score.category:ces"
    assert editor.control("Operator of condition 1")["value"] == "exists"
    before = draft_text()
    saved = post_form(editor.action, editor.posted(), htmx=htmx)
    assert saved.status_code == (200 if htmx else 303)
    assert draft_text() == before  # untouched: byte for byte

    # First in the list, it takes CES scores, not NPS ones.
    publish_in_order(client, post_form, ["3", "0", "1", "2"])
    ces = create_ticket(
        NewTicket(subject="Hard", score={"type": "ces", "value": 2, "category": "difficult"})
    )
    nps = create_ticket(
        NewTicket(subject="Meh", score={"type": "nps", "value": 8, "category": "passive"})
    )
    db.session.commit()
    assert ces.team.slug == "polish-desk"
    assert nps.team.slug != "polish-desk"


def test_a_csat_group_left_empty_reads_back_as_csat_in_polish(routing_admin, client, post_form):
    routing_admin.locale = "pl"
    db.session.commit()
    editor = RuleEditor(client.get(PAGE).get_data(as_text=True))
    editor.named("name")["value"] = "CSAT bez grupy"
    editor.choose("Pole warunku 1", "Grupa wyniku (CSAT)")
    editor = change(post_form, editor, True)
    editor.choose("Operator warunku 1", "jest puste")
    editor = change(post_form, editor, True)
    saved = post_form(editor.action, editor.posted(team="polish-desk"), htmx=True)
    assert saved.status_code == 200, words(saved.get_data(as_text=True))
    assert draft_rules()[-1]["when"] == filled_in("csat", present=False)
    editor = RuleEditor(client.get(f"{PAGE}?edit=3").get_data(as_text=True))
    assert editor.control("Pole warunku 1")["value"] == "score.category:csat"
    assert editor.control("Operator warunku 1")["value"] == "missing"
    assert "grupa wyniku CSAT: brak wartości" in words(editor.page)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_any_score_group_filled_in_written_in_yaml_reads_as_the_field_it_is(
    routing_admin, client, post_form, htmx
):
    rule = (
        "    - name: Any scored ticket\n"
        "      when: {field: score.category, op: exists}\n"
        "      set: {team: polish-desk, assign: manual}\n"
    )
    text = active_version("ticket").yaml_text.replace("  default: {team", rule + "  default: {team")
    drafts.save("workflow", "ticket", text, revision=None, base_number=1, actor=routing_admin)
    db.session.commit()
    listed = words(client.get(PAGE).get_data(as_text=True))
    assert "When the score group is filled in Then team Polish Desk" in listed
    editor = RuleEditor(client.get(f"{PAGE}?edit=3").get_data(as_text=True))
    assert editor.control("Field of condition 1")["value"] == "__other__"  # "Other field…"
    assert (
        editor.control("Name of the field of condition 1")["value"] == "score.category"
    )  # not "Score group (NPS)"
    saved = post_form(editor.action, editor.posted(), htmx=htmx)
    assert saved.status_code == (200 if htmx else 303), words(saved.get_data(as_text=True))
    assert draft_text() == text
