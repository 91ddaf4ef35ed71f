"""The ticket list's and the board's search boxes show their whole hint in the agent's
language, on a desktop and on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import staff_login

pytestmark = pytest.mark.browser

# The search box's hint is its label's text, drawn whole (wrapped if need be) on the screen,
# not a visually hidden label with a placeholder cut off mid-word (a placeholder cannot wrap).
HINT_SHOWN_WHOLE = """(el) => {
  const walker = document.createTreeWalker(el.labels[0], NodeFilter.SHOW_TEXT);
  let text = walker.nextNode();
  while (text && !text.textContent.trim()) { text = walker.nextNode(); }
  const holder = text.parentElement;
  const style = getComputedStyle(holder);
  const box = holder.getBoundingClientRect();
  return {
    hint: text.textContent.trim(),
    placeholder: el.placeholder,
    shown: box.width > 40 && box.height > 8 && style.clip === "auto"
      && holder.scrollWidth <= holder.clientWidth + 1,
    onScreen: box.left >= 0 && box.right <= document.documentElement.clientWidth,
  };
}"""


@pytest.mark.parametrize("locale", ["pl", "ru", "sl"])
@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("where, field", [("/tickets", "#ticket-search"), ("/board", "#board-q")])
def test_the_search_hint_is_not_cut_off(
    page, live_server, create_user, locale, width, where, field
):
    create_user(locale=locale)
    page.set_viewport_size({"width": width, "height": 800})
    staff_login.log_in(page, live_server, "agent@example.com", then=where)
    search = page.locator(field)
    expect(search).to_be_visible()
    shown = search.evaluate(HINT_SHOWN_WHOLE)
    assert shown["shown"] and shown["onScreen"], shown["hint"]
    assert not shown["placeholder"]  # the label says it all
    assert shown["hint"].startswith({"pl": "Szukaj", "ru": "Поиск", "sl": "Iskanje"}[locale])
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_csv_link_takes_the_search_typed_since_the_page_loaded(page, live_server, agent):
    from tests.helpers import make_ticket

    make_ticket(subject="Paczka uszkodzona", customer_name="Jan Kowalski")
    make_ticket(subject="Płatność nie działa", customer_name="Anna Nowak")
    staff_login.log_in(page, live_server, "agent@example.com", then="/tickets")
    page.locator("#ticket-search").fill("kowalski")
    expect(page.locator("#ticket-rows tr")).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these tickets as CSV").click()
    body = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Paczka uszkodzona" in body and "Płatność" not in body


def test_a_tab_keeps_the_search_typed_since_the_page_loaded(page, live_server, agent):
    from tests.helpers import make_ticket
    from webapp.extensions import db
    from webapp.services.tickets import assign_to

    mine = make_ticket(subject="Paczka uszkodzona", customer_name="Jan Kowalski")
    make_ticket(subject="Paczka zgubiona", customer_name="Ewa Kowalska")
    make_ticket(subject="Płatność nie działa", customer_name="Jan Kowalski")
    assign_to(mine, agent, None)
    db.session.commit()
    staff_login.log_in(page, live_server, "agent@example.com", then="/tickets")
    page.locator("#ticket-search").fill("paczka")
    expect(page.locator("#ticket-rows tr")).to_have_count(2)
    page.get_by_role("link", name="Assigned to me").click()
    expect(page.locator("#ticket-search")).to_have_value("paczka")
    expect(page.locator("#ticket-rows tr")).to_have_count(1)
    expect(page.locator("#ticket-rows")).to_contain_text("Paczka uszkodzona")
    page.get_by_role("link", name="All tickets").click()
    expect(page.locator("#ticket-search")).to_have_value("paczka")
    expect(page.locator("#ticket-rows tr")).to_have_count(2)


@pytest.mark.parametrize("locale", ["en", "pl", "ru", "sl"])
@pytest.mark.parametrize("width", [1280, 1024])
def test_the_list_fits_a_laptop_with_its_deadline_column_in_sight(
    page, live_server, agent, locale, width
):
    """At 1280 px in Russian (and 1024 px in any language) the table was wider than the page:
    the first-response deadline ("Ответ дан", "Просрочено") hid behind a sideways scroll."""
    from tests.helpers import make_ticket
    from webapp.extensions import db
    from webapp.services.replies import send_public_reply
    from webapp.services.tickets import assign_to

    answered = make_ticket(subject="Paczka uszkodzona", customer_name="Jan Kowalski")
    assign_to(answered, agent, None)
    send_public_reply(answered, "Sprawdzamy.", agent)
    overdue = make_ticket(subject="Płatność nie działa", customer_name="Anna Nowak")
    overdue.first_response_breached_at = overdue.created_at
    agent.locale = locale
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 800})
    staff_login.log_in(page, live_server, "agent@example.com", then="/tickets")
    expect(page.locator("#ticket-rows tr")).to_have_count(2)
    wrap = page.locator(".table-wrap").filter(has=page.locator("#ticket-rows"))
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth"), "the table scrolls sideways"
    for badge in page.locator("#ticket-rows .status").all():
        box = badge.bounding_box()
        assert box["x"] + box["width"] <= width


def test_a_long_label_without_spaces_wraps_inside_the_list(page, live_server, agent):
    """One label of 64 letters with no space (a pasted order reference, a joined phrase)
    held the subject column at its length: the table scrolled sideways (at 1280 px with the
    demo's rows) and its deadline column was out of sight. It wraps inside its chip, as on
    the board's cards."""
    from tests.helpers import make_ticket
    from webapp.extensions import db
    from webapp.services.tickets import add_label

    ticket = make_ticket(subject="Zwrot pieniędzy", customer_name="Jan Kowalski")
    add_label(ticket, "zamówienie" + "ż" * 54, None)
    agent.locale = "ru"
    db.session.commit()
    page.set_viewport_size({"width": 1024, "height": 800})
    staff_login.log_in(page, live_server, "agent@example.com", then="/tickets")
    expect(page.locator("#ticket-rows tr")).to_have_count(1)
    wrap = page.locator(".table-wrap").filter(has=page.locator("#ticket-rows"))
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth"), "the table scrolls sideways"
