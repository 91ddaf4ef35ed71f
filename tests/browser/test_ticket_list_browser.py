"""The ticket list's search box shows its whole hint in the agent's language on a desktop,
and fits a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import staff_login

pytestmark = pytest.mark.browser

PLACEHOLDER_FITS = """(el) => {
  const style = getComputedStyle(el);
  const canvas = document.createElement("canvas").getContext("2d");
  canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return canvas.measureText(el.placeholder).width <= room + 0.5;
}"""


@pytest.mark.parametrize("locale", ["pl", "ru", "sl"])
@pytest.mark.parametrize("width", [1366, 390])
def test_the_search_hint_is_not_cut_off(page, live_server, create_user, locale, width):
    create_user(locale=locale)
    page.set_viewport_size({"width": width, "height": 800})
    staff_login.log_in(page, live_server, "agent@example.com", then="/tickets")
    search = page.locator("#ticket-search")
    expect(search).to_be_visible()
    if width > 600:  # a phone has no room for the whole hint; its label is still read out
        assert search.evaluate(PLACEHOLDER_FITS), search.get_attribute("placeholder")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
