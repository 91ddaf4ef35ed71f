"""An agent drags cards across the board, is stopped where the workflow says no, moves a card
by keyboard, and a colleague's board follows within seconds."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser import staff_login
from tests.browser.ticket_setup import new_ticket, on_duty_in_customer_care
from webapp.extensions import db
from webapp.models import SavedView, Team, Ticket, utcnow
from webapp.services import away
from webapp.services.tickets import add_label, assign_to, fire

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(app, create_user):
    """Ada is the only agent on duty, so every new ticket is assigned to her."""
    ada = create_user()
    on_duty_in_customer_care(ada)
    db.session.add(Team(slug="product-quality", name="Product Quality"))
    bob = create_user(email="bob@example.com", name="Bob Builder")
    db.session.commit()
    return {"ada": ada, "bob": bob}


class HeldAnswers:
    """The server does the work at once, but its answers reach the page only on `release()`,
    as on a busy machine: the board's live refresh (every second here) answers in between."""

    def __init__(self, page, url_pattern: str) -> None:
        self._held = []
        page.route(url_pattern, self._hold)

    def _hold(self, route) -> None:
        self._held.append((route, route.fetch()))

    def release(self) -> None:
        while self._held:
            route, response = self._held.pop(0)
            route.fulfill(response=response)


def log_in(page, live_server: str, email: str) -> None:
    staff_login.log_in(page, live_server, email, then="/board")


def drag(page, card_selector: str, state: str, *, release: bool = True) -> None:
    """Drag a card by its subject onto a column with real mouse events (Sortable's fallback)."""
    # A live refresh may redraw the column just now: wait for the card as it is drawn.
    expect(page.locator(f"{card_selector} .card-subject")).to_be_visible()
    source = page.locator(f"{card_selector} .card-subject").bounding_box()
    target = page.locator(f"#cards-{state}").bounding_box()
    page.mouse.move(source["x"] + 10, source["y"] + source["height"] / 2)
    page.mouse.down()
    page.mouse.move(source["x"] + 20, source["y"] + 20, steps=5)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 30, steps=15)
    if release:
        page.mouse.up()


def test_drag_to_a_legal_column_sticks_and_an_illegal_one_bounces(page, live_server, desk):
    ticket = new_ticket()
    card = f"#card-{ticket.number}"
    log_in(page, live_server, "agent@example.com")
    expect(page.locator(f"#cards-assigned {card}")).to_be_visible()

    drag(page, card, "in_progress")
    expect(page.locator(f"#cards-in_progress {card}")).to_be_visible()
    expect(page.locator("#board-message")).to_have_text(f"{ticket.number} moved to In progress.")
    expect(page.locator("#count-in_progress")).to_have_text("1")
    expect(page.locator("#count-assigned")).to_have_text("0")
    page.reload()
    expect(page.locator(f"#cards-in_progress {card}")).to_be_visible()

    # While dragging, columns the workflow forbids are visibly disabled.
    drag(page, card, "waiting_on_customer", release=False)
    expect(page.locator('.board-column[data-state="waiting_on_customer"]')).to_have_class(
        "board-column is-disabled"
    )
    expect(page.locator('.board-column[data-state="resolved"]')).to_have_class(
        "board-column is-drop-target"
    )
    page.mouse.up()
    expect(page.locator(f"#cards-in_progress {card}")).to_be_visible()
    expect(page.locator("#board-message")).to_have_text("Reply to the customer first.")
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).state == "in_progress"


def test_after_a_refused_drop_the_focus_is_on_the_card_and_the_reason_is_said(
    page, live_server, desk
):
    """The focus stayed on the page's <main> (where pressing the mouse on the card put it):
    Tab went on from the top of the board, not from the card that went back."""
    ticket = new_ticket()
    card, link = f"#card-{ticket.number}", page.locator(f"#card-{ticket.number} .card-number")
    log_in(page, live_server, "agent@example.com")
    message = page.locator("#board-message[role=status]")

    # Refused by the server: a colleague started the ticket since the board was drawn.
    page.evaluate("document.querySelector('.board-poll').remove()")
    fire(ticket, "start", desk["ada"])
    db.session.commit()
    drag(page, card, "in_progress")
    expect(message).to_have_text(
        "Ada Agent moved this ticket to In progress a moment ago. Here is its current state."
    )
    expect(page.locator(f"#cards-in_progress {card}")).to_be_visible()
    expect(link).to_be_focused()

    # Refused on the page: the workflow says no to that column.
    drag(page, card, "waiting_on_customer")
    expect(message).to_have_text("Reply to the customer first.")
    expect(page.locator(f"#cards-in_progress {card}")).to_be_visible()
    expect(link).to_be_focused()
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).state == "in_progress"


