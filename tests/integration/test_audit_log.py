"""The audit log: each admin change recorded with who, when and before/after, for admins only."""

from sqlalchemy import select

from tests.helpers import text_of
from webapp.extensions import db
from webapp.models import AuditEntry, Role, User, Webhook

FORM = {"name": "CRM", "url": "https://crm.example.com/in", "events": ["ticket.created"]}


def _admin(create_user) -> User:
    return create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN)


def _entries() -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_webhook_changes_are_logged_with_before_and_after(client, login, post_form, create_user):
    admin = _admin(create_user)
    login(admin)
    post_form("/admin/webhooks", FORM)
    hook = db.session.scalar(select(Webhook))
    post_form(f"/admin/webhooks/{hook.id}", {**FORM, "url": "https://crm.example.com/v2"})
    post_form(f"/admin/webhooks/{hook.id}", {**FORM, "url": "https://crm.example.com/v2"})
    post_form(f"/admin/webhooks/{hook.id}/secret")
    post_form(f"/admin/webhooks/{hook.id}/delete", {"confirm": "yes"})

    entries = _entries()
    assert [e.action for e in entries] == [
        "webhook.created",
        "webhook.updated",  # the second, unchanged save records nothing
        "webhook.secret_rotated",
        "webhook.deleted",
    ]
    assert {e.actor_id for e in entries} == {admin.id} and entries[0].actor_name == "Ann Admin"
    created, updated = entries[0], entries[1]
    assert created.after["url"] == "https://crm.example.com/in" and created.before is None
    assert "secret" not in (created.after or {})  # secrets never reach the log
    assert (updated.before["url"], updated.after["url"]) == (
        "https://crm.example.com/in",
        "https://crm.example.com/v2",
    )

    page = text_of(client.get("/admin/audit"))
    assert "Changed a webhook" in page and "Ann Admin" in page
    assert "https://crm.example.com/in" in page and "https://crm.example.com/v2" in page
    rows = client.get("/admin/audit?action=webhook.deleted", headers={"HX-Request": "true"})
    only_deleted = text_of(rows)  # the filtered rows, as htmx swaps them in
    assert "Deleted a webhook" in only_deleted and "Changed a webhook" not in only_deleted


def test_staff_changes_are_logged(client, login, post_form, create_user):
    admin = _admin(create_user)
    login(admin)
    post_form(
        "/admin/users",
        {
            "email": "nova@example.com",
            "name": "Nova Agent",
            "role": "agent",
            "locale": "sl",
            "timezone": "Europe/Ljubljana",
            "languages": ["sl", "en"],
        },
    )
    nova = db.session.scalar(select(User).where(User.email == "nova@example.com"))
    post_form(f"/admin/users/{nova.id}/active")
    entries = _entries()
    assert [e.action for e in entries] == ["user.created", "user.deactivated"]
    assert entries[0].after["languages"] == ["sl", "en"] and "password_hash" not in entries[0].after
    assert (entries[1].before, entries[1].after) == ({"active": True}, {"active": False})


def test_the_log_is_for_admins_only_and_escapes_what_it_shows(
    client, login, post_form, create_user
):
    admin = _admin(create_user)
    agent = create_user()
    login(admin)
    post_form("/admin/webhooks", {**FORM, "name": "<script>alert(1)</script>"})
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert client.get("/admin/audit?page=999999999999&actor=x&action=nope").status_code == 200

    post_form("/logout")
    login(agent)
    assert client.get("/admin/audit").status_code == 403


def test_the_log_speaks_polish(client, login, post_form, create_user):
    admin = _admin(create_user)
    admin.locale = "pl"
    db.session.commit()
    login(admin)
    post_form("/admin/webhooks", FORM)
    page = text_of(client.get("/admin/audit"))
    assert "Dziennik zmian" in page


def test_the_log_shows_languages_roles_and_working_hours_in_words(
    client, login, post_form, create_user
):
    """Codes and JSON are what is stored; the admin reads names and weekdays."""
    admin = _admin(create_user)
    admin.locale = "pl"
    db.session.commit()
    login(admin)
    post_form(
        "/admin/users",
        {
            "email": "olga@example.com",
            "name": "Olga Smirnova",
            "role": "agent",
            "locale": "ru",
            "timezone": "Europe/Moscow",
            "languages": ["ru", "pl"],
        },
    )
    olga = db.session.scalar(select(User).where(User.email == "olga@example.com"))
    form = {"name": olga.name, "role": "agent", "timezone": olga.timezone, "capacity": "20"}
    form |= {"languages": ["ru", "pl"], "hours_mon": "09:00-12:00, 13:00-17:00"}
    post_form(f"/admin/users/{olga.id}", form)
    page = text_of(client.get("/admin/audit"))
    assert "Rosyjski, Polski" in page and "Agent" in page  # in the reader's language
    assert "poniedziałek 09:00–12:00, 13:00–17:00" in page
    assert '{"mon"' not in page and "[[" not in page


def test_e_mail_texts_and_workflow_versions_are_named_in_words(
    client, login, post_form, create_user
):
    """Stored as "ticket_confirmation (sl)" and "ticket workflow v2"; read as their names."""
    from webapp.services import audit

    admin = _admin(create_user)
    admin.locale = "pl"
    db.session.commit()
    login(admin)
    post_form(
        "/admin/email-templates/ticket_confirmation/sl",
        {
            "subject": "[{number}] Prejeli smo",
            "body": "Hvala, {name}. {status_link}",
            "revision": "0",
        },
    )
    audit.record("workflow.published", None, "ticket workflow v2", actor=admin)
    audit.record("workflow.draft_saved", None, "ticket", after={"revision": 1}, actor=admin)
    # written by an English-speaking admin: the label was stored in English
    audit.record("workflow.routing_changed", None, "Ticket workflow draft", actor=admin)
    db.session.commit()
    page = text_of(client.get("/admin/audit"))
    assert "Ticket workflow draft" not in page
    assert page.count("Wersja robocza przepływu pracy zgłoszeń") == 2
    # The language in the reader's words, lower case inside the line as Polish writes it.
    assert "(słoweński)" in page and "ticket_confirmation" not in page
    assert "ticket workflow v2" not in page and "wersja 2" in page
