"""Admins delete a team nothing depends on; otherwise they are told what still needs it."""

from __future__ import annotations

import html

import pytest
import yaml
from sqlalchemy import func, select

from tests.helpers import make_ticket, text_of
from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    Role,
    Team,
    TeamMembership,
    TeamRoutingState,
    Ticket,
    WorkflowKind,
)
from webapp.services import drafts
from webapp.services.workflow_studio import DRAFT_KEY, DRAFT_KIND
from webapp.services.workflow_versions import SHIPPED, publish_version


def _text(response) -> str:
    return html.unescape(text_of(response))


def _team(slug: str = "parcels", name: str = "Parcels & Post", members=()) -> Team:
    team = Team(slug=slug, name=name)
    db.session.add(team)
    for user in members:
        db.session.add(TeamMembership(team=team, user=user))
    db.session.commit()
    return team


def _tickets_with(team: Team, *states: str) -> list[Ticket]:
    tickets = []
    for state in states:
        ticket = make_ticket(subject=f"Parcel {state}")
        ticket.team_id, ticket.state = team.id, state
        tickets.append(ticket)
    db.session.commit()
    return tickets


def _shipped() -> dict:
    return yaml.safe_load(SHIPPED[WorkflowKind.TICKET].read_text(encoding="utf-8"))


def _publish(data: dict) -> None:
    publish_version(
        WorkflowKind.TICKET, yaml.safe_dump(data, allow_unicode=True), None, check_teams=False
    )
    db.session.commit()


def _naming_everywhere(slug: str) -> dict:
    """The shipped workflow with the team named by a rule, SLA, a state, a transition…"""
    data = _shipped()
    data["routing"]["rules"].insert(
        0,
        {
            "name": "Damaged parcels",
            "when": {"field": "answers.topic", "op": "=", "value": "damaged"},
            "set": {"team": slug, "assign": "round_robin"},
        },
    )
    data["sla"]["policies"].insert(
        0,
        {
            "name": "Parcel claims",
            "when": {"any": [{"field": "team", "op": "in", "value": [slug, "other"]}]},
            "calendar": "around_the_clock",
            "first_response": "1h",
            "on_breach": [{"assign_team": slug}],
        },
    )
    data["states"]["waiting_on_customer"]["on_enter"] = [{"assign_team": slug}]
    data["states"]["resolved"]["timers"][0]["do"] = [{"assign_team": slug}]
    data["automations"].append(
        {"name": "Parcels on label", "on": "label.added", "do": [{"assign_team": slug}]}
    )
    return data


def test_an_unused_team_is_deleted_after_a_confirmation_and_its_members_stay(
    app, client, login, post_form, admin, agent
):
    team = _team(members=[agent])
    team_id = team.id
    db.session.add(TeamRoutingState(team_id=team.id))
    db.session.commit()
    login(admin)
    team_page = _text(client.get(f"/admin/teams/{team.id}"))
    assert "Delete the team…" in team_page

    confirm = client.get(f"/admin/teams/{team.id}/delete")
    assert confirm.status_code == 200
    text = _text(confirm)
    assert "Delete the team Parcels & Post? This cannot be undone." in text
    assert "Its 1 member keeps their account; only the membership ends." in text
    assert "Parcels &amp; Post" in confirm.get_data(as_text=True)  # escaped

    done = post_form(f"/admin/teams/{team.id}/delete")
    assert done.status_code == 303 and done.headers["Location"].endswith("/admin/teams")
    assert "The team Parcels & Post was deleted." in _text(client.get("/admin/teams"))
    db.session.expire_all()
    assert db.session.get(Team, team_id) is None
    assert db.session.scalar(select(func.count()).select_from(TeamMembership)) == 0
    assert db.session.scalar(select(func.count()).select_from(TeamRoutingState)) == 0
    assert agent.active and db.session.get(type(agent), agent.id) is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "team.deleted"))
    assert (entry.target_label, entry.actor_id) == ("Parcels & Post", admin.id)
    assert entry.before["members"] == [agent.name]
    audit_page = _text(client.get("/admin/audit"))
    assert "Deleted a team" in audit_page and "Parcels & Post" in audit_page