def test_a_dropped_card_is_redrawn_without_a_refused_inline_style(page, live_server, desk):
    """The drag left inline styles on the card (set by the script, which the policy allows);
    htmx copied them onto the redrawn card as a style attribute, which the policy refuses:
    a console error, and a violation report, at every drop."""
    ticket = new_ticket()
    card = f"#card-{ticket.number}"
    page.add_init_script(
        "window.__refused = [];"
        "document.addEventListener('securitypolicyviolation',"
        " (e) => window.__refused.push(e.violatedDirective + ' ' + e.sourceFile));"
    )
    log_in(page, live_server, "agent@example.com")
    drag(page, card, "in_progress")
    expect(page.locator("#board-message")).to_have_text(f"{ticket.number} moved to In progress.")
    expect(page.locator(f"#cards-in_progress {card}")).to_be_visible()
    page.wait_for_timeout(200)  # htmx settles the swap 20 ms after it
    assert page.evaluate("() => window.__refused") == []


def test_a_card_moves_by_keyboard_through_its_menu(page, live_server, desk):
    ticket = new_ticket()
    log_in(page, live_server, "agent@example.com")
    # Without the live refresh: the focus must come from the move's own answer, not from a
    # poll that happens to redraw the board in the same seconds.
    page.evaluate("document.querySelector('.board-poll').remove()")
    menu = page.locator(f"#card-{ticket.number} summary")
    menu.focus()
    page.keyboard.press("Enter")
    first = page.get_by_role("button", name="Start work → In progress")
    expect(first).to_be_visible()
    page.keyboard.press("Tab")
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"#cards-in_progress #card-{ticket.number}")).to_be_visible()
    expect(page.locator(f"#card-{ticket.number} .card-number")).to_be_focused()
    expect(page.locator("#board-message")).to_have_text(f"{ticket.number} moved to In progress.")
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).state == "in_progress"


def test_a_colleagues_board_follows_moves_and_new_tickets(browser, page, live_server, desk):
    ticket = new_ticket()
    log_in(page, live_server, "agent@example.com")
    colleague_context = browser.new_context(locale="en-US")
    colleague = colleague_context.new_page()
    try:
        log_in(colleague, live_server, "bob@example.com")
        expect(colleague.locator(f"#cards-assigned #card-{ticket.number}")).to_be_visible()

        drag(page, f"#card-{ticket.number}", "in_progress")
        expect(page.locator(f"#cards-in_progress #card-{ticket.number}")).to_be_visible()
        expect(colleague.locator(f"#cards-in_progress #card-{ticket.number}")).to_be_visible(
            timeout=5000
        )
        expect(colleague.locator("#count-in_progress")).to_have_text("1")

        another = new_ticket("Second parcel")
        expect(colleague.locator(f"#card-{another.number}")).to_be_visible(timeout=5000)
        expect(page.locator(f"#card-{another.number}")).to_be_visible(timeout=5000)
    finally:
        colleague_context.close()


def test_the_board_stays_when_a_poll_finds_nothing_new(page, live_server, desk):
    """The 3 s poll answers 304 when nothing changed: the columns must not be swapped away."""
    ticket = new_ticket()
    log_in(page, live_server, "agent@example.com")
    card = page.locator(f"#card-{ticket.number}")
    expect(card).to_be_visible()
    with page.expect_response(lambda r: "/board/changes" in r.url and r.status == 304):
        pass
    page.wait_for_timeout(300)  # past htmx's swap and settle
    expect(card).to_be_visible()
    expect(page.locator(".board-column")).not_to_have_count(0)


