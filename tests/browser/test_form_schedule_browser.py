"""The widget on a customer's site stays quiet while its form is closed (schedule or limit)."""

from __future__ import annotations

import pytest

from tests.helpers import completed_response
from webapp.extensions import db
from webapp.services.forms import find_form, publish_form


def close_goal(settings: str) -> None:
    publish_form("goal", find_form("goal").versions[-1].yaml_text + settings)
    db.session.commit()


@pytest.mark.parametrize("settings", ["closes_at: 2001-01-01\n", "opens_at: 2999-01-01\n"])
def test_a_closed_form_shows_no_button_and_no_trigger_fires(
    page, live_server, builtin_forms, settings
):
    close_goal(settings)
    asked = []
    page.on(
        "response",
        lambda reply: asked.append(reply.status) if "availability.json" in reply.url else None,
    )
    page.goto(f"{live_server}/widget/demo?lang=en&form=goal&trigger=delay:1")
    page.wait_for_timeout(1800)  # past the delay: nothing may have popped up
    assert asked == [200]
    assert page.locator(".ld-launch").count() == 0
    assert page.locator("iframe").count() == 0
    page.goto(f"{live_server}/widget/demo?lang=en&form=goal&trigger=button")
    page.wait_for_timeout(500)
    assert page.locator(".ld-launch").count() == 0


def test_a_form_at_its_limit_stays_quiet_and_an_open_one_pops_up(page, live_server, builtin_forms):
    close_goal("max_responses: 1\n")
    page.goto(f"{live_server}/widget/demo?lang=en&form=goal&trigger=delay:1")
    page.get_by_role("button", name="Feedback").wait_for()  # none completed yet: it opens
    page.frame_locator("iframe[title=Feedback]").locator("#composer").wait_for()
    completed_response("goal", {"found": "yes"})
    page.goto(f"{live_server}/widget/demo?lang=en&form=goal&trigger=delay:1")
    page.wait_for_timeout(1800)
    assert page.locator(".ld-launch").count() == 0 and page.locator("iframe").count() == 0
