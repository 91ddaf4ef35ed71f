"""Comments in the routing section survive the builder's saves, except those inside the
rule (or default route) it rewrites from data (PyYAML keeps none): the page names those,
by line, in the admin's language, before the save that drops them, and only then."""

from __future__ import annotations

import pytest

from tests.integration.test_routing_builder_pickers import (
    PAGE,
    RuleEditor,
    draft_text,
    words,
)
from webapp.extensions import db
from webapp.services import drafts
from webapp.services.workflow_versions import active_version

COMMENTED = """\
    # Care wants the Slovenian tickets first thing in the morning.
    - name: Tagged "#1" tickets
      when: {field: subject, op: contains, value: "#1"}  # the hash in quotes is a value
      set: {team: polish-desk, assign: manual}
"""


def commented_draft(admin, rules: str = COMMENTED) -> str:
    text = active_version("ticket").yaml_text.replace(
        "  default: {team", rules + "  # everyone else\n  default: {team", 1
    )
    drafts.save("workflow", "ticket", text, revision=None, base_number=1, actor=admin)
    db.session.commit()
    return text


def line_of(text: str, part: str) -> int:
    return text[: text.index(part)].count("\n") + 1


def comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_comments_in_the_routing_section_stay_but_those_inside_a_changed_rule(
    routing_admin, client, post_form, htmx
):
    text = commented_draft(routing_admin)
    inside = line_of(text, "# the hash")
    warning = (
        f"Saving a change here drops 1 comment from the draft's YAML (line {inside}): the "
        "builder writes the routing rules without comments. To keep it, make the change in "
        "the YAML editor."
    )
    page = words(client.get(PAGE).get_data(as_text=True))
    assert "drops" not in page  # adding, moving or removing a rule keeps the comments
    assert "drops" not in words(client.get(f"{PAGE}?edit=0").get_data(as_text=True))
    editor = RuleEditor(client.get(f"{PAGE}?edit=3").get_data(as_text=True))
    assert warning in words(editor.page[editor.page.index('id="rule-editor"') :])

    # Saved changed, the rule is written from data: its own comment goes, the others stay.
    editor.named("name")["value"] = "Tagged tickets"
    saved = post_form(editor.action, editor.posted(), htmx=htmx)
    assert saved.status_code == (200 if htmx else 303), words(saved.get_data(as_text=True))
    after = draft_text()
    assert "Tagged tickets" in after and "#1" in after  # the value, not a comment
    assert comments(after) == comments(text)  # whole-line comments, the one above included
    assert "# the hash in quotes" not in after
    assert "drops" not in words(client.get(f"{PAGE}?edit=3").get_data(as_text=True))

    # Moved, every comment moves with its rule.
    form = RuleEditor(client.get(PAGE).get_data(as_text=True)).posted()
    moved = {"direction": "up", "revision": form["revision"][0], "seen": form["seen"][0]}
    assert post_form(f"{PAGE}/rules/3/move", moved, htmx=htmx).status_code in (200, 303)
    again = draft_text()
    assert comments(again) == comments(after)
    assert (
        again.index("# Care wants")
        < again.index("Tagged tickets")
        < again.index("Slovenian feedback")
    )


def test_a_section_written_anew_is_announced_in_the_admins_language(routing_admin, client):
    routing_admin.locale = "ru"
    text = active_version("ticket").yaml_text
    start = text.index("routing:\n")
    end = text.index("  default: {team", start)
    flow = "routing:\n  # everything goes to care for now\n  rules: []\n"
    text = text[:start] + flow + text[end:]
    drafts.save("workflow", "ticket", text, revision=None, base_number=1, actor=routing_admin)
    db.session.commit()
    line = line_of(text, "# everything goes")
    page = words(client.get(PAGE).get_data(as_text=True))
    assert (
        f"При сохранении изменения здесь из YAML черновика пропадёт 1 комментарий "
        f"(строка {line})" in page
    )


def test_comments_outside_the_routing_section_are_no_reason_to_warn(routing_admin, client):
    shipped = active_version("ticket").yaml_text
    assert "# Rules that run when" in shipped  # the shipped workflow comments its automations
    page = words(client.get(PAGE).get_data(as_text=True))
    assert "comment" not in page
    assert "The YAML editor edits the same draft. Open the YAML editor" in page
