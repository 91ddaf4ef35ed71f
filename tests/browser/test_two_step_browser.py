"""An agent sets up two-step sign-in on their profile, as with a phone: the QR code shows
under the app's Content-Security-Policy, the key typed from the page gives the code, the
recovery codes show once; then logging in asks for the code after the password. The pages
pass the accessibility check."""

from __future__ import annotations

import time
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser import staff_login
from tests.browser.htmx_wait import BUSY
from tests.browser.test_conversation_browser import AXE, SETTLED
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


def test_setting_it_up_and_logging_in_with_a_code(page, live_server, agent):
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    staff_login.log_in(page, live_server, agent.email, then="/profile")
    section = page.locator("#two-step")
    expect(section).to_contain_text("Off")
    section.get_by_role("button", name="Set up two-step sign-in").click()
    page.wait_for_url(f"{live_server}/profile/two-step")

    qr = page.get_by_role("img", name="QR code for adding Loopdesk (agent@example.com)")
    expect(qr).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", qr.element_handle())
    key = page.locator("#two-step-key").inner_text().replace(" ", "")
    totp = pyotp.TOTP(key)

    code_field = page.get_by_label("6-digit code from the app")
    expect(code_field).to_have_attribute("autocomplete", "one-time-code")
    expect(code_field).to_have_attribute("inputmode", "numeric")
    code_field.fill("000000" if totp.now() != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.locator(".field-error")).to_contain_text("That code is not right")
    assert not serious_violations_of(page)

    code = totp.now()
    page.get_by_label("6-digit code from the app").fill(f"{code[:3]} {code[3:]}")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert not serious_violations_of(page)
    shown = page.locator("#recovery-codes li").all_inner_texts()
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as a text file").click()
    assert download.value.suggested_filename == "loopdesk-recovery-codes.txt"
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert "agent@example.com" in saved and all(code in saved for code in shown)
    page.get_by_role("button", name="I have saved them").click()
    expect(section).to_contain_text("On")
    expect(section).to_contain_text("10 unused recovery codes left.")
    assert not serious_violations_of(page)

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server}/login")
    page.get_by_label("E-mail").fill(agent.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/login/code")
    assert not serious_violations_of(page)
    # The setup used this step's code: the next step's (one step of drift) logs in.
    page.get_by_label("Code from your authenticator app").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/dashboard")
    expect(page.locator("#toasts")).to_contain_text("Welcome back")
    assert csp_errors == []


def serious_violations_of(page) -> list[str]:
    """axe on the page as it is, under the app's own policy: evaluated through the browser's
    debugging protocol, which the policy does not govern (an injected <script> it would)."""
    page.wait_for_function(SETTLED, arg=BUSY)
    page.evaluate(f"() => {{ {AXE}\n }}")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
