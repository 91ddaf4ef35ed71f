"""Routing rules tick values: "is one of" / "is none of" a language, a form, a channel, a
score group or a choice lists the values by name as checkboxes, with htmx and without
JavaScript, in the admin's language; and a CES score group reads back as CES."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

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
from webapp.models import AuditEntry, Role, Team
from webapp.services import drafts
from webapp.services.tickets import NewTicket, create_ticket
from webapp.services.workflow_versions import active_version

LANGUAGES = ["English", "Polish", "Russian", "Slovenian"]
CES_NEUTRAL = {
    "all": [
        {"field": "score.type", "op": "=", "value": "ces"},
        {"field": "score.category", "op": "=", "value": "neutral"},
    ]
}
STORED = """\
    - name: Polish or unknown
      when: {field: locale, op: in, value: [sl, xx]}
      set: {team: polish-desk, assign: manual}
    - name: Neutral CSAT
      when: {field: score.category, op: "=", value: neutral}
      set: {team: polish-desk, assign: manual}
"""


@pytest.fixture
def admin_in(builtin_forms, create_user, login):
    """An admin speaking `language`, the shipped workflow (three rules) and a second team."""

    def log_in(language: str = "en"):
        active_version()
        db.session.add(Team(slug="polish-desk", name="Polish Desk"))
        db.session.commit()
        admin = create_user(email="ann@example.com", name="Ann", role=Role.ADMIN, locale=language)
        login(admin)
        return admin

    return log_in


def stored_draft(admin) -> str:
    """The shipped rules and the two in STORED (rules 4 and 5), written in the YAML editor."""
    version = active_version("ticket")
    text = version.yaml_text.replace("  default: {team", STORED + "  default: {team", 1)
    drafts.save("workflow", "ticket", text, revision=None, base_number=1, actor=admin)
    db.session.commit()
    return text


def audit_entries() -> list[AuditEntry]:
    db.session.expire_all()
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "workflow.routing_changed")
    ).all()


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_languages_are_ticked_by_name_saved_as_a_list_and_ticked_again(
    admin_in, client, post_form, htmx
):
    admin_in()
    editor = RuleEditor(client.get(f"{PAGE}?edit=2").get_data(as_text=True))  # locale = sl
    editor.choose("Operator of condition 1", "is one of")
    editor = change(post_form, editor, htmx)
    assert editor.boxes("Value of condition 1") == LANGUAGES
    assert editor.ticked("Value of condition 1") == ["sl"]  # the value it had for "is"
    operators = editor.options("Operator of condition 1")
    assert "is none of" in operators and "is one of (comma-separated)" not in operators
    editor.tick("Value of condition 1", "Polish")
    saved = post_form(editor.action, editor.posted(), htmx=htmx)
    assert saved.status_code == (200 if htmx else 303), words(saved.get_data(as_text=True))
    assert draft_rules()[2]["when"] == {"field": "locale", "op": "in", "value": ["sl", "pl"]}
    listed = html.unescape(words(client.get(PAGE).get_data(as_text=True)))
    assert "When the language is one of “Slovenian”, “Polish” Then" in listed

    # Opened again, the two are ticked; saved untouched, the draft is as it was.
    before = draft_text()
    editor = RuleEditor(client.get(f"{PAGE}?edit=2").get_data(as_text=True))
    assert editor.control("Operator of condition 1")["value"] == "in"
    assert editor.ticked("Value of condition 1") == ["pl", "sl"]
    saved = post_form(editor.action, editor.posted(), htmx=htmx)
    assert saved.status_code == (200 if htmx else 303)
    assert draft_text() == before

    # Back to "is": the first value ticked, not the whole list as one value.
    editor.choose("Operator of condition 1", "is (=)")
    editor = change(post_form, editor, htmx)
    assert editor.control("Value of condition 1")["value"] == "sl"


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_nothing_ticked_is_refused_in_the_admins_language_and_nothing_is_lost(
    admin_in, client, post_form, htmx
):
    admin_in("pl")
    editor = RuleEditor(client.get(f"{PAGE}?edit=2").get_data(as_text=True))
    editor.choose("Operator warunku 1", "nie jest żadnym z")
    editor = change(post_form, editor, htmx, None if htmx else "Zaktualizuj opcje")
    assert editor.boxes("Wartość warunku 1") == ["Angielski", "Polski", "Rosyjski", "Słoweński"]
    editor.tick("Wartość warunku 1", "Słoweński", False)
    editor.named("name")["value"] = "Nie po słoweńsku"
    refused = post_form(editor.action, editor.posted(), htmx=htmx)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Zaznacz co najmniej jedną wartość." in words(page)
    assert drafts.current("workflow", "ticket") is None  # nothing saved
    again = RuleEditor(page)  # what was sent is shown again, marked
    assert again.named("name")["value"] == "Nie po słoweńsku"
    assert again.control("Operator warunku 1")["value"] == "not_in"
    assert (
        again.boxes("Wartość warunku 1")[1] == "Polski" and again.ticked("Wartość warunku 1") == []
    )
    boxes = re.search(r'<fieldset class="clause-ticks"[^>]*"Wartość warunku 1"([^>]*)>', page)
    assert 'aria-invalid="true"' in boxes.group(1)  # marked, and described by the message
    described = re.search(r'aria-describedby="([^"]+)"', boxes.group(1)).group(1)
    assert re.search(rf'id="{described}"[^>]*>Zaznacz co najmniej jedną wartość\.<', page)
    again.tick("Wartość warunku 1", "Polski")
    saved = post_form(again.action, again.posted(), htmx=htmx)
    assert saved.status_code == (200 if htmx else 303)
    assert draft_rules()[2]["when"] == {"field": "locale", "op": "not_in", "value": ["pl"]}


def test_forms_channels_groups_and_choices_are_ticked_by_name_in_polish(
    admin_in, client, post_form
):
    admin_in("pl")
    editor = RuleEditor(client.get(PAGE).get_data(as_text=True))
    editor.named("name")["value"] = "Wiele list"
    fields = editor.options("Pole warunku 1")
    (choice_field,) = [name for name in fields if name.startswith("„Czego dotyczy problem?”")]
    editor.choose("Pole warunku 1", "Formularz")
    editor = change(post_form, editor, True, "Dodaj wiersz warunku")  # two spare rows
    editor.choose("Pole warunku 2", "Kanał")
    editor.choose("Pole warunku 3", "Grupa wyniku (NPS)")
    editor = change(post_form, editor, True, "Dodaj wiersz warunku")
    editor.choose("Pole warunku 4", choice_field)
    editor = change(post_form, editor, True)
    for n in range(1, 5):
        editor.choose(f"Operator warunku {n}", "jest jednym z")
    editor = change(post_form, editor, True)
    forms = editor.boxes("Wartość warunku 1")
    assert "Zgłoś problem" in forms and "report-problem" not in forms
    assert editor.boxes("Wartość warunku 2")[0] == "Formularz na naszej stronie"
    assert editor.boxes("Wartość warunku 3")[0].startswith("Krytycy (0–6)")
    assert editor.boxes("Wartość warunku 4")[0] == "Coś nie działa"
    # The value each row had for "is" (the first of its list) comes ticked.
    assert [editor.ticked(f"Wartość warunku {n}") for n in range(1, 5)] == [
        ["csat"],
        ["web"],
        ["detractor"],
        ["bug"],
    ]
    editor.tick("Wartość warunku 1", forms[0], False)
    editor.tick("Wartość warunku 1", "Zgłoś problem")
    editor.tick("Wartość warunku 3", editor.boxes("Wartość warunku 3")[1])
    saved = post_form(editor.action, editor.posted(team="polish-desk"), htmx=True)
    assert saved.status_code == 200, words(saved.get_data(as_text=True))
    assert draft_rules()[-1]["when"] == {
        "all": [
            {"field": "form", "op": "in", "value": ["report-problem"]},
            {"field": "channel", "op": "in", "value": ["web"]},
            {"field": "score.category", "op": "in", "value": ["detractor", "passive"]},
            {"field": "answers.category", "op": "in", "value": ["bug"]},
        ]
    }


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_a_stored_value_that_is_no_choice_stays_ticked_and_marked(
    admin_in, client, post_form, htmx
):
    text = stored_draft(admin_in())
    editor = RuleEditor(client.get(f"{PAGE}?edit=3").get_data(as_text=True))
    assert editor.boxes("Value of condition 1") == [*LANGUAGES, "xx (not one of the choices)"]
    assert editor.ticked("Value of condition 1") == ["sl", "xx"]
    saved = post_form(editor.action, editor.posted(), htmx=htmx)
    assert saved.status_code == (200 if htmx else 303)
    assert draft_text() == text  # untouched: byte for byte
    assert audit_entries() == [] or all(
        "rules_changed" not in entry.after for entry in audit_entries()
    )

    # Unticked, it goes; the audit entry names this rule only.
    editor = RuleEditor(client.get(f"{PAGE}?edit=3").get_data(as_text=True))
    editor.tick("Value of condition 1", "xx (not one of the choices)", False)
    saved = post_form(editor.action, editor.posted(), htmx=htmx)
    assert saved.status_code == (200 if htmx else 303)
    assert draft_rules()[3]["when"] == {"field": "locale", "op": "in", "value": ["sl"]}
    entry = audit_entries()[-1]
    assert entry.before["rules_changed"] == ["Polish or unknown: locale in [sl, xx] → Polish Desk"]
    assert entry.after["rules_changed"] == ["Polish or unknown: locale in [sl] → Polish Desk"]


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_a_ces_score_group_reads_back_as_ces_and_routes_only_ces_scores(
    admin_in, client, post_form, htmx
):
    text = stored_draft(admin_in())
    db.session.add(Team(slug="effort-desk", name="Effort Desk"))
    db.session.commit()
    # A CSAT rule stored before reads back as CSAT, and is kept as it was.
    editor = RuleEditor(client.get(f"{PAGE}?edit=4").get_data(as_text=True))
    assert editor.control("Field of condition 1")["value"] == "score.category:csat"
    assert editor.control("Value of condition 1")["value"] == "neutral"
    assert post_form(editor.action, editor.posted(), htmx=htmx).status_code in (200, 303)
    assert draft_text() == text

    editor = RuleEditor(client.get(PAGE).get_data(as_text=True))
    editor.named("name")["value"] = "Neutral effort"
    editor.choose("Field of condition 1", "Score group (CES)")
    editor = change(post_form, editor, htmx)
    editor.choose("Value of condition 1", "Neutral (4)")
    saved = post_form(editor.action, editor.posted(team="effort-desk"), htmx=htmx)
    assert saved.status_code == (200 if htmx else 303), words(saved.get_data(as_text=True))
    assert draft_rules()[-1]["when"] == CES_NEUTRAL
    listed = words(client.get(PAGE).get_data(as_text=True))
    assert "When the CES score is in the group “Neutral (4)” Then team Effort Desk" in listed

    editor = RuleEditor(client.get(f"{PAGE}?edit=5").get_data(as_text=True))
    assert editor.control("Field of condition 1")["value"] == "score.category:ces"
    assert editor.control("Value of condition 1")["value"] == "neutral"
    before = draft_text()
    assert post_form(editor.action, editor.posted(), htmx=htmx).status_code in (200, 303)
    assert draft_text() == before

    # Published first in the list, it takes CES's neutral scores, not CSAT's.
    publish_in_order(client, post_form, ["5", "0", "1", "2", "3", "4"])
    ces = create_ticket(
        NewTicket(subject="Meh", score={"type": "ces", "value": 4, "category": "neutral"})
    )
    csat = create_ticket(
        NewTicket(subject="Meh", score={"type": "csat", "value": 3, "category": "neutral"})
    )
    db.session.commit()
    assert ces.team.slug == "effort-desk"
    assert csat.team.slug == "polish-desk"  # the CSAT rule, now the fifth
