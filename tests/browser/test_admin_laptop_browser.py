"""Admin lists on a laptop (1280 px wide) in Polish, Russian and Slovenian: the page never
scrolls sideways, and no table needs its own sideways scroll to show its last column."""

import pytest

from webapp.demo import DEMO_PASSWORD
from webapp.extensions import db
from webapp.models import User

pytestmark = pytest.mark.browser

# the agents table, the forms list, the business calendars (a column per weekday, once)
WIDE_LISTS = ["/admin/users", "/admin/forms", "/admin/workflow/sla"]
TABLES_CUT_OFF = """() => [...document.querySelectorAll('.table-wrap')]
  .filter(box => box.scrollWidth > box.clientWidth)
  .map(box => box.scrollWidth + ' > ' + box.clientWidth)"""


@pytest.mark.parametrize("language", ["pl", "ru", "sl"])
def test_admin_lists_fit_a_laptop_screen(demo_data, browser, live_server, language):
    admin = db.session.query(User).filter_by(email="admin@loopdesk.test").one()
    admin.locale = language
    db.session.commit()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale=language)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "admin@loopdesk.test")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url("**/dashboard")
    too_wide = {}
    for path in WIDE_LISTS:
        page.goto(live_server + path)
        assert page.locator("html").get_attribute("lang") == language
        width = page.evaluate("document.documentElement.scrollWidth")
        cut_off = page.evaluate(TABLES_CUT_OFF)
        if width > 1280 or cut_off:
            too_wide[path] = (width, cut_off)
    context.close()
    assert too_wide == {}
