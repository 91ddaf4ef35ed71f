"""Ticked values travel exactly: a choice whose value holds a comma, quotes, unicode or
looks like a number is ticked, saved, ticked again and routes tickets as itself; and the
500-character limit is per value, so ticking many choices is not "too long"."""

from __future__ import annotations

import html

import pytest
import yaml

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
from webapp.models import Role, Team
from webapp.services.forms import publish_form
from webapp.services.tickets import NewTicket, create_ticket
from webapp.services.workflow_versions import active_version

ODD = ["S, M", 'Say "hi", twice', "Größe ✓", "007"]
LABELS = ["Small, medium", "Quoted", "Größe", "Agent"]
MANY = 150
LONG = "a value long enough that a handful of them passes five hundred characters "


def shop_form() -> str:
    choices = [
        {"value": value, "label": {"en": label}} for value, label in zip(ODD, LABELS, strict=True)
    ]
    many = [{"value": f"{LONG}{n}", "label": {"en": f"Topic {n}"}} for n in range(MANY)]
    return yaml.safe_dump(
        {
            "slug": "shop",
            "title": {"en": "Shop"},
            "languages": ["en"],
            "default_language": "en",
            "questions": [
                {
                    "id": "size",
                    "type": "single_choice",
                    "text": {"en": "Size?"},
                    "choices": choices,
                },
                {"id": "topic", "type": "single_choice", "text": {"en": "Topic?"}, "choices": many},
            ],
        },
        allow_unicode=True,
    )


@pytest.fixture
def shop_admin(builtin_forms, create_user, login):
    active_version()  # the shipped workflow: three rules
    publish_form("shop", shop_form())
    db.session.add(Team(slug="shop-desk", name="Shop Desk"))
    db.session.commit()
    admin = create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN)
    login(admin)
    return admin


def ticking(post_form, client, htmx: bool, question: str) -> RuleEditor:
    """A new rule's first row on `question` (of the Shop form), as "is one of"."""
    editor = RuleEditor(client.get(PAGE).get_data(as_text=True))
    editor.named("name")["value"] = "Shop sizes"
    editor.choose("Field of condition 1", f"“{question}” (Shop)")
    editor = change(post_form, editor, htmx)
    editor.choose("Operator of condition 1", "is one of")
    return change(post_form, editor, htmx)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_ticked_values_with_commas_quotes_and_unicode_round_trip_exactly(
    shop_admin, client, post_form, htmx
):
    editor = ticking(post_form, client, htmx, "Size?")
    assert editor.boxes("Value of condition 1") == LABELS
    assert editor.ticked("Value of condition 1") == ["S, M"]  # the value it had for "is"
    for label in LABELS[1:]:
        editor.tick("Value of condition 1", label)
    saved = post_form(editor.action, editor.posted(team="shop-desk"), htmx=htmx)
    assert saved.status_code == (200 if htmx else 303), words(saved.get_data(as_text=True))
    assert draft_rules()[-1]["when"] == {"field": "answers.size", "op": "in", "value": ODD}
    listed = html.unescape(words(client.get(PAGE).get_data(as_text=True)))
    assert "When “Size?” is one of “Small, medium”, “Quoted”, “Größe”, “Agent” Then" in listed

    # Opened again, the same four are ticked, no more; saved untouched, nothing changes.
    before = draft_text()
    editor = RuleEditor(client.get(f"{PAGE}?edit=3").get_data(as_text=True))
    assert editor.boxes("Value of condition 1") == LABELS
    assert editor.ticked("Value of condition 1") == ODD
    saved = post_form(editor.action, editor.posted(), htmx=htmx)
    assert saved.status_code == (200 if htmx else 303), words(saved.get_data(as_text=True))
    assert draft_text() == before

    # One unticked: the others stay exactly as they were.
    editor = RuleEditor(client.get(f"{PAGE}?edit=3").get_data(as_text=True))
    editor.tick("Value of condition 1", "Quoted", False)
    saved = post_form(editor.action, editor.posted(), htmx=htmx)
    assert saved.status_code == (200 if htmx else 303)
    assert draft_rules()[-1]["when"]["value"] == ["S, M", "Größe ✓", "007"]

    # Back to "is": the first value ticked, whole.
    editor = RuleEditor(client.get(f"{PAGE}?edit=3").get_data(as_text=True))
    editor.choose("Operator of condition 1", "is (=)")
    editor = change(post_form, editor, htmx)
    assert editor.control("Value of condition 1")["value"] == "S, M"


