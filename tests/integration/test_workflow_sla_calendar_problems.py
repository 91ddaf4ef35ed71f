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


def save_draft(post_form, text: str) -> None:
    saved = post_form(
        "/admin/workflow", {"yaml": text, "revision": "", "base_number": "1", "action": "save"}
    )
    assert saved.status_code == 303


def test_a_calendar_with_a_problem_is_named_once_not_once_per_policy(client, as_admin, post_form):
    broken = SHIPPED_TEXT.replace("timezone: Europe/Warsaw", "timezone: Europe/Warszawa")
    body = check(post_form, broken)
    assert "1 problem " in body
    assert "sla.calendars.warsaw_office.timezone: unknown timezone 'Europe/Warszawa'" in body
    assert "unknown calendar" not in body  # the policies naming it are not called wrong


def test_a_calendar_no_longer_written_is_named_once_with_its_policies_in_polish(
    client, create_user, login, post_form
):
    login(create_user(email="pl@example.com", role=Role.ADMIN, locale="pl"))
    renamed = SHIPPED_TEXT.replace("    warsaw_office:\n", "    warsaw:\n")
    body = check(post_form, renamed)
    assert body.count("nieznany kalendarz") == 1
    assert (
        "nieznany kalendarz 'warsaw_office', używany przez polityki high, standard: podaj jeden "
        "z kalendarzy (warsaw, ljubljana_office, around_the_clock) albo dodaj go w sekcji "
        "sla.calendars"
    ) in body


def test_the_sla_page_says_once_why_the_draft_is_not_shown(client, as_admin, post_form):
    save_draft(post_form, SHIPPED_TEXT.replace("timezone: Europe/Warsaw", "timezone: Mars/Base"))
    response = client.get("/admin/workflow/sla")
    body = html.unescape(raw_text_of(response))
    assert "Showing the active version 1." in body
    assert "The draft has problems, so its policies cannot be shown." in body
    assert 'href="/admin/workflow#check-heading">See what to fix in the editor' in (
        response.get_data(as_text=True)
    )
    assert "unknown calendar" not in body
    # asked for the active version on purpose: the draft is offered, not blamed
    body = html.unescape(raw_text_of(client.get("/admin/workflow/sla?source=active")))
    assert "Show the draft (only when it has no problems)" in body
    assert "The draft has problems" not in body


@pytest.mark.parametrize(
    "written, expected",
    [
        ("initial: new", "initial: [new]"),
        ("source: new", "source: {state: new}"),
        ("dest: assigned", "dest: [assigned]"),
        ("dest: assigned", "dest: !!set {assigned}"),
    ],
)
def test_a_state_written_as_a_list_or_mapping_is_a_problem_not_a_crash(
    client, as_admin, post_form, written, expected
):
    assert written in SHIPPED_TEXT
    body = check(post_form, SHIPPED_TEXT.replace(written, expected, 1))
    assert "must be the name of a state" in body


def test_a_guard_written_as_a_mapping_is_an_unknown_guard_not_a_crash(client, as_admin, post_form):
    text = SHIPPED_TEXT.replace("guards: [", "guards: [{name: x}, ", 1)
    assert text != SHIPPED_TEXT
    assert "unknown guard" in check(post_form, text)


def test_a_draft_naming_a_calendar_as_a_list_is_saved_with_its_problem(client, as_admin, post_form):
    """Saving keeps any text as the draft (the audit log outlines it): no 500."""
    text = SHIPPED_TEXT.replace("calendar: around_the_clock", "calendar: [around_the_clock]")
    save_draft(post_form, text)
    body = html.unescape(raw_text_of(client.get("/admin/workflow"))).replace(" : ", ": ")
    assert "sla.policies[0].calendar: must be the name of a calendar" in body


DEFAULT_ROUTE = "  default: {team: customer-care, priority: normal, assign: round_robin}"


@pytest.mark.parametrize("key", ["team", "priority", "assign", "overflow_team"])
def test_the_routing_page_shows_a_target_written_as_a_mapping(client, as_admin, post_form, key):
    """The default route's team (priority, …) as {odd: 1}: shown as written, not a 500."""
    assert DEFAULT_ROUTE in SHIPPED_TEXT
    route = {"team": "customer-care", "priority": "normal", "assign": "round_robin", key: "ODD"}
    written = ", ".join(f"{k}: {v}" for k, v in route.items()).replace("ODD", "{odd: 1}")
    save_draft(post_form, SHIPPED_TEXT.replace(DEFAULT_ROUTE, f"  default: {{{written}}}"))
    page = client.get("/admin/workflow/routing")
    assert page.status_code == 200
    assert '{"odd": 1}' in html.unescape(raw_text_of(page))
