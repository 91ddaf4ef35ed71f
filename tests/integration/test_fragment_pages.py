"""An address that htmx asks for a fragment, opened in the browser itself (history, a bookmark,
a copied link), shows a whole page, never a bare fragment without the layout."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.helpers import text_of
from webapp.demo import DEMO_PASSWORD
from webapp.models import Ticket

HTMX = {"HX-Request": "true"}


@pytest.fixture
def app_config() -> dict:
    return {"RATELIMIT_ENABLED": False}


@pytest.fixture
def demo_admin(demo_data, client, post_form):
    """The demo data, with its admin logged in."""
    reply = post_form("/login", {"email": "admin@loopdesk.test", "password": DEMO_PASSWORD})
    assert reply.status_code in (302, 303)
    from webapp.extensions import db

    ticket = db.session.scalars(select(Ticket).order_by(Ticket.id)).first()
    return {"number": ticket.number, "state": ticket.state, "slug": "nps"}


def _example_url(rule, real: dict[str, str]) -> str | None:
    url = rule.rule
    for name in rule.arguments:
        value = real.get(name, "1" if "int:" in url else None)
        if value is None:
            return None
        url = re.sub(r"<(?:[^:<>]+:)?" + name + r">", value, url)
    return url


def test_no_staff_address_answers_a_browser_with_a_bare_fragment(app, client, demo_admin):
    real = {**demo_admin, "template": "ticket_confirmation", "locale": "pl"}
    bare = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        url = _example_url(rule, real)
        if url is None:
            continue
        reply = client.get(url)
        if reply.status_code != 200 or reply.mimetype != "text/html":
            continue  # a file, a redirect, JSON: not a fragment
        if "<html" not in reply.get_data(as_text=True):
            bare.append(url)
    assert not bare, "bare fragments: " + ", ".join(bare)


def test_people_is_a_page_in_the_browser_and_checkboxes_for_htmx(client, demo_admin):
    page = client.get("/staff/people?q=anna")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    assert "Colleagues" in text_of(page) and "anna@loopdesk.test" in text_of(page)
    assert "dmitri@loopdesk.test" not in text_of(page)
    assert "HX-Request" in page.headers["Vary"]
    picker = client.get("/staff/people?q=anna", headers=HTMX).get_data(as_text=True)
    assert "<html" not in picker and 'name="mention"' in picker and "anna@loopdesk.test" in picker
    nobody = client.get("/staff/people?q=zzzz")
    assert "No colleague matches “zzzz”." in text_of(nobody)


@pytest.mark.parametrize("fragment", ["/board/changes", "/board/columns/{state}"])
def test_a_board_fragment_opened_in_the_browser_goes_to_the_board_with_its_filters(
    client, demo_admin, fragment
):
    url = fragment.format(state=demo_admin["state"]) + "?priority=high&before=5"
    opened = client.get(url)
    assert opened.status_code == 303
    assert opened.location.endswith("/board?priority=high")
    assert "HX-Request" in opened.headers["Vary"]
    assert client.get(url, headers=HTMX).status_code == 200  # htmx still gets the fragment


def test_fragments_still_ask_anonymous_visitors_to_log_in(client):
    for url in ("/board/changes", "/staff/people", "/admin/workflow/routing/test/questions"):
        reply = client.get(url)
        assert reply.status_code in (302, 401) and "/login" in reply.location, url
