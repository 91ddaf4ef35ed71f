"""The staff forms as an admin sees them: errors under their own field."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.htmx_wait import wait_for_htmx
from tests.browser.staff_login import log_in

pytestmark = pytest.mark.browser


def test_a_bad_email_is_reported_right_under_the_email_field(page, live_server, admin):
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server, admin.email, then="/admin/users")
    form = page.locator("article[aria-labelledby=new-staff-title] form")
    form.get_by_label("Name", exact=True).fill("Zoe")
    form.get_by_label("E-mail", exact=True).fill("zoe@")
    form.get_by_role("button", name="Add and send invitation").click()
    error = page.locator("#email-error")
    expect(error).to_have_text("Enter a valid e-mail address.")
    wait_for_htmx(page)
    field = page.get_by_label("E-mail", exact=True).bounding_box()
    name = page.get_by_label("Name", exact=True).bounding_box()
    message = error.bounding_box()
    assert name["x"] < field["x"]  # the two fields side by side
    assert abs(message["x"] - field["x"]) < 2  # the error in the e-mail column…
    assert 0 <= message["y"] - (field["y"] + field["height"]) < 40  # …right under the field


def test_the_keyboard_stays_where_it_was_after_inviting_and_deactivating(page, live_server, admin):
    """The agents list is redrawn after each action: the focus went to the top of the page."""
    log_in(page, live_server, admin.email, then="/admin/users")
    form = page.locator("article[aria-labelledby=new-staff-title] form")
    form.get_by_label("Name", exact=True).fill("Zoe")
    form.get_by_label("E-mail", exact=True).fill("zoe@")
    form.get_by_role("button", name="Add and send invitation").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#email-error")).to_be_visible()
    expect(page.get_by_label("E-mail", exact=True)).to_be_focused()  # the refused field

    page.get_by_label("E-mail", exact=True).fill("zoe@example.com")
    page.get_by_role("button", name="Add and send invitation").focus()
    page.keyboard.press("Enter")
    row = page.get_by_role("row").filter(has_text="zoe@example.com")
    expect(row).to_be_visible()
    expect(page.get_by_role("button", name="Add and send invitation")).to_be_focused()

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Deactivate").focus()
    page.keyboard.press("Enter")
    expect(row.get_by_role("button", name="Reactivate")).to_be_focused()
