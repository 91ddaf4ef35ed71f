"""Admins add agents; the invitation link lets the new agent set a password and log in."""

import re

from sqlalchemy import select

from tests.helpers import text_of
from webapp.extensions import db
from webapp.models import OutboxMessage, Role, User


def _new_agent_form(**overrides) -> dict:
    form = {
        "name": "Zofia Nowak",
        "email": "Zofia@Example.com",
        "role": "agent",
        "locale": "pl",
        "timezone": "Europe/Warsaw",
        "languages": ["pl", "en"],
    }
    form.update(overrides)
    return form


def test_admin_adds_an_agent_with_htmx(client, login, post_form, admin, team):
    login(admin)
    response = post_form("/admin/users", {**_new_agent_form(), "teams": [str(team.id)]}, htmx=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html  # only the staff fragment is swapped
    assert 'id="staff"' in html
    assert "zofia@example.com" in html
    assert "Customer Care" in text_of(response)
    assert "An invitation was e-mailed to zofia@example.com" in html  # flash, out of band
    user = db.session.scalar(select(User).where(User.email == "zofia@example.com"))
    assert (user.role, user.locale, user.languages) == (Role.AGENT, "pl", ["pl", "en"])
    assert [m.team.slug for m in user.memberships] == ["care"]


def test_invitation_link_sets_the_password_once(client, login, post_form, admin):
    login(admin)
    post_form("/admin/users", _new_agent_form(locale="en"))
    post_form("/logout")
    message = db.session.scalar(select(OutboxMessage))
    link = re.search(r"http://loopdesk\.test(/set-password/\S+)", message.body_text).group(1)

    assert client.get(link).status_code == 200
    short = post_form(link, {"password": "short", "confirm": "short"})
    assert short.status_code == 422
    assert "Use at least 10 characters." in text_of(short)
    done = post_form(link, {"password": "a long new password", "confirm": "a long new password"})
    assert done.status_code == 303
    assert "Welcome, Zofia Nowak" in text_of(client.get("/dashboard"))
    # Used once: the link is dead now.
    post_form("/logout")
    assert client.get(link).status_code == 410
    assert client.get("/set-password/not-a-token").status_code == 410


def test_duplicate_email_is_refused_and_the_form_keeps_its_input(client, login, post_form, admin):
    login(admin)
    response = post_form("/admin/users", _new_agent_form(email="ADMIN@example.com"), htmx=True)
    assert response.status_code == 422
    assert "An account with this e-mail address already exists." in text_of(response)
    assert 'value="Zofia Nowak"' in response.get_data(as_text=True)


def test_invalid_agent_form_shows_field_errors(client, login, post_form, admin):
    login(admin)
    response = post_form("/admin/users", _new_agent_form(email="not-an-email", name=""))
    assert response.status_code == 422
    text = text_of(response)
    assert "Enter a valid e-mail address." in text and "Enter a name." in text
    assert db.session.scalar(select(User).where(User.email == "not-an-email")) is None


def test_agent_names_are_escaped(client, login, post_form, admin):
    login(admin)
    post_form("/admin/users", _new_agent_form(name='<img src=x onerror="alert(1)">'))
    html = client.get("/admin/users").get_data(as_text=True)
    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;img src=x onerror=" in html


def test_admin_deactivates_and_reactivates_an_agent(client, login, post_form, admin, agent):
    login(admin)
    page = client.get("/admin/users").get_data(as_text=True)
    # re-routing an agent's tickets cannot be undone: the browser asks first
    assert f"Deactivate {agent.name}? They can no longer log in" in page
    response = post_form(f"/admin/users/{agent.id}/active", htmx=True)
    assert "Deactivate " + agent.name not in response.get_data(as_text=True)  # nothing to ask
    assert "Reactivate" in text_of(response)
    db.session.refresh(agent)
    assert agent.active is False
    post_form(f"/admin/users/{agent.id}/active")
    db.session.refresh(agent)
    assert agent.active is True


def test_admin_cannot_deactivate_themselves(client, login, post_form, admin):
    login(admin)
    assert post_form(f"/admin/users/{admin.id}/active").status_code == 400


def test_a_deactivated_agent_is_logged_out_of_a_session_already_open(
    client, login, post_form, admin, agent
):
    login(agent)
    assert client.get("/board").status_code == 200
    agent.active = False  # as the admin's Deactivate button does, from another browser
    db.session.commit()
    reply = client.get("/board")
    assert reply.status_code == 302 and "/login" in reply.headers["Location"]
