""" "Send and …": the reply box offers the moves the agent may make once the reply is sent,
including "Wait for customer", which the default lifecycle allows only after a reply. The
reply goes first; a move the workflow refuses never holds it back."""

from __future__ import annotations

import pytest

from tests.helpers import make_ticket, text_of
from tests.integration.test_workspace_conversation import add_people, field_attrs
from webapp.extensions import db
from webapp.models import CannedReply, Ticket
from webapp.services.tickets import fire


@pytest.fixture
def people(app, create_user) -> dict:
    return add_people(create_user)


def _in_progress(people) -> Ticket:
    ticket = make_ticket()
    fire(ticket, "start", people["ola"])
    db.session.commit()
    return ticket


def test_the_reply_box_offers_waiting_for_the_customer_before_any_reply(client, login, people):
    ticket = _in_progress(people)
    login(people["ola"])
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert field_attrs(page, "ws-reply-then")["name"] == "then"
    box = page[
        page.index('id="ws-reply-then"') : page.index("</select>", page.index('id="ws-reply-then"'))
    ]
    assert 'value="ask_customer">Czekaj na klienta<' in box  # its guard: a reply first
    assert "Zachowaj status: W toku" in box


def test_send_and_wait_for_the_customer(client, login, post_form, people):
    ticket = _in_progress(people)
    login(people["ola"])
    sent = post_form(
        f"/tickets/{ticket.number}/reply",
        {"text": "Prosimy o numer zamówienia.", "then": "ask_customer"},
    )
    assert sent.status_code == 303
    db.session.expire_all()
    moved = db.session.get(Ticket, ticket.id)
    assert moved.state == "waiting_on_customer" and moved.public_reply_count == 1
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    assert f"Zgłoszenie {ticket.number} ma teraz stan: Czeka na klienta." in page


def test_a_refused_move_still_sends_the_reply_and_says_why(client, login, post_form, people):
    ticket = _in_progress(people)
    login(people["ola"])
    sent = post_form(
        f"/tickets/{ticket.number}/reply", {"text": "Już sprawdzamy.", "then": "reopen"}
    )
    assert sent.status_code == 303
    db.session.expire_all()
    kept = db.session.get(Ticket, ticket.id)
    assert kept.public_reply_count == 1 and kept.state == "in_progress"
    assert "Zgłoszenie nie zmieniło statusu:" in text_of(client.get(f"/tickets/{ticket.number}"))


def test_a_preview_keeps_the_chosen_move(client, login, post_form, people):
    ticket = _in_progress(people)
    login(people["ola"])
    preview = post_form(
        f"/tickets/{ticket.number}/reply/preview", {"text": "Dzień dobry {name}", "then": "resolve"}
    )
    page = preview.get_data(as_text=True)
    assert '<option value="resolve" selected>' in page


def test_a_template_keeps_the_chosen_move(client, login, people):
    """Picking a template redraws the reply box; the step chosen for after sending stays."""
    ticket = _in_progress(people)
    fixed = CannedReply(title="Naprawione", locale="pl", body="Naprawione, {name}.")
    db.session.add(fixed)
    db.session.commit()
    login(people["ola"])
    page = client.get(
        f"/tickets/{ticket.number}/reply?canned={fixed.id}&text=Witam&then=resolve",
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert "Witam\n\nNaprawione, {name}." in page
    assert _chosen(page) == "resolve"


def _chosen(page: str) -> str:
    box = page[
        page.index('id="ws-reply-then"') : page.index("</select>", page.index('id="ws-reply-then"'))
    ]
    found = [part.split('"')[1] for part in box.split("<option")[1:] if " selected>" in part]
    return found[0] if found else ""


def test_the_reply_box_offers_first_what_the_agent_chose_last_time(
    client, login, post_form, people
):
    """An agent who always waits for the customer after asking need not pick it every time."""
    first, second = _in_progress(people), _in_progress(people)
    login(people["ola"])
    assert _chosen(client.get(f"/tickets/{first.number}").get_data(as_text=True)) == ""
    post_form(
        f"/tickets/{first.number}/reply", {"text": "Numer zamówienia?", "then": "ask_customer"}
    )
    page = client.get(f"/tickets/{second.number}").get_data(as_text=True)
    assert _chosen(page) == "ask_customer"  # on the next ticket, ready

    post_form(f"/tickets/{second.number}/reply", {"text": "Sprawdzamy.", "then": ""})
    third = _in_progress(people)
    assert _chosen(client.get(f"/tickets/{third.number}").get_data(as_text=True)) == ""
    # Someone else's choice is theirs: Ivan still starts from keeping the status.
    post_form("/logout")
    login(people["ivan"])
    assert _chosen(client.get(f"/tickets/{third.number}").get_data(as_text=True)) == ""