def test_the_board_fits_a_phone_and_ends_at_its_footer(page, live_server, desk):
    """Cards' screen-reader texts stay inside their scrolling columns, not beyond the page."""
    states = ["new", "assigned", "in_progress", "waiting_on_customer", "resolved", "closed"]
    for state in states * 3:
        new_ticket(f"Parcel for the {state} column").state = state
    # Long single words, as agents do name things: they wrap instead of widening the page.
    long_word = "reklamacje_niezadowolonych_klientow_sklep_internetowy_2026"
    db.session.add(SavedView(user_id=desk["ada"].id, name=long_word, query="label=x"))
    add_label(new_ticket("Long label"), long_word[:64], None)
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "agent@example.com")
    expect(page.locator(".board-card")).to_have_count(len(states) * 3 + 1)
    # The rightmost column with SLA badges (closed and resolved cards owe nothing, show none).
    badged = '.board-column[data-state="waiting_on_customer"] .sla-badge'
    expect(page.locator(badged).first).to_be_attached()
    expect(page.locator('.board-column[data-state="closed"] .sla-badge')).to_have_count(0)

    size = page.evaluate(
        """() => ({width: document.documentElement.scrollWidth,
                   height: document.documentElement.scrollHeight,
                   footerEnd: document.querySelector('.site-footer').getBoundingClientRect().bottom
                              + window.scrollY})"""
    )
    assert size["width"] <= 390, "the page scrolls sideways on a phone"
    assert size["height"] <= size["footerEnd"] + 1, "blank space scrolls below the footer"
    # The columns themselves still scroll sideways, inside the board.
    columns = page.locator("#board-columns")
    assert columns.evaluate("el => el.scrollWidth > el.clientWidth")


# Every select's chosen text, and the saved view's placeholder, measured in the element's font.
TEXT_FITS = """() => {
  const canvas = document.createElement("canvas").getContext("2d");
  const fields = [...document.querySelectorAll("#board-filters select, #bulk-form select")];
  fields.push(document.querySelector(".save-view input[name=name]"));
  return fields.map((el) => {
    const style = getComputedStyle(el);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = el.tagName === "SELECT" ? el.options[el.selectedIndex].text : el.placeholder;
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
    const box = el.getBoundingClientRect();
    const room = box.width - ["borderLeftWidth", "paddingLeft", "paddingRight", "borderRightWidth"]
      .reduce((sum, side) => sum + parseFloat(style[side]), 0);
    return {
      text,
      fits: canvas.measureText(text).width <= room + 0.5,  // sub-pixel rounding
      // Pico's arrow ends 1.75rem from the right edge: the text must stop before it.
      clearOfArrow: el.tagName !== "SELECT" || parseFloat(style.paddingRight) >= 1.75 * rem,
      onScreen: box.left >= 0 && box.right <= document.documentElement.clientWidth,
    };
  });
}"""


@pytest.mark.parametrize("locale", ["pl", "ru"])
@pytest.mark.parametrize("width", [1366, 390])
def test_filter_and_bulk_labels_are_not_cut_off(
    page, live_server, desk, create_user, locale, width
):
    """'Dowolny priorytet', 'Wybierz agenta', 'Название представления' are read in full."""
    create_user(email=f"{locale}@example.com", name=f"Agent {locale}", locale=locale)
    page.set_viewport_size({"width": width, "height": 900})
    ticket = new_ticket()
    log_in(page, live_server, f"{locale}@example.com")
    expect(page.locator("html")).to_have_attribute("lang", locale)
    # Everything folded away is shown: the rest of the filters, and the bulk actions.
    more = page.locator(".board-more-toggle")
    if more.is_visible():
        more.click()
    page.locator(f"#card-{ticket.number} .card-select").check()
    expect(page.locator("#bulk-form")).to_be_visible()

    fields = page.evaluate(TEXT_FITS)
    assert len(fields) == 10
    for field in fields:
        assert field["fits"] and field["clearOfArrow"], f"{field['text']!r} is cut off"
        assert field["onScreen"], f"{field['text']!r} is off the screen"
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_drawer_opens_on_the_subject_and_closes_back_onto_the_card(page, live_server, desk):
    ticket = new_ticket()
    log_in(page, live_server, "agent@example.com")
    page.locator(f"#card-{ticket.number} .card-number").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#drawer #ws-title")).to_be_focused()
    # A change in the drawer redraws the card behind it.
    page.locator("#drawer #ws-label-name").fill("refund")
    page.keyboard.press("Enter")
    expect(page.locator(f"#card-{ticket.number} .chips")).to_contain_text("refund")
    page.keyboard.press("Escape")
    expect(page.locator("#drawer-dialog")).not_to_be_visible()
    expect(page.locator(f"#card-{ticket.number} .card-number")).to_be_focused()


