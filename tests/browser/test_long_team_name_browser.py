"""A team name of one long word (60 letters, no space) wraps where it is shown: it never
widens the page on a phone nor pushes a table past a laptop's screen, and it is there whole."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import staff_login
from tests.helpers import make_ticket
from webapp.extensions import db
from webapp.models import Role, Team, TeamMembership, User

pytestmark = pytest.mark.browser

LONG_NAME = "Departamentobsługiklientówbiznesowychiwsparciatechnicznego12"
assert len(LONG_NAME) == 60 and " " not in LONG_NAME

PAGES = [
    "/admin/teams",
    "/admin/teams/{team}",
    "/admin/teams/{team}/delete",
    "/admin/",
    "/admin/users/{boss}",
    "/tickets?team=wide",
    "/board?team=wide",
    "/reports",
]


@pytest.fixture
def wide_team(create_user, builtin_forms):
    boss = create_user(email="szef@example.com", role=Role.ADMIN, locale="pl")
    team = Team(slug="wide", name=LONG_NAME)
    db.session.add(team)
    db.session.flush()
    colleague = create_user(
        email="dmitrij.aleksandrovic@example.com",
        name="Дмитрий Александрович Иванов",
        locale="ru",
        languages=["ru", "en", "pl", "sl"],
    )
    for member in (boss, colleague):
        db.session.add(TeamMembership(team_id=team.id, user_id=member.id))
    ticket = make_ticket()
    ticket.team_id = team.id
    db.session.commit()
    return {"team": team.id, "boss": boss.id}


def overflowing(page) -> list[str]:
    """The elements that reach past the right edge of the window (the board's columns scroll
    sideways on purpose; a phone's table headers are hidden)."""
    return page.evaluate(
        """() => { const edge = document.documentElement.clientWidth + 1;
          return [...document.querySelectorAll('main *')]
            .filter(el => !el.closest('.board-columns, thead, .visually-hidden'))
            .filter(el => el.getBoundingClientRect().right > edge)
            .map(el => el.tagName + '.' + el.className); }"""
    )


def test_a_long_team_name_wraps_on_a_phone(page, live_server, wide_team):
    page.set_viewport_size({"width": 390, "height": 800})
    staff_login.log_in(page, live_server, "szef@example.com")
    for where in PAGES:
        page.goto(live_server + where.format(**wide_team))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, where
        assert overflowing(page) == [], where
    # the breadcrumb names the whole team, after a divider, inside the window
    page.goto(live_server + "/admin/teams/{team}/delete".format(**wide_team))
    crumb = page.locator("nav.breadcrumb li").nth(1)
    expect(crumb).to_have_text(LONG_NAME)
    assert crumb.evaluate("el => getComputedStyle(el, '::before').content").startswith('"›"')
    assert crumb.evaluate("el => el.getBoundingClientRect().right") <= 390


@pytest.mark.parametrize("language", ["pl", "ru"])  # Russian's longer words fill the table
def test_a_long_team_name_keeps_the_staff_table_on_a_laptop_screen(
    page, live_server, wide_team, language
):
    db.session.get(User, wide_team["boss"]).locale = language
    db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 800})
    staff_login.log_in(page, live_server, "szef@example.com", then="/admin/")
    scroller = page.locator(".table-wrap").first
    expect(scroller).to_contain_text(LONG_NAME)
    assert scroller.evaluate("el => el.scrollWidth <= el.clientWidth")
    # the Teams checkbox of Add an agent stays in its column
    label = page.locator("#new-staff label", has_text=LONG_NAME)
    assert label.evaluate("el => el.getBoundingClientRect().right") <= 1280
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.goto(live_server + "/tickets?team=wide")
    scroller = page.locator(".table-wrap").first
    expect(scroller).to_contain_text(LONG_NAME)
    assert scroller.evaluate("el => el.scrollWidth <= el.clientWidth")
