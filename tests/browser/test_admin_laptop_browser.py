"""Admin lists on a laptop (1280 px wide) in Polish, Russian and Slovenian: the page never
scrolls sideways, and no table needs its own sideways scroll to show its last column."""

import pytest

from tests.browser.staff_login import demo_admin_page

pytestmark = pytest.mark.browser

# the agents table, the forms list, the business calendars (a column per weekday, once)
WIDE_LISTS = ["/admin/users", "/admin/forms", "/admin/workflow/sla"]
TABLES_CUT_OFF = """() => [...document.querySelectorAll('.table-wrap')]
  .filter(box => box.scrollWidth > box.clientWidth)
  .map(box => box.scrollWidth + ' > ' + box.clientWidth)"""


@pytest.mark.parametrize("language", ["pl", "ru", "sl"])
def test_admin_lists_fit_a_laptop_screen(demo_data, browser, live_server, language):
    context, page = demo_admin_page(
        browser, live_server, language, viewport={"width": 1280, "height": 800}, locale=language
    )
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
