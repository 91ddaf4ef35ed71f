"""Admins edit agents (hours, zone, teams), manage teams, and deactivating re-routes tickets."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.helpers import make_ticket, text_of
from webapp.extensions import db
from webapp.models import AuditEntry, Team, TeamMembership, Ticket, TicketEvent, User


def _agent_form(user: User, **overrides) -> dict:
    form = {
        "name": user.name,
        "role": "agent",
        "timezone": user.timezone,
        "capacity": "20",
        "languages": list(user.languages),
        "hours_mon": "09:00-17:00",
        "hours_tue": "09:00-17:00",
        "hours_wed": "09:00-17:00",
        "hours_thu": "09:00-17:00",
        "hours_fri": "09:00-17:00",
        "hours_sat": "",
        "hours_sun": "",
    }
    form.update(overrides)
    return form


def test_admin_edits_working_hours_zone_languages_capacity_and_teams(
    client, login, post_form, admin, agent, team
):
    login(admin)
    page = client.get(f"/admin/users/{agent.id}")
    assert page.status_code == 200 and "Working hours" in text_of(page)
    response = post_form(
        f"/admin/users/{agent.id}",
        _agent_form(
            agent,
            timezone="America/New_York",
            capacity="5",
            languages=["en", "sl"],
            teams=[str(team.id)],
            hours_mon="08:00-12:00, 13:00-16:30",
            hours_fri="",
            hours_sat="22:00-06:00",
        ),
    )
    assert response.status_code == 303
    assert "The changes to Ada Agent were saved." in text_of(client.get(response.location))
    db.session.refresh(agent)
    assert agent.timezone == "America/New_York"
    assert (agent.capacity, agent.languages) == (5, ["en", "sl"])
    assert agent.working_hours == {
        "mon": [["08:00", "12:00"], ["13:00", "16:30"]],
        "tue": [["09:00", "17:00"]],
        "wed": [["09:00", "17:00"]],
        "thu": [["09:00", "17:00"]],
        "sat": [["22:00", "06:00"]],
    }
    assert [m.team.slug for m in agent.memberships] == ["care"]
    # The edit form shows the spans as typed, and routing reads the same shape.
    html = client.get(f"/admin/users/{agent.id}").get_data(as_text=True)
    assert 'value="08:00-12:00, 13:00-16:30"' in html
    from webapp.services.assignment import working_hours_calendar

    calendar = working_hours_calendar(agent)
    assert calendar is not None
    assert calendar.is_open(datetime(2025, 3, 3, 13, 30, tzinfo=UTC))  # Mon 08:30 in New York
    assert not calendar.is_open(datetime(2025, 3, 7, 15, 0, tzinfo=UTC))  # Friday: day off
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.updated"))
    assert entry.before["timezone"] == "Europe/Warsaw"
    assert entry.after["timezone"] == "America/New_York"
    assert entry.before["teams"] == [] and entry.after["teams"] == ["Customer Care"]
    assert entry.after["working_hours"]["mon"] == [["08:00", "12:00"], ["13:00", "16:30"]]


def test_an_empty_day_among_set_hours_reads_as_a_day_off(client, login, admin, agent):
    """A grey "09:00-17:00" placeholder on Saturday looked like Saturday hours."""
    agent.working_hours = {"mon": [["09:00", "17:00"]]}
    db.session.commit()
    login(admin)
    page = client.get(f"/admin/users/{agent.id}").get_data(as_text=True)
    saturday = re.search(r'<input[^>]*name="hours_sat"[^>]*>', page).group(0)
    assert 'placeholder="day off"' in saturday
    agent.working_hours = {}
    db.session.commit()
    page = client.get(f"/admin/users/{agent.id}").get_data(as_text=True)
    saturday = re.search(r'<input[^>]*name="hours_sat"[^>]*>', page).group(0)
    assert 'placeholder="09:00-17:00"' in saturday  # no hours yet: an example of the format


def test_bad_hours_and_unknown_zone_are_refused_and_nothing_is_lost(
    client, login, post_form, admin, agent
):
    agent.working_hours = {"mon": [["09:00", "17:00"]]}
    db.session.commit()
    login(admin)
    response = post_form(
        f"/admin/users/{agent.id}",
        _agent_form(agent, name="Ada Renamed", timezone="Mars/Olympus", hours_tue="25:00-17:00"),
    )
    assert response.status_code == 422
    text = text_of(response)
    assert "“Mars/Olympus” is not a known time zone." in text
    assert "“25:00-17:00” is not a time span." in text
    html = response.get_data(as_text=True)
    assert 'value="25:00-17:00"' in html and 'value="Ada Renamed"' in html  # kept for fixing
    overlap = post_form(
        f"/admin/users/{agent.id}", _agent_form(agent, hours_wed="09:00-13:00, 12:00-17:00")
    )
    assert overlap.status_code == 422
    # The weekday in words, no YAML path such as weekly_hours.wed[1].
    assert "12:00–17:00 overlaps 09:00–13:00 (Wednesday)." in text_of(overlap)
    assert "weekly_hours" not in text_of(overlap) and "wed[0]" not in text_of(overlap)
    night = post_form(
        f"/admin/users/{agent.id}",
        _agent_form(agent, hours_sun="22:00-06:00", hours_mon="05:00-10:00"),
    )
    assert "22:00–06:00 overlaps 05:00–10:00 (Monday)." in text_of(night)
    db.session.refresh(agent)
    assert (agent.name, agent.timezone) == ("Ada Agent", "Europe/Warsaw")
    assert agent.working_hours == {"mon": [["09:00", "17:00"]]}
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.updated")) is None


def test_team_create_rename_and_membership(client, login, post_form, admin, agent):
    login(admin)
    created = post_form("/admin/teams", {"name": "Obsługa klienta"})
    assert created.status_code == 303
    team = db.session.scalar(select(Team))
    assert (team.name, team.slug) == ("Obsługa klienta", "obsluga-klienta")
    assert post_form("/admin/teams", {"name": "Obsługa klienta"}).status_code == 422

    added = post_form(f"/admin/teams/{team.id}/members", {"user_id": str(agent.id)})
    assert "Ada Agent joined Obsługa klienta." in text_of(client.get(added.location))
    assert [m.user_id for m in team.memberships] == [agent.id]
    assert "Ada Agent" in text_of(client.get("/admin/teams"))

    renamed = post_form(f"/admin/teams/{team.id}", {"name": "Customer Care PL"})
    assert renamed.status_code == 303
    db.session.refresh(team)
    assert (team.name, team.slug) == ("Customer Care PL", "obsluga-klienta")  # rules keep working

    post_form(f"/admin/teams/{team.id}/members/{agent.id}/remove")
    db.session.refresh(team)
    assert team.memberships == []
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["team.created", "team.member_added", "team.renamed", "team.member_removed"]


@pytest.fixture
def care_team(app, create_user):
    care = Team(slug="customer-care", name="Customer Care")
    db.session.add_all([care, Team(slug="product-quality", name="Product Quality")])
    anna = create_user(email="anna@example.com", name="Anna", languages=["pl", "en"])
    boris = create_user(email="boris@example.com", name="Boris", languages=["ru", "en"])
    for user in (anna, boris):
        db.session.add(TeamMembership(team=care, user=user))
    db.session.commit()
    return care, anna, boris


def test_deactivating_an_agent_reroutes_their_open_tickets(
    client, login, post_form, admin, create_user, care_team
):
    care, anna, boris = care_team
    first, second = make_ticket(), make_ticket(subject="Druga sprawa")
    assert first.assignee_id == second.assignee_id == anna.id  # the only Polish speaker
    # Two more Polish speakers join: Cyril is on duty now, Dora works only on another day.
    cyril = create_user(email="cyril@example.com", name="Cyril", languages=["pl"])
    other_day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[
        (datetime.now(UTC) + timedelta(days=3)).weekday()
    ]
    dora = create_user(
        email="dora@example.com",
        name="Dora",
        languages=["pl"],
        timezone="UTC",
        working_hours={other_day: [["10:00", "12:00"]]},
    )
    db.session.add_all([TeamMembership(team=care, user=u) for u in (cyril, dora)])
    db.session.commit()

    login(admin)
    response = post_form(f"/admin/users/{anna.id}/active", htmx=True)
    assert response.status_code == 200
    assert "Anna can no longer log in. 2 open tickets were re-routed." in text_of(response)
    db.session.expire_all()
    assert db.session.get(User, anna.id).active is False
    for ticket in (first, second):
        ticket = db.session.get(Ticket, ticket.id)
        assert ticket.assignee_id == cyril.id
        told, assigned, routed = db.session.scalars(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(TicketEvent.id.desc())
            .limit(3)
        ).all()
        # Cyril hears that the ticket is now his.
        assert told.kind == "email_queued" and told.data["to"] == "cyril@example.com"
        assert routed.kind == "routed" and routed.actor_id == admin.id
        assert "Anna was deactivated by Ann Admin" in routed.data["reason"]
        assert "on duty now" in routed.data["assignment"]
        assert assigned.kind == "assigned"
        assert (assigned.data["assignee"], assigned.data["previous"]) == ("Cyril", "Anna")
    timeline = text_of(client.get(f"/tickets/{first.number}"))
    assert "Anna was deactivated by Ann Admin" in timeline
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.deactivated"))
    assert entry.after == {"active": False, "rerouted_tickets": [first.number, second.number]}


def test_an_admin_cannot_deactivate_or_demote_themselves(client, login, post_form, admin):
    login(admin)
    assert post_form(f"/admin/users/{admin.id}/active").status_code == 400
    response = post_form(f"/admin/users/{admin.id}", _agent_form(admin, role="agent"))
    assert response.status_code == 422
    assert "You cannot change your own role." in text_of(response)
    db.session.refresh(admin)
    assert admin.is_admin and admin.active


ADMIN_PAGES = [
    ("get", "/admin/users/{agent}"),
    ("post", "/admin/users/{agent}"),
    ("post", "/admin/users/{agent}/active"),
    ("get", "/admin/teams"),
    ("post", "/admin/teams"),
    ("get", "/admin/teams/{team}"),
    ("post", "/admin/teams/{team}"),
    ("post", "/admin/teams/{team}/members"),
    ("post", "/admin/teams/{team}/members/{agent}/remove"),
    ("get", "/admin/email-templates"),
    ("get", "/admin/email-templates/ticket_confirmation/pl"),
    ("post", "/admin/email-templates/ticket_confirmation/pl"),
    ("post", "/admin/email-templates/ticket_confirmation/pl/preview"),
    ("post", "/admin/email-templates/ticket_confirmation/pl/revert"),
    ("get", "/admin/canned-replies"),
    ("post", "/admin/canned-replies"),
    ("get", "/admin/canned-replies/{reply}"),
    ("post", "/admin/canned-replies/{reply}"),
    ("post", "/admin/canned-replies/{reply}/active"),
]


@pytest.mark.parametrize(("method", "url"), ADMIN_PAGES)
def test_agents_get_403_on_every_admin_page(client, login, post_form, agent, team, method, url):
    from webapp.models import CannedReply

    reply = CannedReply(title="Hi", locale="en", body="Hi {name}")
    db.session.add(reply)
    db.session.commit()
    url = url.format(agent=agent.id, team=team.id, reply=reply.id)
    login(agent)
    data = {"name": "X", "subject": "S", "body": "B", "title": "T", "user_id": str(agent.id)}
    response = client.get(url) if method == "get" else post_form(url, data)
    assert response.status_code == 403
    db.session.refresh(agent)
    assert agent.active and agent.name == "Ada Agent"


def test_admin_changes_an_agents_interface_language_and_the_log_says_so(
    client, login, post_form, admin, agent
):
    login(admin)
    html = client.get(f"/admin/users/{agent.id}").get_data(as_text=True)
    menu = re.search(r'<select[^>]*name="locale".*?</select>', html, re.S).group(0)
    options = re.findall(r'<option([^>]*)value="(\w+)"([^>]*)>([^<]+)</option>', menu)
    assert [(value, name.strip()) for _, value, _, name in options] == [
        ("en", "English"),
        ("pl", "Polski"),
        ("ru", "Русский"),
        ("sl", "Slovenščina"),
    ]
    assert [v for before, v, after, _ in options if "selected" in before + after] == ["en"]

    refused = post_form(f"/admin/users/{agent.id}", _agent_form(agent, locale="xx"))
    assert refused.status_code == 422
    assert post_form(f"/admin/users/{agent.id}", _agent_form(agent)).status_code == 303
    db.session.refresh(agent)
    assert agent.locale == "en"  # nothing chosen (an older page): kept

    saved = post_form(f"/admin/users/{agent.id}", _agent_form(agent, locale="sl"))

    assert saved.status_code == 303
    db.session.refresh(agent)
    assert agent.locale == "sl"
    entry = db.session.scalar(
        select(AuditEntry)
        .where(AuditEntry.action == "user.updated")
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    assert (entry.before["locale"], entry.after["locale"]) == ("en", "sl")
    assert entry.before["timezone"] == entry.after["timezone"]  # the zone was left alone
    assert "English → Slovenian" in text_of(client.get("/admin/audit"))
    post_form("/logout")
    login(agent)
    assert '<html lang="sl"' in client.get("/board").get_data(as_text=True)


def test_an_admin_who_changes_their_own_language_is_told_in_the_new_one(
    client, login, post_form, admin
):
    login(admin)
    form = _agent_form(admin, role="admin", locale="pl")
    saved = post_form(f"/admin/users/{admin.id}", form)
    assert saved.status_code == 303
    page = text_of(client.get(saved.headers["Location"]))
    assert f"Zapisano zmiany w {admin.name}." in page
    assert "were saved" not in page


def test_changing_ones_own_language_in_the_profile_is_confirmed_in_the_new_one(
    client, login, post_form, agent
):
    login(agent)
    saved = post_form(
        "/profile",
        {"name": agent.name, "locale": "ru", "timezone": agent.timezone, "languages": ["en"]},
    )
    assert saved.status_code == 303
    page = text_of(client.get(saved.headers["Location"]))
    assert "Профиль сохранён." in page
    assert "Your profile is saved." not in page
