"""Admins reword the password-reset and invitation e-mails too, but never lose their link."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.helpers import text_of
from tests.integration.test_email_texts import _editor_fields
from webapp.extensions import db
from webapp.models import EmailTemplateText


@pytest.fixture
def app_config(smtp_config) -> dict:
    return smtp_config


def test_password_reset_is_listed_and_opens_with_its_built_in_polish_wording(client, login, admin):
    login(admin)
    overview = text_of(client.get("/admin/email-templates"))
    assert "Password reset password_reset" in overview
    page = client.get("/admin/email-templates/password_reset/pl")
    assert page.status_code == 200
    subject, body = _editor_fields(page.get_data(as_text=True))
    assert subject == "Ustaw nowe hasło do Loopdesku"
    assert body.startswith("Dzień dobry, {name},")
    assert "{link}" in body
    shown = text_of(page)
    assert "{link} required" in shown
    assert "https://loopdesk.example/reset-password/Xy12ab" in shown  # the preview's sample


@pytest.mark.parametrize("template", ["password_reset", "staff_invitation"])
def test_a_text_without_the_link_is_refused_and_stays_in_the_editor(
    client, login, post_form, admin, template
):
    login(admin)
    response = post_form(
        f"/admin/email-templates/{template}/en",
        {"subject": "Your account", "body": "Hello {name}, ask an admin.", "revision": "0"},
    )
    assert response.status_code == 422
    shown = text_of(response)
    assert "The text must contain {link}" in shown
    assert "Hello {name}, ask an admin." in shown
    assert db.session.scalar(select(EmailTemplateText)) is None


def test_own_reset_text_goes_out_with_a_working_link_until_reverted(
    app, client, login, post_form, admin, create_user, smtp_server, run_jobs
):
    login(admin)
    saved = post_form(
        "/admin/email-templates/password_reset/pl",
        {
            "subject": "Nowe hasło dla {name}",
            "body": "Cześć {name}!\n\nKliknij: {link}\n\nZespół IT",
            "revision": "0",
        },
    )
    assert saved.status_code == 303
    post_form("/logout")
    create_user(email="ola@example.com", name="Ola Nowak", locale="pl")

    anonymous = app.test_client()
    token = re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"',
        anonymous.get("/forgot-password").get_data(as_text=True),
    )
    anonymous.post(
        "/forgot-password", data={"email": "ola@example.com", "csrf_token": token.group(1)}
    )
    run_jobs()
    (received,) = smtp_server.messages
    assert received["Subject"] == "Nowe hasło dla Ola Nowak"
    plain = received.get_body(("plain",)).get_content()
    assert plain.startswith("Cześć Ola Nowak!") and "Zespół IT" in plain
    link = re.search(r"http://loopdesk\.test(/reset-password/\S+)", plain).group(1)
    assert f'href="http://loopdesk.test{link}"' in received.get_body(("html",)).get_content()
    assert anonymous.get(link).status_code == 200  # the link chooses a new password

    login(admin)
    post_form("/admin/email-templates/password_reset/pl/revert")
    assert db.session.scalar(select(EmailTemplateText)) is None