def test_finished_tickets_stay_readable_without_a_team(app, client, login, post_form, admin):
    team = _team()
    resolved, closed = _tickets_with(team, "resolved", "closed")
    login(admin)
    confirm = _text(client.get(f"/admin/teams/{team.id}/delete"))
    assert (
        "Its 2 resolved or closed tickets stay readable, with their history, "
        "but will have no team." in confirm
    )

    post_form(f"/admin/teams/{team.id}/delete")

    listing = _text(client.get("/admin/teams"))
    assert (
        "The team Parcels & Post was deleted. Its 2 finished tickets now have no team." in listing
    )
    db.session.expire_all()
    for ticket in (resolved, closed):
        ticket = db.session.get(Ticket, ticket.id)
        assert ticket.team_id is None and ticket.events  # history kept
        page = client.get(f"/tickets/{ticket.number}")
        assert page.status_code == 200 and ticket.subject in _text(page)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "team.deleted"))
    assert entry.after == {"tickets_without_team": [resolved.number, closed.number]}


def test_open_tickets_keep_the_team_and_the_admin_is_sent_to_them(
    app, client, login, post_form, admin
):
    team = _team()
    _tickets_with(team, "new", "in_progress", "waiting_on_customer", "closed")
    login(admin)
    confirm = client.get(f"/admin/teams/{team.id}/delete")
    page = confirm.get_data(as_text=True)
    assert "3 open tickets are with this team." in _text(confirm)
    assert 'href="/board?team=parcels"' in page
    assert "Delete the team</button>" not in page

    refused = post_form(f"/admin/teams/{team.id}/delete")

    assert refused.status_code == 409
    assert "3 open tickets are with this team." in _text(refused)
    db.session.expire_all()
    assert db.session.get(Team, team.id) is not None
    assert db.session.scalar(select(func.count()).where(Ticket.team_id == team.id)) == 4
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "team.deleted")) is None


def test_every_workflow_reference_is_named_with_a_link_to_change_it(
    app, client, login, post_form, admin
):
    team = _team()
    _publish(_naming_everywhere("parcels"))
    login(admin)

    refused = post_form(f"/admin/teams/{team.id}/delete")

    assert refused.status_code == 409
    text = _text(refused)
    for sentence in (
        "Parcels & Post cannot be deleted yet:",
        "The routing rule “Damaged parcels” sends tickets to this team. Routing rules",
        "The SLA policy “Parcel claims” applies to tickets of this team (team = parcels).",
        "The SLA policy “Parcel claims” moves overdue tickets to this team (assign_team: parcels).",
        "Entering the state “Waiting on customer” moves tickets to this team",
        "A timer of the state “Resolved” moves tickets that stay there to this team "
        "(assign_team: parcels).",
        "The automation “Parcels on label” names this team (parcels).",
    ):
        assert sentence in text, sentence
    page = refused.get_data(as_text=True)
    assert 'href="/admin/workflow/routing"' in page and 'href="/admin/workflow"' in page
    assert db.session.get(Team, team.id) is not None


def test_a_team_named_only_by_the_unpublished_draft_is_refused_too(
    app, client, login, post_form, admin
):
    team = _team()
    drafts.save(
        DRAFT_KIND,
        DRAFT_KEY,
        yaml.safe_dump(_naming_everywhere("parcels"), allow_unicode=True),
        revision=None,
        base_number=None,
        actor=admin,
    )
    db.session.commit()
    login(admin)
    text = _text(client.get(f"/admin/teams/{team.id}/delete"))
    assert "The unpublished workflow draft names this team too:" in text
    assert "The routing rule “Damaged parcels” sends tickets to this team." in text
    assert post_form(f"/admin/teams/{team.id}/delete").status_code == 409


