"""A new webhook's secret page, reloaded in the browser: no second webhook, no secret again."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.staff_login import log_in
from webapp.extensions import db
from webapp.models import Webhook

pytestmark = pytest.mark.browser


def test_reloading_a_new_webhooks_secret_page_makes_no_second_webhook(page, live_server, admin):
    log_in(page, live_server, admin.email, then="/admin/webhooks/new")
    page.get_by_label("Name").fill("CRM")
    page.get_by_label("Payload URL").fill("https://crm.example.com/in")
    page.get_by_label("A ticket was created").check()
    page.get_by_role("button", name="Create webhook").click()
    page.wait_for_selector("[data-secret]")
    hook = db.session.scalars(select(Webhook)).one()
    assert page.locator("[data-secret]").inner_text() == hook.secret

    page.reload()
    page.wait_for_url(f"{live_server}/admin/webhooks/{hook.id}")
    assert page.locator("[data-secret]").count() == 0
    assert hook.secret not in page.content()
    expect(page.locator("#toasts")).to_contain_text("shown only once")
    db.session.expire_all()
    assert db.session.scalars(select(Webhook)).all() == [hook]
