"""The routing rules list with the keyboard alone: a rule moved with ↑/↓ keeps the focus."""

import pytest

from tests.browser.htmx_wait import wait_for_htmx
from tests.browser.staff_login import log_in
from webapp.extensions import db
from webapp.models import Role
from webapp.services.workflow_versions import active_version

pytestmark = pytest.mark.browser


def test_moving_a_rule_with_the_keyboard_keeps_the_focus_on_it(
    app, page, live_server, builtin_forms, create_user
):
    active_version()  # the shipped workflow: three rules
    db.session.commit()
    create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN)
    log_in(page, live_server, "admin@example.com", then="/admin/workflow/routing")
    down = page.get_by_role("button", name="Move “Unhappy customers get a fast call back” down")
    down.focus()
    page.keyboard.press("Enter")
    wait_for_htmx(page)
    focused = "document.activeElement.getAttribute('aria-label')"
    assert page.evaluate(focused) == "Move “Unhappy customers get a fast call back” down"
    page.keyboard.press("Enter")  # again, without tabbing back from the top of the page
    wait_for_htmx(page)
    names = page.locator(".routing-rule .rule-main > strong").all_inner_texts()
    assert names[2] == "3. Unhappy customers get a fast call back"
    # At the bottom the ↓ button is disabled: the focus goes to the rule's ↑ instead.
    assert page.evaluate(focused) == "Move “Unhappy customers get a fast call back” up"


def test_on_a_phone_a_rule_keeps_the_full_width_and_its_buttons_go_under_it(
    app, browser, live_server, builtin_forms, create_user
):
    active_version()
    db.session.commit()
    create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server, "admin@example.com", then="/admin/workflow/routing")
    rule = page.locator(".routing-rule").first
    card, text = rule.bounding_box(), rule.locator(".rule-main").bounding_box()
    buttons = rule.locator(".rule-actions").bounding_box()
    context.close()
    assert text["width"] > 0.8 * card["width"]  # was squeezed to half beside the buttons
    assert buttons["y"] >= text["y"] + text["height"] - 1
