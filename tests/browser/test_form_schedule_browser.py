"""The widget on a customer's site stays quiet while its form is closed (schedule or limit);
an admin sets the schedule in the builder."""

from __future__ import annotations

import pytest
import yaml
from playwright.sync_api import expect

from tests.browser.htmx_wait import wait_for_htmx
from tests.browser.staff_login import log_in
from tests.helpers import completed_response
from webapp.extensions import db
from webapp.models import Role
from webapp.services import drafts, form_studio
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


def test_a_mistyped_form_name_shows_no_button_that_opens_page_not_found(
    page, live_server, builtin_forms
):
    asked = []
    page.on(
        "response",
        lambda reply: asked.append(reply.status) if "availability.json" in reply.url else None,
    )
    page.goto(f"{live_server}/widget/demo?lang=en&form=npss&trigger=button")
    page.wait_for_load_state("networkidle")
    assert asked == [404]
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


def test_an_admin_sets_the_schedule_in_the_builder(page, live_server, create_user):
    admin = create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN)
    form_studio.create_form("visit", "blank", admin)
    db.session.commit()
    log_in(page, live_server, "admin@example.com", "/admin/forms/visit/edit#builder-schedule")
    section = page.locator("#builder-schedule")
    section.get_by_label("Opens").fill("2026-12-01")
    section.get_by_label("Closes").fill("2026-12-14 18:00")
    section.get_by_label("Time zone of the dates").select_option("Europe/Ljubljana")
    section.get_by_label("Stop after this many completed responses").fill("200")
    section.get_by_role("button", name="Save").first.click()
    wait_for_htmx(page)
    expect(page.locator("#builder-schedule").get_by_label("Closes")).to_have_value(
        "2026-12-14 18:00"
    )
    db.session.expire_all()
    data = yaml.safe_load(drafts.current("form", "visit").yaml_text)
    assert data["opens_at"] == "2026-12-01" and data["closes_at"] == "2026-12-14T18:00"
    assert data["timezone"] == "Europe/Ljubljana" and data["max_responses"] == 200
