"""After a change in the ticket workspace the agent is told, in their language, what changed;
and from the ticket they can open what the customer sees."""

from __future__ import annotations

import pytest

from tests.helpers import text_of
from tests.integration.test_workspace_conversation import add_people, make_ticket
from webapp.extensions import db


@pytest.fixture
def people(app, create_user) -> dict:
    return add_people(create_user)


def test_priority_assignment_and_team_changes_are_confirmed(client, login, post_form, people):
    ticket = make_ticket()
    login(people["bea"])
    url = f"/tickets/{ticket.number}"
    page = text_of(post_form(f"{url}/priority", {"priority": "urgent"}, follow_redirects=True))
    assert "Priority changed to Urgent." in page
    page = text_of(post_form(f"{url}/priority", {"priority": "urgent"}, follow_redirects=True))
    assert "The priority is already Urgent." in page
    ivan = people["ivan"]
    page = text_of(post_form(f"{url}/assign", {"assignee": ivan.id}, follow_redirects=True))
    assert "Assigned to Ivan Petrov." in page
    page = text_of(post_form(f"{url}/assign", {"assignee": ""}, follow_redirects=True))
    assert "Nobody is assigned to the ticket now." in page
    page = text_of(post_form(f"{url}/assign", {"assignee": ""}, follow_redirects=True))
    assert "Nothing changed: the ticket already has this assignee and team." in page


def test_following_and_unfollowing_is_confirmed_in_polish(client, login, post_form, people):
    ticket = make_ticket()
    ola, ivan = people["ola"], people["ivan"]
    login(ola)
    url = f"/tickets/{ticket.number}/watchers"
    page = text_of(post_form(url, {"user": ola.id}, follow_redirects=True))
    assert "Obserwujesz teraz to zgłoszenie." in page
    page = text_of(post_form(url, {"user": ivan.id}, follow_redirects=True))
    assert "Ivan Petrov obserwuje teraz to zgłoszenie." in page
    page = text_of(post_form(f"{url}/{ola.id}/remove", {}, follow_redirects=True))
    assert "Nie obserwujesz już tego zgłoszenia." in page


def test_the_ticket_links_to_the_customers_status_page(client, login, people):
    ticket = make_ticket()
    login(people["bea"])
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert f'href="/t/{ticket.status_token}"' in html
    assert "See what the customer sees on their status page" in html
    db.session.refresh(ticket)
    assert client.get(f"/t/{ticket.status_token}").status_code == 200


def test_times_to_type_name_the_agents_zone_in_their_language(client, login, people):
    """Not "Europe/Warsaw": the city in the agent's language and its offset now."""
    ticket = make_ticket()
    login(people["ola"])  # Polish, Europe/Warsaw
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "Kiedy (Twoja strefa czasowa: Warszawa, UTC+0" in page
    assert "Europe/Warsaw" not in page  # nor in the SLA panel's business hours
    settings = text_of(client.get("/account/notifications"))
    assert "strefa czasowa: Warszawa, UTC+0" in settings
