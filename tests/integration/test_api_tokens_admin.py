"""Admins create API tokens (shown once, stored as a hash), see their use and revoke them."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from tests.helpers import text_of
from webapp.extensions import db
from webapp.models import ApiToken, AuditEntry


def _shown_token(response) -> str:
    match = re.search(r"data-api-token>(ldk_[A-Za-z0-9_-]+)<", response.get_data(as_text=True))
    assert match, "the new token is on the page"
    return match.group(1)


def test_a_token_is_shown_once_stored_hashed_used_and_revoked(client, login, post_form, admin):
    login(admin)
    created = post_form("/admin/api-tokens", {"name": "CRM", "scope": "read_write"})
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    assert "The API token “CRM” was created." in text_of(created)
    value = _shown_token(created)
    assert len(value) > 40

    token = db.session.scalar(select(ApiToken))
    assert token.token_hash == hashlib.sha256(value.encode()).hexdigest()
    assert value not in token.token_hash and token.hint == value[:8]

    listing = client.get("/admin/api-tokens")
    assert value not in listing.get_data(as_text=True)  # never shown again
    page = text_of(listing)
    assert "CRM" in page and "Read and write (notes, labels)" in page and "Never" in page

    client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {value}"})
    assert "Never" not in text_of(client.get("/admin/api-tokens"))

    revoked = post_form(f"/admin/api-tokens/{token.id}/revoke", follow_redirects=True)
    assert "was revoked" in text_of(revoked) and "Revoked" in text_of(revoked)
    api = client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {value}"})
    assert api.status_code == 401

    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["api_token.created", "api_token.revoked"]
    audit = text_of(client.get("/admin/audit"))
    assert "Created an API token" in audit and "Revoked an API token" in audit
    assert value not in client.get("/admin/audit").get_data(as_text=True)


def test_a_token_needs_a_name_and_a_scope(client, login, post_form, admin):
    login(admin)
    response = post_form("/admin/api-tokens", {"name": "  ", "scope": "read"})
    assert response.status_code == 422
    assert "Please give the token a name" in text_of(response)
    response = post_form("/admin/api-tokens", {"name": "BI", "scope": "admin"})
    assert response.status_code == 422
    assert "Please choose what the token may do" in text_of(response)
    assert db.session.scalar(select(ApiToken)) is None


def test_revoking_twice_or_an_unknown_token_is_harmless(client, login, post_form, admin):
    login(admin)
    post_form("/admin/api-tokens", {"name": "CRM", "scope": "read"})
    token = db.session.scalar(select(ApiToken))
    post_form(f"/admin/api-tokens/{token.id}/revoke")
    again = post_form(f"/admin/api-tokens/{token.id}/revoke", follow_redirects=True)
    assert "already revoked" in text_of(again)
    assert post_form("/admin/api-tokens/999999/revoke").status_code == 404
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.id > 1)) is not None


def test_agents_and_visitors_cannot_manage_tokens(client, login, post_form, agent):
    assert client.get("/admin/api-tokens").status_code in (302, 303)
    login(agent)
    assert client.get("/admin/api-tokens").status_code == 403
    assert post_form("/admin/api-tokens", {"name": "x", "scope": "read"}).status_code == 403
    assert db.session.scalar(select(ApiToken)) is None


def test_the_page_is_in_the_admins_language(client, login, post_form, create_user):
    from webapp.models import Role

    admin = create_user(email="ania@example.com", name="Ania", role=Role.ADMIN, locale="pl")
    login(admin)
    page = text_of(client.get("/admin/api-tokens"))
    assert "Tokeny API" in page
