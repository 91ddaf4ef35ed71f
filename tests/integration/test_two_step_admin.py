"""Two-step sign-in as admins handle it: who has it on the Agents pages, a reset for an
agent who lost their phone (confirmed, audited, e-mailed in the agent's language), and the
setting that requires it for all staff."""

from __future__ import annotations

import json

import pyotp
import pytest
from sqlalchemy import select

from tests.helpers import PASSWORD, text_of
from tests.integration.test_two_step_sign_in import SECRET, audit_entries, fresh, turn_on
from webapp.demo import DEMO_PASSWORD
from webapp.extensions import db
from webapp.models import OutboxMessage, User
from webapp.services import two_step


@pytest.fixture
def polish_agent(create_user) -> User:
    return create_user(email="ola@example.pl", name="Ola Nowak", locale="pl")


def test_the_agents_list_and_page_say_who_has_it(client, login, admin, polish_agent):
    turn_on(polish_agent)
    login(admin)
    listing = client.get("/admin/users")
    assert "Two-step sign-in" in text_of(listing)
    rows = listing.get_data(as_text=True).split("<tr>")
    (row,) = [r for r in rows if ">ola@<wbr>example.pl<" in r]  # may wrap after the @
    assert 'status-sent">On<' in row
    (admin_row,) = [r for r in rows if ">admin@<wbr>example.com<" in r]
    assert 'status-inactive">Off<' in admin_row
    page = text_of(client.get(f"/admin/users/{polish_agent.id}"))
    assert "Two-step sign-in: On since" in page and "Reset two-step sign-in" in page


def test_the_agents_list_asks_the_same_queries_for_more_agents(
    client, login, admin, create_user, count_queries
):
    login(admin)
    with count_queries() as few:
        client.get("/admin/users")
    for n in range(5):
        turn_on(create_user(email=f"a{n}@example.com", name=f"Agent {n}"))
    with count_queries() as more:
        client.get("/admin/users")
    assert len(more) == len(few)


def test_an_admin_resets_it_after_a_confirmation_and_the_agent_is_told_in_polish(
    client, login, post_form, admin, polish_agent
):
    turn_on(polish_agent)
    login(admin)
    confirm = client.get(f"/admin/users/{polish_agent.id}/two-step/reset")
    assert confirm.status_code == 200
    assert "Reset two-step sign-in of Ola Nowak" in text_of(confirm)
    assert fresh(polish_agent).two_step_on  # the page alone changes nothing
    reply = post_form(f"/admin/users/{polish_agent.id}/two-step/reset")
    assert reply.status_code == 303
    agent = fresh(polish_agent)
    assert not agent.two_step_on and agent.two_step_secret is None
    assert two_step.recovery_codes_left(agent) == 0
    (entry,) = audit_entries("user.two_step_reset")
    assert entry.actor_name == "Ann Admin" and entry.target_label == "Ola Nowak"
    assert SECRET not in json.dumps([entry.before, entry.after])
    (mail,) = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "two_step_reset")
    ).all()
    assert mail.to_address == "ola@example.pl" and mail.locale == "pl"
    assert "logowanie dwuetapowe" in mail.subject.lower()
    assert "Ann Admin" in mail.body_text and "http://loopdesk.test/profile" in mail.body_text
    # A second click has nothing left to do: no second e-mail, no second entry.
    post_form(f"/admin/users/{polish_agent.id}/two-step/reset")
    assert len(audit_entries("user.two_step_reset")) == 1
    assert client.get(f"/admin/users/{polish_agent.id}/two-step/reset").status_code == 303
    # The audit log names what happened; admins may reword the e-mail like other staff mail.
    assert "Reset a staff member's two-step sign-in" in text_of(client.get("/admin/audit"))
    assert "Two-step sign-in reset by an administrator" in text_of(
        client.get("/admin/email-templates")
    )


def test_an_agent_cannot_reset_anybodys(client, login, post_form, agent, create_user):
    other = create_user(email="other@example.com", name="Other")
    turn_on(other)
    login(agent)
    assert post_form(f"/admin/users/{other.id}/two-step/reset").status_code == 403
    reply = post_form("/admin/users/two-step-required", {"two_step_required": "y"})
    assert reply.status_code == 403
    assert fresh(other).two_step_on and not two_step.required_for_staff()