def test_the_refusal_is_in_the_admins_language(app, client, login, create_user):
    admin = create_user(email="szef@example.com", name="Szefowa", role=Role.ADMIN, locale="pl")
    team = _team()
    _tickets_with(team, "new")
    _publish(_naming_everywhere("parcels"))
    login(admin)
    text = _text(client.get(f"/admin/teams/{team.id}/delete"))
    assert "1 otwarte zgłoszenie jest w tym zespole." in text
    assert "Reguła kierowania „Damaged parcels” kieruje zgłoszenia do tego zespołu." in text


def test_only_admins_delete_teams_and_only_with_the_csrf_token(
    app, client, login, post_form, admin, agent
):
    team = _team()
    login(agent)
    assert client.get(f"/admin/teams/{team.id}/delete").status_code == 403
    assert post_form(f"/admin/teams/{team.id}/delete").status_code == 403
    post_form("/logout")
    login(admin)
    assert client.post(f"/admin/teams/{team.id}/delete").status_code == 400
    assert client.get("/admin/teams/999999/delete").status_code == 404
    assert post_form("/admin/teams/999999/delete").status_code == 404
    db.session.expire_all()
    assert db.session.get(Team, team.id) is not None


def _naming_unnamed(slug: str) -> dict:
    """The shipped workflow with the team named by an unnamed rule, SLA policy and automation,
    and by a named rule (which keeps its quoted name)."""
    data = _shipped()
    data["routing"]["rules"].insert(
        1,
        {
            "when": {"field": "answers.topic", "op": "=", "value": "lost"},
            "set": {"team": slug, "assign": "round_robin"},
        },
    )
    data["routing"]["rules"].insert(
        0,
        {
            "name": "Damaged parcels",
            "when": {"field": "answers.topic", "op": "=", "value": "damaged"},
            "set": {"team": slug, "assign": "round_robin"},
        },
    )
    data["sla"]["policies"].insert(
        1,
        {
            "when": {"field": "team", "op": "=", "value": slug},
            "calendar": "around_the_clock",
            "first_response": "1h",
            "on_breach": [{"assign_team": slug}],
        },
    )
    data["automations"].append({"on": "label.added", "do": [{"assign_team": slug}]})
    return data


UNNAMED_SENTENCES = {
    "en": (
        "The routing rule “Damaged parcels” sends tickets to this team.",
        "In the routing rules, Rule 3 sends tickets to this team.",
        "In the SLA policies, Policy 2 applies to tickets of this team (team = parcels).",
        "In the SLA policies, Policy 2 moves overdue tickets to this team (assign_team: parcels).",
        "names this team (parcels).",
    ),
    "pl": (
        "Reguła kierowania „Damaged parcels” kieruje zgłoszenia do tego zespołu.",
        "W regułach kierowania Reguła 3 kieruje zgłoszenia do tego zespołu.",
        "W politykach SLA Polityka 2 dotyczy zgłoszeń tego zespołu (team = parcels).",
        "W politykach SLA Polityka 2 przenosi przeterminowane zgłoszenia do tego zespołu "
        "(assign_team: parcels).",
        "wskazuje ten zespół (parcels).",
    ),
}


@pytest.mark.parametrize("locale", sorted(UNNAMED_SENTENCES))
def test_unnamed_rules_policies_and_automations_are_called_by_their_place_not_quoted(
    app, client, login, create_user, locale
):
    """The loader's English 'rule 3' / 'policy 2' / '#4' are not names to quote."""
    admin = create_user(email="boss@example.com", name="Boss", role=Role.ADMIN, locale=locale)
    team = _team()
    data = _naming_unnamed("parcels")
    automation = len(data["automations"])
    _publish(data)
    login(admin)
    text = _text(client.get(f"/admin/teams/{team.id}/delete"))
    for sentence in UNNAMED_SENTENCES[locale]:
        assert sentence in text, sentence
    automation_word = {"en": "Automation", "pl": "Automatyzacja"}[locale]
    assert f"{automation_word} {automation} {UNNAMED_SENTENCES[locale][-1]}" in text
    for loader_name in ("rule 3", "policy 2", f"#{automation}"):
        assert loader_name not in text
