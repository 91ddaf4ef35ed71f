"""Staff e-mail addresses: any valid address is accepted (reserved test domains too), and a
bad one is reported under the e-mail field itself."""

import re

import pytest
from sqlalchemy import select

from tests.helpers import text_of
from webapp.email_addresses import valid_email_address
from webapp.extensions import db
from webapp.models import OutboxMessage, User


def _new_agent(**overrides) -> dict:
    return {
        "name": "Zoe Test",
        "email": "zoe@loopdesk.test",
        "role": "agent",
        "locale": "en",
        "timezone": "Europe/Warsaw",
        "languages": ["en"],
        **overrides,
    }


def _field_holding(html: str, element_id: str) -> str:
    """The form-field wrapper (label, input, hint, error) that holds `element_id`."""
    for block in re.findall(r'<div class="form-field">(.*?)</div>', html, flags=re.S):
        if f'id="{element_id}"' in block:
            return block
    raise AssertionError(f"no form field holds #{element_id}")


@pytest.mark.parametrize(
    "address",
    ["zoe@loopdesk.test", "Ann.Lee+support@Example.TEST", "maja@przykład.si", "x@sub.example.com"],
)
def test_an_admin_adds_a_colleague_on_a_reserved_test_domain(
    client, login, post_form, admin, address
):
    login(admin)
    response = post_form("/admin/users", _new_agent(email=f"  {address} "))
    assert response.status_code == 200, text_of(response)
    assert "An invitation was e-mailed to" in text_of(response)
    user = db.session.scalar(select(User).where(User.name == "Zoe Test"))
    assert user.email == address.lower()
    assert db.session.scalar(select(OutboxMessage.to_address)) == address.lower()


@pytest.mark.parametrize("address", ["zoe", "zoe@", "zoe@loopdesk", "zoe smith@x.com", "a@b@c.com"])
def test_a_bad_address_is_reported_under_the_email_field(client, login, post_form, admin, address):
    login(admin)
    response = post_form("/admin/users", _new_agent(email=address), htmx=True)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    email_field = _field_holding(html, "email")
    assert 'id="email-error"' in email_field and "Enter a valid e-mail address." in email_field
    assert 'aria-describedby="email-error"' in email_field
    assert "field-error" not in _field_holding(html, "name")
    assert 'value="Zoe Test"' in html  # what was typed is kept
    assert db.session.scalar(select(User).where(User.name == "Zoe Test")) is None


def test_a_hint_stays_with_its_field_on_the_agent_page(client, login, admin, agent):
    login(admin)
    html = client.get(f"/admin/users/{agent.id}").get_data(as_text=True)
    assert 'id="capacity-hint"' in _field_holding(html, "capacity")


def test_a_colleague_on_a_test_domain_can_ask_for_a_password_reset(client, post_form, create_user):
    create_user(email="anna@loopdesk.test", name="Anna")
    response = post_form("/forgot-password", {"email": "anna@loopdesk.test"})
    assert response.status_code in (200, 303)
    assert "valid e-mail" not in text_of(response)
    assert db.session.scalar(select(OutboxMessage.to_address)) == "anna@loopdesk.test"


def test_one_definition_of_a_valid_address():
    assert valid_email_address("admin@loopdesk.test")
    assert not valid_email_address("")
    assert not valid_email_address("Ann <ann@example.com>")
    assert not valid_email_address("a" * 250 + "@x.com")
