"""The routing rules list with the keyboard alone: a rule moved with ↑/↓ keeps the focus."""

import pytest
from playwright.sync_api import expect

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


def test_a_rule_with_a_group_is_built_by_picking_names(
    app, page, live_server, builtin_forms, create_user
):
    """Each field changed redraws its row's choices in place; nothing is typed."""
    active_version()
    db.session.commit()
    create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN)
    log_in(page, live_server, "admin@example.com", then="/admin/workflow/routing")
    assert not page.get_by_role("button", name="Update the choices").is_visible()
    page.get_by_label("Rule name").fill("Polish or unhappy problem reports")
    field = page.get_by_label("Field of condition 1", exact=True)
    field.focus()
    field.select_option(label="Form")
    wait_for_htmx(page)
    assert page.evaluate("document.activeElement.id") == "rule-row-0-field"  # focus kept
    page.get_by_label("Value of condition 1", exact=True).select_option(label="Report a problem")
    page.get_by_role("button", name="Add a group").click()
    wait_for_htmx(page)
    page.get_by_label("Field of condition 2", exact=True).select_option(label="Customer's language")
    wait_for_htmx(page)
    page.get_by_label("Value of condition 2", exact=True).select_option(label="Polish")
    page.get_by_label("Field of condition 3", exact=True).select_option(label="Score group (NPS)")
    wait_for_htmx(page)
    page.get_by_label("Value of condition 3", exact=True).select_option(label="Detractors (0–6)")
    page.locator("select[name=team]").select_option(label="Product Quality (product-quality)")
    page.get_by_role("button", name="Add the rule").click()
    wait_for_htmx(page)
    last = page.locator(".routing-rule .rule-main").last.inner_text()
    assert "4. Polish or unhappy problem reports" in last
    assert (
        "the form is “Report a problem” and (the language is “Polish” or the score is in the "
        "group “Detractors (0–6)”)" in last
    )

    # Opened again, the group is a group, and an empty one is refused at the group.
    page.get_by_role("button", name="Edit “Polish or unhappy problem reports”").click()
    wait_for_htmx(page)
    assert page.get_by_label("Value of condition 2", exact=True).input_value() == "pl"
    page.get_by_role("button", name="Add a group").click()
    wait_for_htmx(page)
    page.get_by_role("button", name="Save the rule").click()
    wait_for_htmx(page)
    group = page.locator("fieldset.clause-group").nth(1)
    assert group.get_attribute("aria-invalid") == "true"
    message = page.locator("#" + group.get_attribute("aria-describedby")).inner_text()
    assert message == "Group 2 has no conditions: add one to it or remove the group."


def test_is_one_of_ticks_languages_by_name_and_they_stay_ticked(
    app, page, live_server, builtin_forms, create_user
):
    """The comparison changed redraws the row with a box per language, the one picked ticked."""
    active_version()
    db.session.commit()
    create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN)
    log_in(page, live_server, "admin@example.com", then="/admin/workflow/routing?edit=2")
    operator = page.get_by_label("Operator of condition 1", exact=True)
    operator.focus()
    operator.select_option(label="is one of")
    wait_for_htmx(page)
    assert page.evaluate("document.activeElement.id") == "rule-row-0-op"  # focus kept
    values = page.get_by_role("group", name="Value of condition 1")
    assert values.get_by_role("checkbox", name="Slovenian").is_checked()
    assert not values.get_by_role("checkbox", name="Polish").is_checked()
    values.get_by_role("checkbox", name="Polish").check()
    page.get_by_role("button", name="Save the rule").click()
    wait_for_htmx(page)
    third = page.locator(".routing-rule .rule-main").nth(2).inner_text()
    assert "the language is one of “Slovenian”, “Polish”" in third

    page.get_by_role("button", name="Edit “Slovenian feedback”").click()
    wait_for_htmx(page)
    values = page.get_by_role("group", name="Value of condition 1")
    assert values.get_by_role("checkbox", name="Polish").is_checked()
    values.get_by_role("checkbox", name="Polish").uncheck()
    values.get_by_role("checkbox", name="Slovenian").uncheck()
    page.get_by_role("button", name="Save the rule").click()
    wait_for_htmx(page)
    expect(page.get_by_text("Tick at least one value.")).to_be_visible()
    assert (
        page.get_by_role("group", name="Value of condition 1").get_attribute("aria-invalid")
        == "true"
    )


def test_a_refused_rule_marks_and_focuses_the_field_at_fault(
    app, page, live_server, builtin_forms, create_user
):
    """Not only the condition rows: the name and the watchers say they were refused, and the
    focus goes there from the Add button at the bottom of the form."""
    active_version()
    db.session.commit()
    create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN)
    log_in(page, live_server, "admin@example.com", then="/admin/workflow/routing")
    page.get_by_role("button", name="Add the rule").click()
    name = page.get_by_label("Rule name")
    expect(name).to_be_focused()
    expect(name).to_have_attribute("aria-invalid", "true")
    # the refusal first, then the example under the field
    expect(name).to_have_accessible_description(
        "Give the rule a name. e.g. Unhappy customers get a fast call back"
    )

    name.fill("VIP")
    watchers = page.get_by_label("Watchers' e-mail addresses (comma-separated)")
    watchers.fill("boss at example")
    page.get_by_role("button", name="Add the rule").click()
    expect(watchers).to_be_focused()
    expect(watchers).to_have_attribute("aria-invalid", "true")
    expect(name).not_to_have_attribute("aria-invalid", "true")


def test_editing_a_rule_takes_the_keyboard_to_the_editor(
    app, page, live_server, builtin_forms, create_user
):
    """Edit swaps in the editor far below: the focus fell to the top of the page."""
    active_version()
    db.session.commit()
    create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN)
    log_in(page, live_server, "admin@example.com", then="/admin/workflow/routing")
    page.get_by_role("button", name="Edit “Broken pages go to product quality”").focus()
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", name="Edit rule 2")
    expect(heading).to_be_focused()
    wait_for_htmx(page)  # a person's Tab comes after the editor has settled
    page.keyboard.press("Tab")
    expect(page.get_by_label("Rule name")).to_be_focused()

    page.get_by_role("link", name="Edit the default route").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Default route")).to_be_focused()
