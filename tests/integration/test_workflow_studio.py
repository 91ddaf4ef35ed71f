"""The workflow studio: YAML editor with live check and diagram, drafts, publishing, versions,
roll back and the SLA overview — for admins only."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.helpers import PASSWORD, csrf_token, make_ticket
from tests.helpers import text_of as raw_text_of
from webapp.extensions import db
from webapp.models import AuditEntry, Role, Team, WorkflowKind, WorkflowVersion
from webapp.services import audit, drafts
from webapp.services.workflow_versions import SHIPPED, active_version
from workflow import sla
from workflow.definition import load_definition_or_raise

SHIPPED_TEXT = SHIPPED[WorkflowKind.TICKET].read_text(encoding="utf-8")

SLA_YAML = """
initial: open
states:
  open: {label: Open, category: open}
  done: {label: Done, category: resolved, final: true}
transitions:
  - {trigger: finish, source: open, dest: done}
sla:
  calendars:
    office:
      timezone: UTC
      weekly_hours:
        mon: [["09:00", "17:00"]]
        tue: [["09:00", "17:00"]]
        wed: [["09:00", "17:00"]]
        thu: [["09:00", "17:00"]]
        fri: [["09:00", "17:00"]]
  policies:
    - name: standard
      calendar: office
      first_response: 2h
      resolution: 1d
