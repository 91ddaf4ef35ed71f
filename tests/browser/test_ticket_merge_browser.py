"""An agent merges a customer's duplicate request in the browser: pick, confirm, land on the
ticket kept; and undoes it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import staff_login
from tests.browser.htmx_wait import wait_for_htmx
from tests.browser.ticket_setup import new_ticket, on_duty_in_customer_care
from webapp.extensions import db
from webapp.models import Ticket

pytestmark = pytest.mark.browser


@pytest.fixture
def pair(app, create_user) -> tuple[Ticket, Ticket]:
    on_duty_in_customer_care(create_user())
    db.session.commit()
    first = new_ticket("Parcel arrived broken")
    duplicate = new_ticket("Still waiting for a new parcel")
    return duplicate, first


def test_picking_the_other_request_asks_then_merges_and_opens_the_ticket_kept(
    page, live_server, pair
):
    duplicate, first = pair
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{duplicate.number}")
    wait_for_htmx(page)
    page.get_by_text("Merge into another ticket").click()
    page.get_by_label(f"{first.number} · Parcel arrived broken").check()
    page.get_by_role("button", name="Continue").click()
    confirm = page.locator(".merge-confirm")
    expect(confirm).to_contain_text(f"Merge {duplicate.number} into {first.number}?")
    expect(confirm).to_contain_text(f"Merged by mistake? {duplicate.number} keeps an “Undo")
    expect(page.get_by_label("Tell the customer by e-mail, in English")).to_be_checked()

    page.get_by_role("button", name=f"Merge into {first.number}").click()
    page.wait_for_url(f"{live_server}/tickets/{first.number}")
    expect(page.locator("#toasts")).to_contain_text(
        f"{duplicate.number} was merged into {first.number}. The customer was told by e-mail."
    )
    expect(page.locator("#ws-timeline")).to_contain_text(
        f"merged {duplicate.number} into this ticket, the customer"
    )

    page.goto(f"{live_server}/tickets/{duplicate.number}")
    expect(page.locator(".merged-notice")).to_contain_text(
        f"This ticket was merged into {first.number}"
    )
    expect(page.get_by_role("button", name="Send reply")).to_have_count(0)

    page.get_by_role("button", name="Undo the merge").click()  # it was a mistake after all
    expect(page.locator("#toasts")).to_contain_text(
        f"{duplicate.number} is no longer merged into {first.number}. It is now: Assigned."
    )
    expect(page.locator(".merged-notice")).to_have_count(0)
    expect(page.get_by_role("button", name="Send reply")).to_be_visible()


def test_cancel_goes_back_to_the_choice_without_merging(page, live_server, pair):
    duplicate, first = pair
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{duplicate.number}")
    wait_for_htmx(page)
    page.get_by_text("Merge into another ticket").click()
    page.get_by_label("Ticket number").fill(first.number)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator(".merge-confirm")).to_have_count(0)
    expect(page.get_by_text("Merge into another ticket")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Ticket, duplicate.id).merged_into_id is None


def test_on_a_phone_the_merged_ticket_names_the_kept_one_whole(
    page, live_server, pair, create_user
):
    """At 390 px in Russian the notes read "объединено с LD-" / "1002": a ticket number is
    never split at its hyphen, in the notice above and in the Merge section."""
    from webapp.models import User
    from webapp.services.merging import merge_ticket

    duplicate, first = pair
    agent = db.session.query(User).filter_by(email="agent@example.com").one()
    agent.locale = "ru"
    merge_ticket(duplicate, first, agent)
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{duplicate.number}")
    for place in (".merged-notice", "#ws-merge"):
        numbers = page.locator(f"{place} .ticket-number")
        expect(numbers.first).to_have_text(first.number)
        lines = numbers.evaluate_all("spans => spans.map(s => s.getClientRects().length)")
        assert lines and set(lines) == {1}, (place, lines)


def test_an_undo_from_a_stale_tab_is_refused_where_its_button_was(page, live_server, pair):
    """A colleague (or the agent's other tab) undid the merge meanwhile: the refusal reads at
    the top of the Merge section, where the Undo button was, and the focus lands by it; the
    "Merge into another ticket" form that took the button's place stays closed and clean."""
    from webapp.models import User
    from webapp.services.merging import merge_ticket, unmerge_ticket

    duplicate, first = pair
    agent = db.session.query(User).filter_by(email="agent@example.com").one()
    merge_ticket(duplicate, first, agent)
    db.session.commit()
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{duplicate.number}")
    wait_for_htmx(page)
    unmerge_ticket(db.session.get(Ticket, duplicate.id), agent)  # the other tab
    db.session.commit()

    page.get_by_role("button", name="Undo the merge").click()
    error = page.locator("#ws-merge [role=alert]")
    expect(error).to_have_text("This ticket is not merged into another (any more).")
    summary = page.locator("#ws-merge summary", has_text="Merge into another ticket")
    expect(summary).to_be_visible()
    assert error.bounding_box()["y"] < summary.bounding_box()["y"]  # above, not inside it
    expect(page.locator("#ws-merge details")).not_to_have_attribute("open", "")
    expect(page.locator("#ws-merge-title")).to_be_focused()
