"""A customer whose browser is in Warsaw answers through the widget (its iframe): app.js tells
the server the zone, so the ticket keeps it and the confirmation's promise is in Warsaw time."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import OutboxMessage, Response, Ticket

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


@pytest.fixture
def warsaw_page(browser):
    context = browser.new_context(timezone_id="Europe/Warsaw", locale="pl-PL")
    yield context.new_page()
    context.close()


def test_the_widget_tells_the_server_the_customers_zone(warsaw_page, live_server, builtin_forms):
    page = warsaw_page
    page.goto(f"{live_server}/widget/demo?lang=pl")
    page.get_by_role("button", name="Opinia").click()
    frame = page.frame_locator("iframe[title=Opinia]")
    frame.locator("#composer button[value='3']").click()
    frame.locator("#composer textarea").fill("Płatność kartą nie działa.")
    frame.locator("#composer button[type=submit]:not([name]):not(.skip)").click()
    frame.locator("#composer input[autocomplete=name]").fill("Ewa")
    frame.locator("#composer input[autocomplete=name]").press("Enter")
    frame.locator("#composer input[type=email]").fill("ewa@example.pl")
    frame.locator("#composer input[type=email]").press("Enter")
    frame.locator("#end").wait_for()
    assert db.session.scalar(select(Response)).meta["timezone"] == "Europe/Warsaw"
    ticket = db.session.scalar(select(Ticket))
    assert ticket.facts["metadata"]["timezone"] == "Europe/Warsaw"
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == "ewa@example.pl")
    )
    assert "(czas środkowoeuropejski)" in mail.body_text and "(UTC)" not in mail.body_text

    # Her status page: the promise in Warsaw time, named; the reply box sends the zone too.
    page.goto(f"{live_server}/t/{ticket.status_token}")
    due = page.locator(".status-due").inner_text()
    assert "(czas środkowoeuropejski)" in due
    assert page.locator("#reply input[name=timezone]").input_value() == "Europe/Warsaw"