"""


@pytest.fixture
def admin(create_user):
    return create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN, timezone="UTC")


@pytest.fixture
def teams(app):
    db.session.add_all(
        [
            Team(slug="customer-care", name="Customer Care"),
            Team(slug="product-quality", name="Product Quality"),
        ]
    )
    db.session.commit()


@pytest.fixture
def as_admin(admin, login):
    login(admin)
    return admin


def text_of(response) -> str:
    return html.unescape(raw_text_of(response))


def versions_count() -> int:
    return db.session.scalar(select(func.count(WorkflowVersion.id)))


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def validate(post_form, text: str):
    return post_form("/admin/workflow/validate", {"yaml": text}, htmx=True)


def save(post_form, text: str, revision="", action="save", base_number="1"):
    return post_form(
        "/admin/workflow",
        {"yaml": text, "revision": revision, "base_number": base_number, "action": action},
    )


# -- access -----------------------------------------------------------------------------------

ROUTES = [
    ("get", "/admin/workflow"),
    ("post", "/admin/workflow"),
    ("post", "/admin/workflow/validate"),
    ("post", "/admin/workflow/discard"),
    ("get", "/admin/workflow/publish"),
    ("post", "/admin/workflow/publish"),
    ("get", "/admin/workflow/versions"),
    ("get", "/admin/workflow/versions/diff?old=1&new=1"),
    ("get", "/admin/workflow/versions/1/rollback"),
    ("post", "/admin/workflow/versions/1/rollback"),
    ("get", "/admin/workflow/sla"),
]


@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_agents_are_refused_on_every_workflow_page(client, agent, login, post_form, method, url):
    login(agent)
    if method == "get":
        response = client.get(url)
    else:
        response = post_form(url, {"yaml": "initial: x", "revision": "1", "comment": "x"})
    assert response.status_code == 403
    assert versions_count() <= 1 and drafts.current("workflow", "ticket") is None


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get("/admin/workflow").status_code in (302, 401)


# -- editor, live check and diagram -------------------------------------------------------------


def test_the_editor_opens_on_the_active_version_with_its_diagram(client, as_admin, teams):
    response = client.get("/admin/workflow")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "name: Default support lifecycle" in page  # the YAML in the textarea
    assert "<svg" in page and "Waiting on customer" in page and "customer_replied" in page
    assert "No problems: this text can be published." in text_of(response)
    assert 'href="/admin/workflow"' in page  # the admin menu entry
    for tab in ("/admin/workflow/routing", "/admin/workflow/sla", "/admin/workflow/versions"):
        assert f'href="{tab}"' in page
    assert "No draft: the editor shows the active version 1." in text_of(response)


def test_validation_lists_problems_with_their_lines_and_keeps_the_last_diagram(
    client, as_admin, post_form
):
    broken = SHIPPED_TEXT.replace("dest: closed", "dest: clsoed")
    response = validate(post_form, broken)
    assert response.status_code == 200
    body = text_of(response)
    line = broken.splitlines().index("    dest: clsoed") + 1
    # Each problem names its transition or state as agents read it, then its YAML path.
    assert f"line {line}: Close transitions[5].dest : unknown state 'clsoed'" in body
    assert "Closed states.closed : unreachable from 'new'" in body
    html = response.get_data(as_text=True)
    assert "<svg" not in html  # the page keeps the diagram it has
    assert "the diagram shows the active version" in body
    assert 'id="workflow-diagram-note"' in html and 'hx-swap-oob="true"' in html


def test_a_valid_text_is_drawn_with_its_states_and_triggers_escaped(
    client, as_admin, post_form, teams
):
    text = SHIPPED_TEXT.replace(
        "label: {en: Resolved,", "label: {en: \"<script>alert('x')</script> Solved\","
    ).replace("trigger: close", "trigger: archive_it")
    response = validate(post_form, text)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No problems" in html
    assert "<svg" in html and 'id="workflow-diagram" class="workflow-diagram-wrap"' in html
    assert "archive_it" in html and "Waiting on customer" in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html
    assert "Transitions as a list" in html


def test_oversized_and_alias_bomb_yaml_is_refused_with_a_message(client, as_admin, post_form):
    big = "# " + "x" * (300 * 1024)
    response = validate(post_form, big)
    assert response.status_code == 200 and "larger than 256 KB" in text_of(response)
    response = save(post_form, big)
    assert response.status_code == 422
    assert "larger than 256 KB" in text_of(response)
    assert drafts.current("workflow", "ticket") is None
    bomb = 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: [*c,*c]\n'
    response = validate(post_form, bomb)
    assert response.status_code == 200
    assert "YAML aliases (*name) are not allowed" in text_of(response)


@pytest.mark.parametrize(
    "junk",
    ["", "- [", "just text", "states: 5\ntransitions: nope", "\x00\x01\x02", "[1, 2, 3]", "{{{"],
)
def test_junk_never_breaks_the_check(client, as_admin, post_form, junk):
    response = validate(post_form, junk)
    assert response.status_code == 200
    assert "problem" in text_of(response)
    assert post_form("/admin/workflow/validate", {"yaml": junk}).status_code == 200  # no JS


def test_junk_parameters_are_refused_without_a_server_error(client, as_admin, post_form):
    assert save(post_form, "x: 1", revision="abc", base_number="zz").status_code == 303
    assert client.get("/admin/workflow/versions/diff?old=x&new=99").status_code == 422
    assert client.get("/admin/workflow/versions/999/rollback").status_code == 404
    response = client.get("/admin/workflow/sla?at=not-a-date")
    assert response.status_code == 422 and "Enter a date and time" in text_of(response)
    assert client.get("/admin/workflow/sla?at=99999-01-01T00:00").status_code == 422
    # The date picker offers the year 9999, past where business time is counted: refused
    # like a bad date (it was a 500 error, or a bare "Bad request" at the year's end).
    for late in ("9999-12-30T10:00", "9999-12-31T23:59"):
        response = client.get(f"/admin/workflow/sla?at={late}")
        assert response.status_code == 422 and "Enter a date and time" in text_of(response)


# -- drafts, publishing and versions ----------------------------------------------------------


def test_an_invalid_draft_is_saved_but_cannot_be_published(client, as_admin, post_form):
    broken = SHIPPED_TEXT.replace("dest: closed", "dest: nowhere")
    response = save(post_form, broken, action="review")
    assert response.status_code == 303 and response.location.endswith("/admin/workflow/publish")
    draft = drafts.current("workflow", "ticket")
    assert draft.yaml_text == broken and draft.revision == 1
    assert "dest: nowhere" in client.get("/admin/workflow").get_data(as_text=True)
    review = client.get("/admin/workflow/publish")
    assert "unknown state 'nowhere'" in text_of(review)
    assert "Publish as version" not in text_of(review)
    response = post_form("/admin/workflow/publish", {"revision": "1", "comment": "try"})
    assert response.status_code == 422
    assert "fix them before publishing" in text_of(response)
    assert versions_count() == 1
    assert drafts.current("workflow", "ticket").yaml_text == broken  # nothing lost


def test_publishing_shows_the_diff_and_makes_a_new_version_tickets_keep_theirs(
    client, as_admin, post_form, teams
):
    old_ticket = make_ticket()
    assert old_ticket.workflow_version.number == 1
    text = SHIPPED_TEXT.replace("label: {en: Resolved,", "label: {en: Done,")
    assert save(post_form, text, action="review").status_code == 303
    review = client.get("/admin/workflow/publish")
    html = review.get_data(as_text=True)
    assert 'class="diff-added"' in html and "label: {en: Done," in html
    assert 'class="diff-removed"' in html and "label: {en: Resolved," in html
    assert "Publish as version 2" in text_of(review)
    response = post_form(
        "/admin/workflow/publish", {"revision": "1", "comment": "Done, not Resolved"}
    )
    assert response.status_code == 303 and response.location.endswith("/admin/workflow/versions")

    assert active_version().number == 2 and active_version().author.email == "admin@example.com"
    assert drafts.current("workflow", "ticket") is None
    db.session.expire_all()
    assert old_ticket.workflow_version.number == 1  # existing tickets keep their version
    assert make_ticket(subject="After").workflow_version.number == 2
    listing = text_of(client.get("/admin/workflow/versions"))
    assert "Done, not Resolved" in listing and "Ann Admin" in listing and "Active" in listing
    assert "workflow.published" in audit_actions() and "workflow.draft_saved" in audit_actions()
    editor = client.get("/admin/workflow")
    assert "No draft: the editor shows the active version 2." in text_of(editor)


def test_publish_review_lists_only_real_changes_after_the_builder_rewrote_the_draft(
    client, as_admin, post_form, teams
):
    """The routing builder saves the draft re-written (block style, no comments); the review
    must still show the one changed target, not every line of the document."""
    import yaml

    from workflow.routing_rules import dump_document

    data = yaml.safe_load(SHIPPED_TEXT)
    data["sla"]["policies"][-1]["first_response"] = "4h"
    save(post_form, dump_document(data))
    review = client.get("/admin/workflow/publish")
    page = review.get_data(as_text=True)
    added = page.count('class="diff-added"')
    removed = page.count('class="diff-removed"')
    assert (added, removed) == (1, 1)
    assert "first_response: 4h" in page and "first_response: 8h" in page
    assert "Layout and comments are left out" in text_of(review)


def test_diff_headers_name_the_changed_parts_not_line_ranges(
    client, admin, login, post_form, teams
):
    admin.locale = "pl"
    db.session.commit()
    login(admin)
    text = SHIPPED_TEXT.replace("first_response: 2h", "first_response: 3h").replace(
        'fri: [["08:00", "16:00"]]', 'fri: [["08:00", "15:00"]]'
    )
    save(post_form, text)
    review = text_of(client.get("/admin/workflow/publish"))
    line = SHIPPED_TEXT.splitlines().index('        fri: [["08:00", "16:00"]]') + 1
    assert f"Wiersz {line}: Kalendarz pracy „Biuro w Warszawie”" in review
    assert "Polityka SLA „high”" in review
    assert "@@" not in review
    post_form("/admin/workflow/publish", {"revision": "1"})
    compared = text_of(client.get("/admin/workflow/versions/diff?old=1&new=2"))
    assert "Polityka SLA „high”" in compared and "@@" not in compared


def test_the_audit_log_says_what_a_publish_changed(client, as_admin, post_form, teams):
    """Not only "version 1 → 2": the states and SLA targets that differ, before and after."""
    text = SHIPPED_TEXT.replace("first_response: 8h", "first_response: 4h").replace(
        "  closed:\n", "  on_hold:\n    label: {en: On hold}\n    category: waiting\n  closed:\n", 1
    )
    text = text.replace(
        "  - trigger: close\n",
        "  - {trigger: hold, source: in_progress, dest: on_hold}\n"
        "  - {trigger: unhold, source: on_hold, dest: in_progress}\n"
        "  - trigger: close\n",
    )
    save(post_form, text)
    assert post_form("/admin/workflow/publish", {"revision": "1"}).status_code == 303
    log = text_of(client.get("/admin/audit"))
    # Targets in words, the calendar by its label, not "8h / 3d (warsaw_office)".
    assert "standard: 8 business hours / 3 business days (Warsaw office)" in log
    assert "standard: 4 business hours / 3 business days (Warsaw office)" in log
    assert "warsaw_office" not in log
    assert "high: 2 business hours" not in log  # only the policy that changed is shown
    assert "resolved, on_hold, closed" in log and "hold, unhold" in log
    assert "Business calendars" not in log  # unchanged parts are left out
    as_admin.locale = "pl"  # the same entry, read by a Polish admin
    db.session.commit()
    log = text_of(client.get("/admin/audit"))
    assert "standard: 4 godziny robocze / 3 dni robocze (Biuro w Warszawie)" in log


def test_audit_entries_written_before_policies_were_data_read_as_written(app):
    entry = AuditEntry(
        action="workflow.published",
        before={"sla_policies": ["standard: 8h / 3d (warsaw_office)"], "calendars": ["x"]},
        after={"sla_policies": ["standard: 4h / 3d (warsaw_office)"], "calendars": ["x", "y"]},
    )
    with app.test_request_context():
        policies, calendars = audit.changes(entry)
    assert policies.before == "standard: 8h / 3d (warsaw_office)"
    assert calendars.after == ["x", "y"]


def test_versions_can_be_compared_and_rolled_back(client, as_admin, post_form, teams):
    save(post_form, SHIPPED_TEXT.replace("label: {en: Closed,", "label: {en: Archived,"))
    post_form("/admin/workflow/publish", {"revision": "1", "comment": "archive"})
    assert active_version().number == 2

    diff = client.get("/admin/workflow/versions/diff?old=1&new=2")
    assert diff.status_code == 200
    assert "label: {en: Archived," in diff.get_data(as_text=True)

    confirm = client.get("/admin/workflow/versions/1/rollback")
    assert confirm.status_code == 200 and "label: {en: Closed," in confirm.get_data(as_text=True)
    response = post_form("/admin/workflow/versions/1/rollback", {"comment": ""})
    assert response.status_code == 303
    db.session.expire_all()
    current = active_version()
    assert current.number == 3 and current.yaml_text == SHIPPED_TEXT
    assert current.comment == "Rolled back to version 1"
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "workflow.rolled_back")
    ).one()
    assert entry.after["restored"] == 1 and entry.after["version"] == 3


def test_two_admins_editing_at_once_get_a_conflict_not_an_overwrite(
    app, client, as_admin, post_form, create_user
):
    other = create_user(email="bob@example.com", name="Bob Boss", role=Role.ADMIN)
    second = app.test_client()
    second.post(
        "/login",
        data={"email": other.email, "password": PASSWORD, "csrf_token": csrf_token(app, second)},
    )
    # both opened the editor with no draft; Bob saves first
    bob = second.post(
        "/admin/workflow",
        data={
            "yaml": SHIPPED_TEXT + "# Bob's note\n",
            "revision": "",
            "base_number": "1",
            "action": "save",
            "csrf_token": csrf_token(app, second),
        },
    )
    assert bob.status_code == 303
    mine = SHIPPED_TEXT + "# Ann's note\n"
    response = save(post_form, mine)
    assert response.status_code == 409
    body = text_of(response)
    assert "Someone else saved the draft meanwhile" in body and "Bob Boss" in body
    html = response.get_data(as_text=True)
    assert "# Bob&#39;s note" in html and "# Ann&#39;s note" in html  # the diff, and my text kept
    assert 'name="revision" value="1"' in html  # saving again now replaces theirs knowingly
    assert drafts.current("workflow", "ticket").yaml_text.endswith("# Bob's note\n")
    assert save(post_form, mine, revision="1").status_code == 303
    assert drafts.current("workflow", "ticket").yaml_text == mine


def test_publishing_a_draft_changed_after_review_is_refused(client, as_admin, post_form, teams):
    save(post_form, SHIPPED_TEXT + "# first\n")
    save(post_form, SHIPPED_TEXT + "# second\n", revision="1")  # e.g. another admin's save
    response = post_form("/admin/workflow/publish", {"revision": "1", "comment": "old review"})
    assert response.status_code == 409
    assert "The draft changed since you reviewed it" in text_of(response)
    assert versions_count() == 1


def test_discarding_the_draft_returns_to_the_active_version(client, as_admin, post_form):
    save(post_form, "states: [broken")
    assert drafts.current("workflow", "ticket") is not None
    assert post_form("/admin/workflow/discard").status_code == 303
    assert drafts.current("workflow", "ticket") is None
    assert "workflow.draft_discarded" in audit_actions()
    assert "name: Default support lifecycle" in client.get("/admin/workflow").get_data(as_text=True)


# -- SLA overview -------------------------------------------------------------------------------


def test_sla_page_lists_policies_and_calendars_of_the_active_version(client, as_admin):
    response = client.get("/admin/workflow/sla")
    assert response.status_code == 200
    body = text_of(response)
    for expected in (
        "urgent",
        "the priority is “Urgent”",
        "the team is “product-quality”",  # no such team yet: its routing name
        "30 business minutes",
        "4 business hours",
        "3 business days",
        "every other ticket",
        "Warsaw office",
        "Warsaw, UTC+0",
        "08:00–18:00",
        "Poland",
        "Dec 24, 2026",
        "75 %",
    ):
        assert expected in body, expected
    assert 'href="/admin/workflow"' in response.get_data(as_text=True)


def test_sla_page_names_calendars_in_the_admins_language_with_their_hours(
    client, create_user, login
):
    login(create_user(email="p@example.com", name="P", role=Role.ADMIN, locale="pl"))
    body = text_of(client.get("/admin/workflow/sla"))
    # the policy table: the calendar by name, then when it is open, where and which holidays
    assert "Biuro w Warszawie pon.–czw. 08:00–18:00; pt. 08:00–16:00 (Warszawa, UTC+0" in body
    assert "święta państwowe: Polska" in body
    assert "Całodobowo (24/7)" in body
    # the calendars table: the name first, the id as written in the YAML beside it
    assert "Biuro w Lublanie (ljubljana_office)" in body
    assert "Słowenia" in body
    # its working hours in one column, days with equal hours grouped (a column per weekday
    # made the table wider than a laptop's screen)
    calendars = body.split("Kalendarze pracy")[-1]
    assert "Godziny pracy" in calendars
    assert "pon.–czw. 08:00–18:00 pt. 08:00–16:00 Polska" in calendars
    # conditions in words, not {"field": "priority", …}
    assert "priorytet jest „Pilny”" in body  # the words and the quotation marks of Polish


def test_sla_conditions_name_teams_as_admins_know_them(client, as_admin, teams):
    body = text_of(client.get("/admin/workflow/sla"))
    assert "the team is “Product Quality”" in body
    assert "field" not in body.split("Applies when")[1].split("Business calendars")[0]


def test_a_calendar_without_a_label_is_named_by_its_id_in_words(client, as_admin, post_form):
    save(
        post_form, SLA_YAML.replace("office:", "head_office:").replace(": office", ": head_office")
    )
    body = text_of(client.get("/admin/workflow/sla"))
    assert "Head office Mon–Fri 09:00–17:00 (UTC)" in body


def test_editor_problems_in_a_calendar_name_the_calendar(client, as_admin, post_form):
    broken = SHIPPED_TEXT.replace('fri: [["08:00", "16:00"]]', 'fri: [["08:00", "26:00"]]')
    body = text_of(validate(post_form, broken))
    line = SHIPPED_TEXT.splitlines().index('        fri: [["08:00", "16:00"]]') + 1
    assert f"line {line}: Warsaw office sla.calendars.warsaw_office.weekly_hours.fri[0]" in body


def test_sla_preview_matches_the_sla_engine_for_a_known_calendar(client, as_admin, post_form):
    save(post_form, SLA_YAML)  # a valid draft: the page shows it
    response = client.get("/admin/workflow/sla?at=2026-11-27T16:00")  # a Friday, UTC admin
    assert response.status_code == 200
    body = text_of(response)
    assert "Showing the draft" in body
    definition = load_definition_or_raise(SLA_YAML)
    choice = sla.choose_policy(definition, {})
    due = sla.deadlines(choice, datetime(2026, 11, 27, 16, 0, tzinfo=UTC))
    assert due["first_response"].due_at == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # Monday
    html = response.get_data(as_text=True)
    assert f'datetime="{due["first_response"].due_at.isoformat()}"' in html
    assert f'datetime="{due["resolution"].due_at.isoformat()}"' in html
    assert "due Mon 30 Nov 2026 10:00" in body
    assert "due Mon 30 Nov 2026 16:00" in body


def test_sla_preview_is_shown_in_the_admins_timezone(client, create_user, login):
    warsaw = create_user(email="w@example.com", name="W", role=Role.ADMIN, timezone="Europe/Warsaw")
    login(warsaw)
    # 16:00 in Warsaw is 15:00 UTC; 'urgent' counts round the clock: 30 min later
    body = text_of(client.get("/admin/workflow/sla?at=2026-11-27T16:00"))
    assert "Times are in your time zone, Warsaw, UTC+01:00" in body  # in words, its offset then
    assert "due Fri 27 Nov 2026 16:30" in body


def test_unknown_teams_are_problems_but_the_diagram_still_draws(client, as_admin, post_form):
    response = validate(post_form, SHIPPED_TEXT)  # no teams exist yet
    body = text_of(response)
    assert "unknown team 'customer-care'" in body
    assert "<svg" in response.get_data(as_text=True)


def test_a_team_misspelt_anywhere_is_a_problem_at_its_own_line(client, as_admin, teams, post_form):
    """assign_team with an unknown team did nothing at run time, and checked as fine; an
    unknown routing team was reported at `routing`, with no line."""
    text = SHIPPED_TEXT.replace(
        "    category: closed\n",
        "    category: closed\n    on_enter:\n      - assign_team: custmer-care\n",
        1,
    ).replace("default: {team: customer-care", "default: {team: product-qualty")
    lines = text.splitlines()
    on_enter = next(i for i, line in enumerate(lines) if "assign_team: custmer-care" in line)
    default = next(i for i, line in enumerate(lines) if "product-qualty" in line)
    body = text_of(validate(post_form, text))
    assert "2 problems" in body
    assert (
        f"line {on_enter + 1}: Closed states.closed.on_enter[0] : unknown team 'custmer-care'"
    ) in body
    assert f"line {default + 1}: routing.default.team : unknown team 'product-qualty'" in body
    assert "No problems" not in body


# -- working hours that run past midnight ---------------------------------------------------

NIGHT_YAML = SLA_YAML.replace('fri: [["09:00", "17:00"]]', 'fri: [["17:00", "09:00"]]')


def test_the_editor_says_an_overnight_span_runs_into_the_next_day(
    client, as_admin, admin, login, post_form
):
    response = validate(post_form, NIGHT_YAML)
    body = text_of(response)
    assert "No problems: this text can be published." in body  # supported, not refused
    assert "line 17: Office" in body
    assert "Friday 17:00–09:00 runs past midnight: open until 09:00 the next day, Saturday." in body
    admin.locale = "pl"
    db.session.commit()
    login(admin)
    body = text_of(validate(post_form, NIGHT_YAML))
    assert "Piątek 17:00–09:00 trwa po północy: otwarte do 09:00 następnego dnia (sobota)" in body


def test_the_sla_page_shows_an_overnight_span_ending_the_next_day(client, as_admin, post_form):
    save(post_form, NIGHT_YAML)
    body = text_of(client.get("/admin/workflow/sla?at=2026-11-27T18:00"))  # a Friday, UTC
    assert "17:00–09:00 (next day)" in body
    # 18:00 Friday + 2 business hours = 20:00; + 1 business day (16 h of the night shift)
    assert "due Fri 27 Nov 2026 20:00" in body


def draft_saves() -> list[AuditEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "workflow.draft_saved")
            .order_by(AuditEntry.id)
        )
    )


def differing(entry: AuditEntry) -> list[str]:
    return [field for field in entry.after if entry.before.get(field) != entry.after[field]]


def test_the_audit_log_says_what_each_draft_save_changed(client, as_admin, post_form, teams):
    """Like a publish: the SLA targets and states that differ from the text saved before."""
    slower = SHIPPED_TEXT.replace("first_response: 8h", "first_response: 4h")
    assert save(post_form, slower).status_code == 303  # the first save: against version 1
    held = slower.replace(
        "  closed:\n", "  on_hold:\n    label: {en: On hold}\n    category: waiting\n  closed:\n", 1
    )
    assert save(post_form, held, revision="1").status_code == 303

    first, second = draft_saves()
    assert (first.before["revision"], first.after["revision"]) == (None, 1)
    assert differing(first) == ["revision", "sla_policies"]
    assert differing(second) == ["revision", "states"]
    log = text_of(client.get("/admin/audit"))
    assert "standard: 8 business hours / 3 business days (Warsaw office)" in log
    assert "standard: 4 business hours / 3 business days (Warsaw office)" in log
    assert "high: 2 business hours" not in log  # only the policy that changed
    assert "resolved, on_hold, closed" in log
    as_admin.locale = "pl"
    db.session.commit()
    log = text_of(client.get("/admin/audit"))
    assert "standard: 4 godziny robocze / 3 dni robocze (Biuro w Warszawie)" in log
    assert "Zapisano wersję roboczą przepływu pracy" in log


def test_a_routing_builder_save_is_described_in_the_audit_log_too(
    client, as_admin, post_form, teams
):
    """By one entry, the builder's: what changed (here only the order), and the revision."""
    form = {"direction": "down", "revision": ""}
    assert post_form("/admin/workflow/routing/rules/0/move", form).status_code == 303
    assert draft_saves() == []  # not a second entry listing the same rules by name
    (entry,) = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "workflow.routing_changed")
    )
    assert differing(entry) == ["revision", "rule_order"]
    assert entry.before["rule_order"][:2] == [
        "Unhappy customers get a fast call back",
        "Broken pages go to product quality",
    ]
    assert entry.after["rule_order"][:2] == entry.before["rule_order"][1::-1]
    assert "Broken pages go to product quality; Unhappy customers get a fast call back; " in (
        text_of(client.get("/admin/audit"))
    )


def test_the_version_loopdesk_installed_is_described_in_the_admins_language(
    client, create_user, login
):
    login(create_user(email="p@example.com", name="P", role=Role.ADMIN, locale="pl"))
    active_version()  # installed on first use, its comment stored in English
    db.session.commit()
    listing = text_of(client.get("/admin/workflow/versions"))
    assert "Domyślny przepływ pracy dostarczany z Loopdesk" in listing
    assert "shipped default" not in listing
