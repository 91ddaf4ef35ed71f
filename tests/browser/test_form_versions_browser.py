"""An admin compares two versions of a form: the differences scroll in their own box, and the
page ends where its content does."""

from __future__ import annotations

import pytest
import yaml
from playwright.sync_api import expect

from tests.browser.staff_login import log_in
from webapp.extensions import db
from webapp.services import forms as form_service

pytestmark = pytest.mark.browser


def test_a_long_diff_leaves_no_empty_page_below_the_footer(page, live_server, builtin_forms, admin):
    # The text written again without its comments and quotes: most lines differ.
    text = form_service.active_version(form_service.find_form("nps")).yaml_text
    form_service.publish_form("nps", yaml.safe_dump(yaml.safe_load(text), width=60), admin)
    db.session.commit()
    log_in(page, live_server, admin.email, then="/admin/forms/nps/versions")
    diff = page.get_by_role("region", name="Differences")
    expect(diff).to_be_visible()
    assert diff.evaluate("box => box.scrollHeight > box.clientHeight")  # it scrolls in its box
    footer = page.locator("footer.site-footer").bounding_box()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= footer["y"] + footer["height"] + 80, f"the page runs on to {height}px"
