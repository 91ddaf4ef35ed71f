"""Cards move through the workflow from the board: one at a time or in bulk, never silently."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.helpers import text_of
from tests.integration.test_board import make_ticket, seed_care
from webapp.extensions import db
from webapp.models import Ticket, TicketEvent, TicketLabel, utcnow
from webapp.services.tickets import add_label, assign_to, create_task, fire


@pytest.fixture
def care(app, create_user) -> dict:
    return seed_care(create_user)


def move(post_form, ticket: Ticket, **fields):
    data = {"number": ticket.number, "version": ticket.version, **fields}
    return post_form("/board/move", data, htmx=True)


def state_of(ticket: Ticket) -> str:
    db.session.expire_all()
    return db.session.get(Ticket, ticket.id).state


def test_drop_on_a_legal_column_moves_the_card_there(client, login, post_form, care):
    ticket = make_ticket()
    login(care["agent"])  # the assignee
    response = move(post_form, ticket, dest="in_progress", team="customer-care")
    assert response.status_code == 200
    assert state_of(ticket) == "in_progress"
    html = response.get_data(as_text=True)
    # The card as the server has it, in its new column, with its new version and moves.
    assert re.search(r'hx-swap-oob="afterbegin:#cards-in_progress">\s*<li class="board-card', html)
    assert f'data-version="{ticket.version + 1}"' in html or 'data-version="3"' in html
    assert 'data-dests="waiting_on_customer resolved"' not in html  # no reply yet: guard
    assert 'data-dests="resolved"' in html
    # The board shifts the two counts by one itself (the live poll re-counts everything).
    assert json.loads(response.headers["HX-Trigger"]) == {
        "ld-card-moved": {"from": "assigned", "to": "in_progress"}
    }
    assert 'id="count-' not in html
    assert f"Zgłoszenie {ticket.number} przeniesiono do stanu W toku." in text_of(response)


def test_keyboard_menu_moves_by_trigger_and_works_without_javascript(
    client, login, post_form, care
):
    ticket = make_ticket()
    login(care["agent"])
    assert move(post_form, ticket, trigger="start").status_code == 200
    assert state_of(ticket) == "in_progress"
    db.session.refresh(ticket)
    plain = post_form(
        "/board/move", {"number": ticket.number, "trigger": "resolve", "version": ticket.version}
    )
    assert plain.status_code == 303 and plain.headers["Location"] == "/board"
    assert state_of(ticket) == "resolved"
    board = text_of(client.get("/board"))
    assert f"Zgłoszenie {ticket.number} przeniesiono do stanu Rozwiązane." in board


def test_the_keyboard_menu_says_why_a_move_is_not_offered(client, login, post_form, care):
    """A keyboard user learns what dragging would tell them: reply first, then ask."""
    ticket = make_ticket()
    login(care["agent"])
    move(post_form, ticket, trigger="start")
    menu = client.get("/board").get_data(as_text=True).split(f'id="card-{ticket.number}"')[1]
    menu = menu.split("</details>")[0]
    assert 'value="resolve"' in menu
    assert 'value="ask_customer"' not in menu
    assert re.search(r'class="move-refused"><small class="muted">→ [^<]+: [^<]+</small>', menu)


def test_illegal_drop_is_refused_with_the_reason_in_the_agents_language(
    client, login, post_form, care
):
    ticket = make_ticket()
    login(care["other"])  # Ivan, Russian, not the assignee
    response = move(post_form, ticket, dest="in_progress")
    assert response.status_code == 422
    assert "Это могут сделать только: администраторы или ответственный." in text_of(response)
    assert state_of(ticket) == "assigned"
    html = response.get_data(as_text=True)
    assert '<ul hx-swap-oob="afterbegin:#cards-assigned">' in html  # the card goes back
    assert "board-message-error" in html
    # No transition at all leads from Assigned to Closed.
    response = move(post_form, ticket, dest="closed")
    assert response.status_code == 422
    assert "Этот переход невозможен из текущего состояния обращения." in text_of(response)
    for nonsense in ({"dest": "nowhere"}, {"trigger": "fly"}, {"dest": "assigned"}):
        assert move(post_form, ticket, **nonsense).status_code == 422
    assert state_of(ticket) == "assigned"


def test_stale_card_is_a_conflict_that_says_who_moved_it_where(client, login, post_form, care):
    ticket = make_ticket()
    stale_version = ticket.version
    fire(ticket, "start", care["agent"])
    db.session.commit()
    login(care["agent"])
    response = post_form(
        "/board/move",
        {"number": ticket.number, "dest": "resolved", "version": stale_version},
        htmx=True,
    )
    assert response.status_code == 409
    assert "Ola Nowak: przed chwilą zgłoszenie przeniesiono do stanu W toku." in text_of(response)
    assert state_of(ticket) == "in_progress"
    assert '<ul hx-swap-oob="afterbegin:#cards-in_progress">' in response.get_data(as_text=True)


def test_a_move_costs_the_same_statements_whatever_the_card_carries(
    client, login, post_form, care, count_queries
):
    """Labels and task flags come with the ticket: none of them costs a query of its own."""
    warm_up, plain, busy = make_ticket(), make_ticket(), make_ticket()
    for name in ("vip", "refund", "courier"):
        add_label(busy, name, None)
    late = utcnow() - timedelta(hours=1)
    create_task(busy, "Call the courier", care["other"], care["agent"], due_at=late)
    create_task(busy, "Refund", care["agent"], care["agent"])
    db.session.commit()
    forms = [
        {"number": t.number, "version": t.version, "dest": "in_progress"} for t in (plain, busy)
    ]
    login(care["agent"])
    move(post_form, warm_up, dest="in_progress")  # per-process caches (e.g. own e-mail texts)
    with count_queries() as few:
        assert post_form("/board/move", forms[0], htmx=True).status_code == 200
    with count_queries() as many:
        response = post_form("/board/move", forms[1], htmx=True)
    assert response.status_code == 200
    assert len(many) == len(few), "\n".join(many)
    card = response.get_data(as_text=True)
    assert "<li>courier</li>" in card and 'class="task-flag"' in card  # overdue task
    assert state_of(busy) == "in_progress"


def test_a_move_records_the_transition_before_the_email_it_sends(client, login, post_form, care):
    ticket = make_ticket()
    login(care["agent"])
    assert move(post_form, ticket, dest="in_progress").status_code == 200
    db.session.expire_all()
    kinds = db.session.scalars(
        select(TicketEvent.kind)
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(TicketEvent.id.desc())
        .limit(2)
    ).all()
    assert kinds == ["email_queued", "transition"]


def test_unknown_or_malformed_ticket_numbers_are_404(client, login, post_form, care):
    login(care["agent"])
    for number in ("LD-99999", "nonsense", "LD-" + "9" * 40, ""):
        response = post_form("/board/move", {"number": number, "dest": "closed"}, htmx=True)
        assert response.status_code == 404


def test_bulk_move_reports_each_ticket_and_keeps_the_successes(client, login, post_form, care):
    tickets = [make_ticket() for _ in range(4)]
    for ticket in tickets[2:]:
        assign_to(ticket, care["other"], None)
    db.session.commit()
    login(care["agent"])
    numbers = [t.number for t in tickets] + ["LD-99999"]
    response = post_form(
        "/board/bulk", {"operation": "move", "dest": "in_progress", "numbers": numbers}, htmx=True
    )
    assert response.status_code == 200
    results = text_of(response)
    for ticket in tickets:
        if ticket.assignee_id == care["agent"].id:
            assert f"✓ Zmieniono: {ticket.number}" in results
            assert state_of(ticket) == "in_progress"
        else:
            assert f"✗ Bez zmian: {ticket.number}: Mogą to zrobić tylko" in results
            assert state_of(ticket) == "assigned"
    assert "LD-99999" in results
    # The columns come back with the response (out of band), so the board shows the result.
    assert '<div id="board-columns" class="board-columns"' in response.get_data(as_text=True)
    # The tickets that did not move stay selected, ready for another try; the moved ones do not.
    html = response.get_data(as_text=True)
    for ticket in tickets:
        box = re.search(rf'<input[^>]*class="card-select"[^>]*value="{ticket.number}"[^>]*>', html)
        assert ("checked" in box.group(0)) == (ticket.assignee_id != care["agent"].id)


def test_bulk_assign_and_label(client, login, post_form, care):
    tickets = [make_ticket(), make_ticket()]
    login(care["agent"])
    numbers = [t.number for t in tickets]
    response = post_form(
        "/board/bulk",
        {"operation": "assign", "assign_to": str(care["other"].id), "numbers": numbers},
        htmx=True,
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert {db.session.get(Ticket, t.id).assignee_id for t in tickets} == {care["other"].id}
    response = post_form(
        "/board/bulk",
        {"operation": "label", "new_label": "  call back ", "numbers": numbers},
        htmx=True,
    )
    assert text_of(response).count("✓") == 2
    labels = db.session.query(TicketLabel).filter_by(name="call back").count()
    assert labels == 2
    # Nothing selected, no action, or an unknown agent: a clear message, nothing changes.
    assert (
        post_form("/board/bulk", {"operation": "assign", "assign_to": "1"}, htmx=True).status_code
        == 422
    )
    for data in (
        {"operation": "fly", "numbers": numbers},
        {"operation": "assign", "assign_to": "999999", "numbers": numbers},
        {"operation": "label", "new_label": "   ", "numbers": numbers},
        {"operation": "move", "dest": "nowhere", "numbers": numbers},
    ):
        response = post_form("/board/bulk", data, htmx=True)
        assert response.status_code == 422
        assert "Wybierz, co zrobić z zaznaczonymi zgłoszeniami." in text_of(response)
