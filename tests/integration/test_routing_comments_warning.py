"""The routing builder writes the routing section from data, which drops the comments in it
(PyYAML keeps none): the page says so before any save, by line, in the admin's language,
and only when the routing section has comments; comments elsewhere stay and are not named."""

from __future__ import annotations

import pytest

from tests.integration.test_routing_builder_pickers import (
    PAGE,
    RuleEditor,
    draft_text,
    words,
)
from webapp.extensions import db
from webapp.models import Role, Team
from webapp.services import drafts
from webapp.services.workflow_versions import active_version


@pytest.fixture
def as_admin(builtin_forms, create_user, login):
    """An admin, the shipped workflow (three rules) and a second team."""
    active_version()
    db.session.add(Team(slug="polish-desk", name="Polish Desk"))
    db.session.commit()
    admin = create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN)
    login(admin)
    return admin


COMMENTED = """\
    # Care wants the Slovenian tickets first thing in the morning.
    - name: Tagged "#1" tickets
      when: {field: subject, op: contains, value: "#1"}  # the hash in quotes is a value
      set: {team: polish-desk, assign: manual}
"""


def commented_draft(admin) -> str:
    text = active_version("ticket").yaml_text.replace(
        "  default: {team", COMMENTED + "  default: {team", 1
    )
    drafts.save("workflow", "ticket", text, revision=None, base_number=1, actor=admin)
    db.session.commit()
    return text


def line_of(text: str, part: str) -> int:
    return text[: text.index(part)].count("\n") + 1


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_comments_in_the_routing_section_are_announced_before_a_save_drops_them(
    as_admin, client, post_form, htmx
):
    text = commented_draft(as_admin)
    first, second = line_of(text, "# Care wants"), line_of(text, "# the hash")
    warning = (
        f"Saving a change here drops 2 comments from the draft's YAML (lines {first}, "
        f"{second}): the builder writes the routing rules without comments. To keep them, "
        "make the change in the YAML editor."
    )
    page = words(client.get(PAGE).get_data(as_text=True))
    assert page.count(warning) == 2  # atop the list and beside the new rule's button
    editor = RuleEditor(client.get(f"{PAGE}?edit=3").get_data(as_text=True))
    assert warning in words(editor.page[editor.page.index('id="rule-editor"') :])

    # Saved, the routing is written from data: its comments go, the others stay.
    editor.named("name")["value"] = "Tagged tickets"
    saved = post_form(editor.action, editor.posted(), htmx=htmx)
    assert saved.status_code == (200 if htmx else 303), words(saved.get_data(as_text=True))
    after = draft_text()
    assert "# Care wants" not in after and "Tagged tickets" in after
    assert "#1" in after  # the value, not a comment
    assert after.count("#") == text.count("#") - 3  # two comments and the old name's "#1"
    assert "drops" not in words(client.get(PAGE).get_data(as_text=True))


def test_the_warning_is_in_the_admins_language_and_counts_one_comment(as_admin, client, post_form):
    as_admin.locale = "ru"
    text = active_version("ticket").yaml_text.replace(
        "  default: {team", "  # everyone else\n  default: {team", 1
    )
    drafts.save("workflow", "ticket", text, revision=None, base_number=1, actor=as_admin)
    db.session.commit()
    page = words(client.get(f"{PAGE}?edit=default").get_data(as_text=True))
    line = line_of(text, "# everyone else")
    assert (
        f"При сохранении изменения здесь из YAML черновика пропадёт 1 комментарий "
        f"(строка {line})" in page
    )


def test_comments_outside_the_routing_section_are_no_reason_to_warn(as_admin, client):
    shipped = active_version("ticket").yaml_text
    assert "# Rules that run when" in shipped  # the shipped workflow comments its automations
    page = words(client.get(PAGE).get_data(as_text=True))
    assert "comment" not in page
    assert "The YAML editor edits the same draft. Open the YAML editor" in page