def test_escape_closes_the_drawer_while_a_label_just_sent_is_on_its_way(page, live_server, desk):
    """On a busy server the board showed the new label before the drawer's own answer came:
    the label was still in its box, so Escape only left the box and the drawer stayed open."""
    ticket = new_ticket()
    log_in(page, live_server, "agent@example.com")
    labels = HeldAnswers(page, "**/labels")
    page.locator(f"#card-{ticket.number} .card-number").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#drawer #ws-title")).to_be_focused()
    # The drawer's own refresh would empty the box if it came first: without it the box
    # holds the label until the answer, as when the board's refresh is the quicker one.
    page.evaluate("document.querySelector('#drawer #ws-live').remove()")
    page.locator("#drawer #ws-label-name").fill("refund")
    page.keyboard.press("Enter")
    expect(page.locator(f"#card-{ticket.number} .chips")).to_contain_text("refund")
    expect(page.locator("#drawer #ws-label-name")).to_have_value("refund")  # not answered yet
    page.keyboard.press("Escape")
    expect(page.locator("#drawer-dialog")).not_to_be_visible()
    link = page.locator(f"#card-{ticket.number} .card-number")
    expect(link).to_be_focused()
    # The answer lands in the closed drawer and the polls go on: the focus stays.
    labels.release()
    expect(page.locator("#drawer #ws-labels .label-list")).to_contain_text("refund")
    page.wait_for_timeout(1500)
    expect(link).to_be_focused()


def test_a_drawer_opened_by_clicking_the_card_closes_back_onto_it(page, live_server, desk):
    """A click on the card's subject left the focus on the page's <main>: after Escape the
    next Tab started from the top of the board instead of from the card."""
    ticket = new_ticket()
    log_in(page, live_server, "agent@example.com")
    page.locator(f"#card-{ticket.number} .card-subject").click()
    expect(page.locator("#drawer #ws-title")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#drawer-dialog")).not_to_be_visible()
    expect(page.locator(f"#card-{ticket.number} .card-number")).to_be_focused()


def test_a_reply_and_a_note_typed_in_the_drawer_outlive_closing_it(page, live_server, desk):
    """Escape twice (out of the box, then out of the drawer) threw away what was typed;
    opening the card again, or the ticket's page, finds it until it is sent."""
    ticket, other = new_ticket(), new_ticket("Second parcel")
    log_in(page, live_server, "agent@example.com")
    page.locator(f"#card-{ticket.number} .card-subject").click()
    page.locator("#drawer #ws-reply-text").fill("Dear Jan, we are sorry 😀 <b>really</b>")
    page.locator("#drawer #ws-note-text").fill("Courier called twice")
    page.keyboard.press("Escape")  # leaves the note box
    page.keyboard.press("Escape")  # closes the drawer
    expect(page.locator("#drawer-dialog")).not_to_be_visible()

    page.locator(f"#card-{other.number} .card-subject").click()
    expect(page.locator("#drawer #ws-reply-text")).to_have_value("")  # another ticket's box
    page.keyboard.press("Escape")
    page.locator(f"#card-{ticket.number} .card-subject").click()
    reply = page.locator("#drawer #ws-reply-text")
    expect(reply).to_have_value("Dear Jan, we are sorry 😀 <b>really</b>")
    expect(page.locator("#drawer #ws-note-text")).to_have_value("Courier called twice")

    page.locator("#drawer").get_by_role("button", name="Add note").click()
    expect(page.locator("#drawer #ws-timeline")).to_contain_text("Courier called twice")
    page.goto(f"{live_server}/tickets/{ticket.number}")
    expect(page.locator("#ws-reply-text")).to_have_value("Dear Jan, we are sorry 😀 <b>really</b>")
    expect(page.locator("#ws-note-text")).to_have_value("")  # added: no draft any more
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#ws-timeline")).to_contain_text("we are sorry")
    page.reload()
    expect(page.locator("#ws-reply-text")).to_have_value("")

    page.locator("#ws-note-text").fill("Not for the next person")  # a shared computer
    page.get_by_role("button", name="Log out").click()
    staff_login.log_in(page, live_server, "agent@example.com", then=f"/tickets/{ticket.number}")
    expect(page.locator("#ws-note-text")).to_have_value("")


def test_on_a_phone_the_bulk_actions_stay_in_sight_while_cards_are_selected(
    page, live_server, desk
):
    """The bar appears above the columns: an agent who had scrolled down to the cards and
    ticked one never saw it (it opened above the screen's top edge)."""
    tickets = [new_ticket(f"Parcel {n}") for n in range(6)]
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "agent@example.com")
    page.locator("#cards-assigned").scroll_into_view_if_needed()
    page.mouse.wheel(0, 400)  # down through the cards, the page's end in sight
    last = page.locator(f"#card-{tickets[0].number} .card-select")
    last.scroll_into_view_if_needed()
    last.check()
    bar = page.locator("#bulk-form")
    expect(bar.locator(".bulk-count")).to_have_text("1")
    expect(bar).to_be_in_viewport()
    expect(last).to_be_in_viewport()  # the bar does not cover the card just ticked
    assert page.evaluate("() => document.documentElement.scrollWidth") == 390
    last.uncheck()
    expect(bar).to_be_hidden()


