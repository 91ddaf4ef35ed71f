"""Diff headings name an unnamed automation, rule or policy by its place in the reader's
language ("Automatyzacja 2"), not as if its number were a name (“2”)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from webapp.models import WorkflowKind
from webapp.services.workflow_studio import workflow_diff
from webapp.services.workflow_versions import SHIPPED

SHIPPED_TEXT = SHIPPED[WorkflowKind.TICKET].read_text(encoding="utf-8")
UNNAMED = (
    "\n  - on: label.added\n"
    "    when: {field: event.label, op: '=', value: vip}\n"
    "    do: [{set_priority: high}]\n"
)


@pytest.mark.parametrize(
    ("locale", "heading"),
    [
        ("en", "Automation 2"),
        ("pl", "Automatyzacja 2"),
        ("ru", "Автоматизация 2"),
        ("sl", "Avtomatizacija 2"),
    ],
)
def test_an_unnamed_automation_is_headed_by_its_number(app, locale, heading):
    old = SHIPPED_TEXT.rstrip("\n") + "\n"
    new = old + UNNAMED.lstrip("\n")
    with app.test_request_context(), force_locale(locale):
        diff = workflow_diff(old, new, locale)
    headings = [line.text for line in diff.lines if line.kind == "hunk"]
    assert any(heading in text for text in headings), headings
    assert not any("2”" in text or "2»" in text or "2«" in text for text in headings)
