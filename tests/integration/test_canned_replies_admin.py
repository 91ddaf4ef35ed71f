"""Admins manage canned replies per language; agents keep using them in the workspace."""

from sqlalchemy import select

from tests.helpers import make_ticket, text_of
from webapp.extensions import db
from webapp.models import AuditEntry, CannedReply, TicketEvent


def test_canned_reply_crud_and_an_agent_uses_it(client, login, post_form, admin, agent):
    login(admin)
    created = post_form(
        "/admin/canned-replies",
        {"title": "Przeprosiny", "locale": "pl", "body": "Dzień dobry {name}, {ticket}."},
    )
    assert created.status_code == 303
    listing = text_of(client.get("/admin/canned-replies"))
    assert "The canned reply “Przeprosiny” was added." in listing
    reply = db.session.scalar(select(CannedReply))
    assert (reply.locale, reply.active) == ("pl", True)

    edited = post_form(
        f"/admin/canned-replies/{reply.id}",
        {"title": "Przeprosiny", "locale": "pl", "body": "Dzień dobry {name} — {agent}"},
    )
    assert edited.status_code == 303
    db.session.refresh(reply)
    assert reply.body == "Dzień dobry {name} — {agent}"
    post_form("/logout")

    ticket = make_ticket(customer_name="Jan")
    login(agent)
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert f'<option value="{reply.id}" >Przeprosiny</option>' in page
    filled = client.get(
        f"/tickets/{ticket.number}/reply?canned={reply.id}", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "Dzień dobry {name} — {agent}" in filled
    sent = post_form(f"/tickets/{ticket.number}/reply", {"text": reply.body}, htmx=True)
    assert sent.status_code == 200
    event = db.session.scalar(select(TicketEvent).where(TicketEvent.kind == "public_reply"))
    assert event.data["text"] == "Dzień dobry Jan — Ada Agent"
    post_form("/logout")

    login(admin)
    post_form(f"/admin/canned-replies/{reply.id}/active")
    db.session.refresh(reply)
    assert reply.active is False
    post_form("/logout")
    login(agent)
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert ">Przeprosiny</option>" not in page  # no longer offered
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["canned_reply.created", "canned_reply.updated", "canned_reply.deactivated"]


def test_unknown_placeholders_are_refused_and_the_text_kept(client, login, post_form, admin):
    login(admin)
    response = post_form(
        "/admin/canned-replies",
        {"title": "Bad", "locale": "en", "body": "Hi {customer} {name.__class__}"},
    )
    assert response.status_code == 422
    text = text_of(response)
    assert "Unknown placeholder {customer}, {name.__class__}." in text
    assert "Hi {customer} {name.__class__}" in text
    assert db.session.scalar(select(CannedReply)) is None
    missing = post_form("/admin/canned-replies", {"title": "", "locale": "en", "body": ""})
    assert missing.status_code == 422
    assert "Enter a title." in text_of(missing)


def test_a_placeholder_missing_a_brace_is_refused(client, login, post_form, admin):
    login(admin)
    body = "Здравствуйте, {name}! Статус: {status_link"
    response = post_form("/admin/canned-replies", {"title": "Delay", "locale": "ru", "body": body})
    assert response.status_code == 422
    assert "“{status_link” has a brace without its pair." in text_of(response)
    assert "Статус: {status_link" in text_of(response)
    assert db.session.scalar(select(CannedReply)) is None


def test_titles_and_bodies_are_escaped(client, login, post_form, admin):
    db.session.add(CannedReply(title="<script>x()</script>", locale="en", body="<b>hi</b>"))
    db.session.commit()
    login(admin)
    html = client.get("/admin/canned-replies").get_data(as_text=True)
    assert "<script>x()" not in html and "<b>hi</b>" not in html
    assert "&lt;script&gt;x()" in html