def test_required_for_all_staff_keeps_them_on_the_setup_until_it_is_on(
    client, login, post_form, admin, agent
):
    login(admin)
    page = client.get("/admin/users")
    assert "Require two-step sign-in for all staff" in text_of(page)
    assert "2 active staff members have not set it up yet." in text_of(page)
    reply = post_form("/admin/users/two-step-required", {"two_step_required": "y"})
    assert reply.status_code == 303
    assert two_step.required_for_staff()
    (entry,) = audit_entries("two_step.required_changed")
    assert entry.after == {"two_step_required": True}
    post_form("/admin/users/two-step-required", {"two_step_required": "y"})  # unchanged
    assert len(audit_entries("two_step.required_changed")) == 1
    post_form("/logout")

    reply = login(agent)
    assert reply.headers["Location"].endswith("/profile/two-step")
    for path in ("/dashboard", "/board", "/tickets", "/profile", "/admin/users"):
        assert client.get(path).headers["Location"].endswith("/profile/two-step"), path
    htmx = client.get("/board", headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"].endswith("/profile/two-step")
    setup = client.get("/profile/two-step")
    assert "Your administrator requires two-step sign-in for all staff." in text_of(setup)
    assert client.get("/static/css/app.css").status_code == 200

    key = setup.get_data(as_text=True).split('id="two-step-key">')[1].split("<")[0]
    reply = post_form("/profile/two-step", {"code": pyotp.TOTP(key.replace(" ", "")).now()})
    assert reply.status_code == 200
    assert client.get("/dashboard").status_code == 200
    assert post_form("/logout").status_code == 303


def test_logging_out_works_while_required(client, login, post_form, admin, agent):
    two_step.set_required_for_staff(True)
    db.session.commit()
    login(agent)
    assert post_form("/logout").headers["Location"].endswith("/login")
    assert client.get("/dashboard").status_code == 302


def test_switching_it_off_again_lets_everybody_in(client, login, post_form, admin):
    two_step.set_required_for_staff(True)
    db.session.commit()
    login(admin)  # an admin without it is sent to the setup too
    assert client.get("/admin/users").headers["Location"].endswith("/profile/two-step")
    two_step.set_required_for_staff(False)
    db.session.commit()
    assert client.get("/admin/users").status_code == 200
    post_form("/admin/users/two-step-required", {})
    assert not two_step.required_for_staff()


def test_the_demo_logins_need_no_code(client, demo_data, post_form):
    reply = post_form("/login", {"email": "admin@loopdesk.test", "password": DEMO_PASSWORD})
    assert reply.status_code == 303 and not reply.headers["Location"].endswith("/login/code")
    assert client.get("/dashboard").status_code == 200
    assert db.session.scalar(select(User).where(User.two_step_on_since.is_not(None))) is None


def test_the_agent_page_of_someone_without_it_offers_no_reset(client, login, admin, agent):
    login(admin)
    page = text_of(client.get(f"/admin/users/{agent.id}"))
    assert "Two-step sign-in: Off" in page and "Reset two-step sign-in" not in page
    reply = client.get(f"/admin/users/{agent.id}/two-step/reset")
    assert reply.status_code == 303
    assert PASSWORD  # the fixture password logs them in as usual


def test_an_admin_turns_their_own_off_on_the_profile_not_by_a_reset(
    client, login, post_form, admin
):
    turn_on(admin)
    login(admin)
    post_form("/login/code", {"code": pyotp.TOTP(SECRET).now()})
    assert "Reset two-step sign-in" not in text_of(client.get(f"/admin/users/{admin.id}"))
    reply = post_form(f"/admin/users/{admin.id}/two-step/reset")
    assert reply.headers["Location"].endswith("/profile#two-step")
    assert fresh(admin).two_step_on
    assert audit_entries("user.two_step_reset") == []


@pytest.mark.parametrize(
    "typed",
    ["", " ", "abc", "12 34 56 78", "٣٤٥٦٧٨", "x" * 100_000, "\x00\u202e123456", "---", "1e6"],
)
def test_no_input_breaks_a_page(client, login, post_form, create_user, typed):
    user = create_user(email="fuzz@example.com")
    turn_on(user)
    login(user)
    for path, field in (("/login/code", "code"), ("/login/code?recovery=1", "code")):
        assert post_form(path, {field: typed}).status_code in (422, 429)
    post_form("/login/code", {"code": pyotp.TOTP(SECRET).now()})
    for path, data in (
        ("/profile/two-step/recovery-codes", {"renew_code": typed}),
        ("/profile/two-step/off", {"off_password": typed, "off_code": typed}),
        ("/profile/two-step/off", {"off_password": PASSWORD, "off_code": typed}),
    ):
        assert post_form(path, data).status_code in (422, 429), path
    assert fresh(user).two_step_on
