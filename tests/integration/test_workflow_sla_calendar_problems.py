"""What the workflow editor says about SLA policies' calendars: a name it can act on, never a
crash, and one problem per mistake."""

from __future__ import annotations

import html

import pytest

from tests.helpers import text_of as raw_text_of
from webapp.models import Role, WorkflowKind
from webapp.services.workflow_versions import SHIPPED

SHIPPED_TEXT = SHIPPED[WorkflowKind.TICKET].read_text(encoding="utf-8")


@pytest.fixture
def as_admin(create_user, login):
    admin = create_user(email="admin@example.com", role=Role.ADMIN, timezone="UTC")
    login(admin)
    return admin


def check(post_form, text: str) -> str:
    """The editor's Check, as the admin reads it."""
    response = post_form("/admin/workflow/validate", {"yaml": text}, htmx=True)
    assert response.status_code == 200
    return html.unescape(raw_text_of(response)).replace(" : ", ": ")  # the path is a tag of its own


@pytest.mark.parametrize("written", ["[around_the_clock]", "{name: around_the_clock}"])
def test_a_calendar_written_as_a_list_or_mapping_is_a_problem_not_a_crash(
    client, as_admin, post_form, written
):
    text = SHIPPED_TEXT.replace("calendar: around_the_clock", f"calendar: {written}")
    body = check(post_form, text)
    assert "sla.policies[0].calendar: must be the name of a calendar" in body
