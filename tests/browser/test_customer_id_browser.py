"""A shop embeds the widget for a signed-in customer: their signed id reaches the ticket, and
the agent, on a phone in Russian, sees it verified with the customer's earlier request."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.staff_login import log_in
from tests.helpers import make_ticket
from webapp.extensions import db
from webapp.models import Form, Role, Ticket
from webapp.services.forms import signature

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


def test_the_widget_brings_a_signed_in_customer_s_id_to_the_ticket(
    browser, page, live_server, builtin_forms, create_user
):
    earlier = make_ticket(
        subject="Karta odrzucona",
        customer_email=None,
        customer_ref="C-1042",
        customer_ref_verified=True,
    )
    form = db.session.scalar(select(Form).where(Form.slug == "nps"))
    sig = signature(form, "customer_id", "C-1042")
    # The shop's page, as its server renders it for the signed-in customer C-1042.
    shop = (
        '<!doctype html><html lang="pl"><head><title>Sklep</title></head><body><h1>Sklep</h1>'
        f'<script src="{live_server}/static/js/widget.js" data-form="nps" data-lang="pl"'
        f' data-days="0" data-customer-id="C-1042" data-customer-id-sig="{sig}" async></script>'
        "</body></html>"
    )
    page.route(
        f"{live_server}/pretend-shop",
        lambda route: route.fulfill(body=shop, content_type="text/html; charset=utf-8"),
    )
    page.goto(f"{live_server}/pretend-shop")
    page.get_by_role("button", name="Opinia").click()
    frame = page.frame_locator("iframe")
    frame.locator("#composer button[value='2']").click()
    frame.locator("#composer textarea").fill("Znowu nie mogę zapłacić kartą.")
    frame.locator("#composer button", has_text="Wyślij").click()
    frame.locator("#answer-input[type=text]").wait_for()  # the name
    frame.locator("#composer button.skip").click()  # no name
    frame.locator("#composer input[type=email]").wait_for()
    frame.locator("#composer button.skip").click()  # and no e-mail
    frame.locator("#end").wait_for()
    ticket = db.session.scalar(select(Ticket).order_by(Ticket.id.desc()).limit(1))
    assert ticket.id != earlier.id and ticket.customer_email is None
    assert (ticket.channel, ticket.customer_ref, ticket.customer_ref_verified) == (
        "widget",
        "C-1042",
        True,
    )

    create_user(email="dmitri@example.com", role=Role.ADMIN, locale="ru")
    staff = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    agent = staff.new_page()
    log_in(agent, live_server, "dmitri@example.com", then=f"/tickets/{ticket.number}")
    facts = agent.locator("#ws-conversation dl.facts").first
    expect(facts).to_contain_text("ID клиента")
    expect(facts.locator(".customer-ref")).to_contain_text("C-1042 Подтверждён")
    requests = agent.locator(".customer-requests")
    expect(requests.locator("summary")).to_contain_text("1")
    requests.locator("summary").click()
    expect(requests.get_by_role("link", name=earlier.number)).to_be_visible()
    assert agent.evaluate("document.documentElement.scrollWidth") <= 390
    staff.close()
