"""A field's hint reads as that field's: right under it, with the gap before the next field.
It came a whole gap below its field and touched the next label, so on the profile "Vsaj 10
znakov." (at least 10 characters) read as the hint of "Ponovite geslo" (repeat the password)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import staff_login

pytestmark = pytest.mark.browser

GAPS = """(hintId) => {
  const hint = document.getElementById(hintId);
  const field = hint.parentElement;
  const control = field.querySelector("input, select, textarea");
  const next = field.nextElementSibling;
  return {
    above: hint.getBoundingClientRect().top - control.getBoundingClientRect().bottom,
    below: next.getBoundingClientRect().top - hint.getBoundingClientRect().bottom,
  };
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_a_hint_on_the_profile_sits_with_its_own_field(page, live_server, create_user, width):
    create_user(email="maja@example.com", name="Maja Novak", locale="sl")
    page.set_viewport_size({"width": width, "height": 900})
    staff_login.log_in(page, live_server, "maja@example.com", then="/profile")
    for hint in ("password-hint", "public_holidays-hint", "keyboard_shortcuts-hint"):
        gaps = page.evaluate(GAPS, hint)
        assert 0 <= gaps["above"] < gaps["below"], (hint, gaps)
    expect(page.get_by_text("Vsaj 10 znakov.")).to_be_visible()
