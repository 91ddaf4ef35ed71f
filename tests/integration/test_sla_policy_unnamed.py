"""An SLA policy its admin left unnamed reads 'Policy 2' in the reader's language, not the
loader's English 'policy 2' in quotes as if it were a name; tickets keep storing 'policy 2'."""

import html

import pytest
import yaml
from flask_babel import force_locale

from tests.helpers import make_ticket, text_of
from webapp.extensions import db
from webapp.models import Role
from webapp.services.workflow_versions import SHIPPED, WorkflowKind, publish_version
from webapp.tickets.routing_reasons import policy_title


def visible(reply) -> str:
    return html.unescape(text_of(reply))


@pytest.fixture
def unnamed(app, builtin_forms):
    """The shipped workflow with its 'high' (2nd) and 'standard' (4th) policies unnamed."""
    data = yaml.safe_load(SHIPPED[WorkflowKind.TICKET].read_text(encoding="utf-8"))
    policies = data["sla"]["policies"]
    assert [policies[1]["name"], policies[3]["name"]] == ["high", "standard"]
    del policies[1]["name"], policies[3]["name"]
    publish_version(
        WorkflowKind.TICKET, yaml.safe_dump(data, allow_unicode=True), None, check_teams=False
    )
    db.session.commit()
    return builtin_forms  # Ola, an agent on Customer Care


@pytest.mark.parametrize(
    ("locale", "title"),
    [("en", "Policy 2"), ("pl", "Polityka 2"), ("ru", "Политика 2"), ("sl", "Pravilnik 2")],
)
def test_the_title_is_the_place_in_the_readers_language(app, locale, title):
    with app.test_request_context(), force_locale(locale):
        assert policy_title("policy 2", 1) == title
        assert policy_title("high", 1) == "high"
        assert policy_title("policy 2", 0) == "policy 2"  # an admin's own name, however odd
        assert policy_title("policy 2", None) == "policy 2"  # its place unknown


def test_the_ticket_page_says_policy_2_and_the_ticket_keeps_its_stored_key(unnamed, client, login):
    agent = unnamed
    agent.locale = "pl"
    db.session.commit()
    ticket = make_ticket()
    assert ticket.sla_policy == "policy 2"  # the stored key is the loader's, as before
    login(agent)
    page = visible(client.get(f"/tickets/{ticket.number}"))
    assert "Polityka 2, ponieważ priorytet jest „Wysoki”." in page
    assert "policy 2" not in page and "„Polityka 2”" not in page

    calm = make_ticket(
        answers={"nps": 9}, score={"type": "nps", "value": 9, "category": "promoter"}
    )
    assert calm.sla_policy == "policy 4"
    agent.locale = "ru"
    db.session.commit()
    page = visible(client.get(f"/tickets/{calm.number}"))
    assert "Политика 4: действует для любого обращения" in page
    assert "policy 4" not in page and "«Политика 4»" not in page


def test_the_sla_page_and_the_routing_tester_say_policy_2(
    unnamed, client, login, post_form, create_user
):
    admin = create_user(email="admin@example.com", name="Ann", role=Role.ADMIN, locale="pl")
    login(admin)
    page = visible(client.get("/admin/workflow/sla?source=active"))
    assert "Polityka 2" in page and "Polityka 4" in page and "high" not in page
    assert "policy 2" not in page and "policy 4" not in page
    assert "urgent" in page and "product quality" in page  # named ones as before

    tested = post_form(
        "/admin/workflow/routing/test",
        {
            "source": "typed",
            "form": "nps",
            "locale": "pl",
            "channel": "web",
            "answer-score": "2",
        },
        htmx=True,
    )
    assert tested.status_code == 200
    said = visible(tested)
    assert "Polityka 2" in said and "policy 2" not in said