def test_the_filter_bar_rings_the_focused_field_not_the_whole_bar(page, live_server, desk):
    log_in(page, live_server, "agent@example.com")
    page.locator("#board-filters select[name=priority]").focus()
    assert page.locator("#board-filters").evaluate("el => getComputedStyle(el).boxShadow") == "none"
    apply = page.locator("#board-filters button[type=submit]")
    apply.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # reach Apply by keyboard, so :focus-visible holds
    expect(apply).to_be_focused()
    assert apply.evaluate("el => getComputedStyle(el).boxShadow") != "none"
    assert page.locator("#board-filters").evaluate("el => getComputedStyle(el).boxShadow") == "none"


def test_bulk_actions_show_only_while_cards_are_selected(page, live_server, desk):
    first, second = new_ticket(), new_ticket("Wrong size")
    log_in(page, live_server, "agent@example.com")
    bar = page.locator("#bulk-form")
    expect(page.locator(f"#card-{first.number}")).to_be_visible()
    expect(bar).to_be_hidden()

    page.locator(f"#card-{first.number} .card-select").check()
    page.locator(f"#card-{second.number} .card-select").check()
    expect(bar).to_be_visible()
    expect(bar.locator(".bulk-count")).to_have_text("2")
    page.locator(f"#card-{first.number} .card-select").uncheck()
    expect(bar.locator(".bulk-count")).to_have_text("1")
    page.locator(f"#card-{second.number} .card-select").uncheck()
    expect(bar).to_be_hidden()


def test_on_a_phone_the_less_used_filters_fold_behind_one_button(page, live_server, desk):
    new_ticket()
    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, live_server, "agent@example.com")
    more = page.locator(".board-more-toggle")
    priority = page.locator("#board-filters select[name=priority]")
    expect(page.locator("#board-filters select[name=team]")).to_be_visible()
    expect(more).to_have_attribute("aria-expanded", "false")
    expect(priority).to_be_hidden()

    more.click()
    expect(more).to_have_attribute("aria-expanded", "true")
    priority.select_option("urgent")
    expect(page).to_have_url(re.compile(r"priority=urgent"))
    # A board opened with such a filter set shows it, unfolded.
    page.reload()
    expect(page.locator(".board-more-toggle")).to_have_attribute("aria-expanded", "true")
    expect(priority).to_be_visible()
    expect(priority).to_have_value("urgent")

    # On a wide screen nothing is folded.
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(f"{live_server}/board")
    expect(page.locator(".board-more-toggle")).to_be_hidden()
    expect(priority).to_be_visible()


def test_a_bulk_action_keeps_the_boards_own_filters(page, live_server, desk):
    """The bulk bar's agent and label are not the filters' agent and label: labelling or
    reassigning cards on "Assigned to me" leaves that board, not one filtered by the new
    label or the new agent."""
    first, second = new_ticket(), new_ticket("Wrong size")
    bobs = new_ticket("Bob's parcel")
    assign_to(bobs, desk["bob"], None)
    db.session.commit()
    log_in(page, live_server, "agent@example.com")
    page.locator("#board-filters select[name=assignee]").select_option("me")
    expect(page).to_have_url(re.compile(r"assignee=me"))
    expect(page.locator(f"#card-{bobs.number}")).to_have_count(0)

    page.locator(f"#card-{first.number} .card-select").check()
    page.locator("#bulk-form input[placeholder=Label]").fill("call back")
    page.get_by_role("button", name="Add label").click()
    expect(page.locator("#bulk-results")).to_contain_text(first.number)
    expect(page.locator(f"#card-{first.number} .chips")).to_contain_text("call back")
    expect(page.locator(f"#card-{second.number}")).to_be_visible()
    expect(page.locator(f"#card-{bobs.number}")).to_have_count(0)

    page.locator(f"#card-{second.number} .card-select").check()
    page.locator("#bulk-form select").first.select_option(label="Bob Builder")
    page.locator("#bulk-form").get_by_role("button", name="Assign").click()
    expect(page.locator(f"#card-{second.number}")).to_have_count(0)
    expect(page.locator(f"#card-{first.number}")).to_be_visible()
    expect(page.locator(f"#card-{bobs.number}")).to_have_count(0)
    expect(page.locator("#board-filters select[name=assignee]")).to_have_value("me")