def test_a_customer_who_answers_a_value_with_a_comma_is_routed_by_it(shop_admin, client, post_form):
    editor = ticking(post_form, client, True, "Size?")
    editor.tick("Value of condition 1", "Größe")
    saved = post_form(editor.action, editor.posted(team="shop-desk"), htmx=True)
    assert saved.status_code == 200, words(saved.get_data(as_text=True))
    publish_in_order(client, post_form, ["3", "0", "1", "2"])
    comma = create_ticket(NewTicket(subject="Size", form_slug="shop", answers={"size": "S, M"}))
    other = create_ticket(NewTicket(subject="Size", form_slug="shop", answers={"size": "S"}))
    db.session.commit()
    assert comma.team.slug == "shop-desk"
    assert other.team is None or other.team.slug != "shop-desk"


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_many_long_values_ticked_are_saved_and_too_many_are_refused_in_words(
    shop_admin, client, post_form, htmx
):
    editor = ticking(post_form, client, htmx, "Topic?")
    boxes = editor.boxes("Value of condition 1")
    assert len(boxes) == MANY
    for label in boxes[1:40]:  # 40 values of some 75 characters: 3,000 together
        editor.tick("Value of condition 1", label)
    saved = post_form(editor.action, editor.posted(team="shop-desk"), htmx=htmx)
    assert saved.status_code == (200 if htmx else 303), words(saved.get_data(as_text=True))
    assert draft_rules()[-1]["when"]["value"] == [f"{LONG}{n}" for n in range(40)]

    # Saved untouched it stays byte for byte; more than 100 ticked is said as such.
    before = draft_text()
    editor = RuleEditor(client.get(f"{PAGE}?edit=3").get_data(as_text=True))
    assert len(editor.ticked("Value of condition 1")) == 40
    assert post_form(editor.action, editor.posted(), htmx=htmx).status_code in (200, 303)
    assert draft_text() == before
    editor = RuleEditor(client.get(f"{PAGE}?edit=3").get_data(as_text=True))
    for label in boxes:
        editor.tick("Value of condition 1", label)
    refused = post_form(editor.action, editor.posted(), htmx=htmx)
    assert refused.status_code == 422
    assert "At most 100 values in a list." in words(refused.get_data(as_text=True))
    assert draft_text() == before


def test_a_typed_list_is_limited_per_value_and_a_value_too_long_is_named(
    shop_admin, client, post_form
):
    editor = RuleEditor(client.get(PAGE).get_data(as_text=True))
    editor.named("name")["value"] = "Many plans"
    editor.choose("Field of condition 1", "Other field…")
    editor = change(post_form, editor, True)
    editor.fill("Name of the field of condition 1", "metadata.plan")
    editor.choose("Operator of condition 1", "is one of (comma-separated)")
    editor = change(post_form, editor, True)
    plans = [f"plan number {n} with a long name" for n in range(30)]  # 900 characters
    editor.fill("Value of condition 1", ", ".join(plans))
    saved = post_form(editor.action, editor.posted(team="shop-desk"), htmx=True)
    assert saved.status_code == 200, words(saved.get_data(as_text=True))
    assert draft_rules()[-1]["when"] == {"field": "metadata.plan", "op": "in", "value": plans}

    editor = RuleEditor(client.get(f"{PAGE}?edit=3").get_data(as_text=True))
    editor.fill("Value of condition 1", "gold, " + "x" * 501)
    refused = post_form(editor.action, editor.posted(), htmx=True)
    assert refused.status_code == 422
    assert f"“{'x' * 40}…” is too long: each value has at most 500 characters." in words(
        refused.get_data(as_text=True)
    )
