"""The header's profile link shows the user's initials; its accessible name must contain
them (WCAG 2.5.3, label in name), so a voice-control user can say what they see."""

import pytest

from tests.browser import staff_login
from tests.browser.test_conversation_browser import serious_violations
from webapp.models import Role

pytestmark = pytest.mark.browser


def test_the_initials_link_passes_the_accessibility_check_for_any_name(
    create_user, browser, live_server
):
    # The demo's "Alex Admin" (AA) happened to pass; most names, like this one, did not.
    create_user(email="rita@example.com", name="Rita Rowe", role=Role.ADMIN, locale="pl")
    context = browser.new_context(bypass_csp=True)  # axe is injected
    page = context.new_page()
    staff_login.log_in(page, live_server, "rita@example.com")  # then her Polish interface
    link = page.locator("a.avatar")
    assert link.inner_text() == "RR"
    assert link.get_attribute("aria-label") == "RR: Profil"
    assert serious_violations(page) == []
    context.close()