def test_a_bulk_label_by_keyboard_is_added_and_the_focus_lands_on_the_results(
    page, live_server, desk
):
    """Enter in the label box adds the label (not the bar's first button, Assign). The bar
    then hides with the field: the focus goes to what happened, not to the top of the page,
    and Tab goes on into the board."""
    first, second = new_ticket(), new_ticket("Wrong size")
    log_in(page, live_server, "agent@example.com")
    _label_both_in_bulk(page, first, second)
    results = page.locator("#bulk-results")
    expect(results).to_contain_text(second.number)
    expect(page.locator(f"#card-{first.number} .chips")).to_contain_text("call back")
    expect(page.locator(f"#card-{second.number} .chips")).to_contain_text("call back")
    expect(page.locator("#bulk-form")).to_be_hidden()
    expect(results).to_be_focused()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('#board-columns') !== null")
    assert focused, "Tab after the results does not reach the board"


def _label_both_in_bulk(page, first, second) -> None:
    """Tick two cards and add the label "call back" to both from the bulk bar, by Enter."""
    page.locator(f"#card-{first.number} .card-select").check()
    page.locator(f"#card-{second.number} .card-select").check()
    page.locator("#bulk-form input[placeholder=Label]").fill("call back")
    page.keyboard.press("Enter")


def test_a_slow_bulk_answer_still_puts_the_focus_on_the_results(page, live_server, desk):
    """On a busy server a live refresh answered before the bulk action did: its redraw took
    the focus hand-over meant for the action's answer, and the focus fell to the page."""
    first, second = new_ticket(), new_ticket("Wrong size")
    log_in(page, live_server, "agent@example.com")
    bulk = HeldAnswers(page, "**/board/bulk")
    _label_both_in_bulk(page, first, second)
    page.wait_for_timeout(2500)  # the live refresh comes every second
    bulk.release()
    results = page.locator("#bulk-results")
    expect(results).to_contain_text(second.number)
    expect(page.locator(f"#card-{first.number} .chips")).to_contain_text("call back")
    expect(page.locator(f"#card-{second.number} .chips")).to_contain_text("call back")
    expect(page.locator("#bulk-form")).to_be_hidden()
    expect(results).to_be_focused()
    page.wait_for_timeout(1500)  # the live refresh goes on and leaves it there
    expect(results).to_be_focused()


def test_a_colleagues_long_away_note_keeps_assign_on_a_phone(page, live_server, desk):
    """The agent menu is as wide as its widest option, an away colleague's with their note:
    on a phone it shrinks to the screen, and Assign stays in reach."""
    today = away.today_for(desk["bob"], utcnow())
    note = "Urlop w Tatrach, w sprawach pilnych dzwoń do Ady"
    away.set_away(desk["bob"], away.AwayDays(today, today + timedelta(days=5), note))
    db.session.commit()
    new_ticket()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "agent@example.com")
    page.locator(".board-card .card-select").first.check()
    assign = page.locator("#bulk-form").get_by_role("button", name="Assign")
    expect(assign).to_be_visible()
    assert assign.evaluate("el => el.getBoundingClientRect().right") <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_saved_view_s_long_name_wraps_inside_its_toast_on_a_phone(page, live_server, desk):
    """The toast "View “xxxx…” saved." ran past its right edge, off a 390 px screen: a flex
    item does not shrink below its longest word."""
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "agent@example.com")
    page.get_by_placeholder("Name this view").fill("Escalations" + "x" * 80)
    page.get_by_role("button", name="Save view").click()
    toast = page.locator("#toasts .toast", has_text="Escalations")
    expect(toast).to_be_visible()
    text = toast.locator("span").first.bounding_box()
    box = toast.bounding_box()
    assert text["x"] + text["width"] <= box["x"] + box["width"]
    assert box["x"] + box["width"] <= 390
