"""A reply written while a colleague answered, or the customer wrote again, is held back."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.helpers import make_ticket, text_of
from tests.integration.test_workspace_conversation import add_people
from webapp.extensions import db
from webapp.models import OutboxMessage, TicketEvent
from webapp.services.replies import receive_customer_reply, send_public_reply


@pytest.fixture
def people(app, create_user) -> dict:
    return add_people(create_user)


def _seen(html: str) -> str:
    return re.search(r'id="ws-reply-seen" value="(\d+)"', html).group(1)


def _ola_opens_a_ticket(client, login, people):
    """Ola opens a new ticket's page: the ticket, and the newest message her form knows."""
    ticket = make_ticket()
    login(people["ola"])
    return ticket, _seen(client.get(f"/tickets/{ticket.number}").get_data(as_text=True))


def _replies_sent(text: str) -> int:
    return len(
        [
            e
            for e in db.session.scalars(
                select(TicketEvent).where(TicketEvent.kind == "public_reply")
            )
            if e.data.get("text") == text
        ]
    )


def test_a_colleagues_reply_in_between_holds_mine_back_until_i_have_read_it(
    client, login, post_form, people
):
    ticket, seen = _ola_opens_a_ticket(client, login, people)
    # Bea answers the customer while Ola is still writing.
    send_public_reply(ticket, "Zwrot jest już w drodze.", people["bea"])
    db.session.commit()

    mine = {"text": "Sprawdzę to i odpiszę jutro.", "seen": seen}
    held = post_form(f"/tickets/{ticket.number}/reply", mine)
    assert held.status_code == 422
    page = held.get_data(as_text=True)
    words = text_of(held)
    assert "Podczas pisania odpowiedzi rozmowa potoczyła się dalej" in words
    assert "Zwrot jest już w drodze." in words  # Bea's reply, in the history
    assert "Sprawdzę to i odpiszę jutro." in page  # Ola's text is kept in the box
    assert _replies_sent("Sprawdzę to i odpiszę jutro.") == 0
    e_mails = select(OutboxMessage).where(OutboxMessage.template == "public_reply")
    assert len(db.session.scalars(e_mails).all()) == 1  # Bea's only

    # The page she now has knows Bea's reply: sending again sends.
    again = post_form(f"/tickets/{ticket.number}/reply", {**mine, "seen": _seen(page)})
    assert again.status_code == 303
    assert _replies_sent("Sprawdzę to i odpiszę jutro.") == 1


def test_the_customer_writing_again_holds_a_reply_back_too(client, login, post_form, people):
    ticket, seen = _ola_opens_a_ticket(client, login, people)
    receive_customer_reply(ticket, "Już nieaktualne, znalazłem paczkę u sąsiada.")
    db.session.commit()
    held = post_form(
        f"/tickets/{ticket.number}/reply", {"text": "Wysyłamy nową paczkę.", "seen": seen}
    )
    assert held.status_code == 422
    assert "znalazłem paczkę u sąsiada" in text_of(held)
    assert _replies_sent("Wysyłamy nową paczkę.") == 0


def test_with_htmx_the_reply_and_the_history_are_redrawn(client, login, post_form, people):
    ticket, seen = _ola_opens_a_ticket(client, login, people)
    send_public_reply(ticket, "Już odpisałam.", people["bea"])
    db.session.commit()
    held = post_form(
        f"/tickets/{ticket.number}/reply", {"text": "Ja też.", "seen": seen}, htmx=True
    )
    assert held.status_code == 422
    html = held.get_data(as_text=True)
    assert 'id="ws-reply"' in html and 'id="ws-timeline"' in html
    assert "Już odpisałam." in html and "Ja też." in html


def test_my_own_earlier_reply_and_a_form_without_the_marker_send_as_before(
    client, login, post_form, people
):
    ticket, seen = _ola_opens_a_ticket(client, login, people)
    # In another tab Ola already answered once: that is not news to her.
    assert post_form(f"/tickets/{ticket.number}/reply", {"text": "Pierwsza."}).status_code == 303
    assert (
        post_form(f"/tickets/{ticket.number}/reply", {"text": "Druga.", "seen": seen}).status_code
        == 303
    )
    assert _replies_sent("Druga.") == 1


def test_a_preview_or_an_empty_send_does_not_count_as_reading_the_news(
    client, login, post_form, people
):
    ticket, seen = _ola_opens_a_ticket(client, login, people)
    send_public_reply(ticket, "Już odpisałam.", people["bea"])
    db.session.commit()
    # A preview redraws the form, not the history: the form still carries what Ola had
    # seen, so her reply is still held back after it.
    preview = post_form(
        f"/tickets/{ticket.number}/reply/preview", {"text": "Ja też.", "seen": seen}, htmx=True
    )
    assert _seen(preview.get_data(as_text=True)) == seen
    held = post_form(
        f"/tickets/{ticket.number}/reply", {"text": "Ja też.", "seen": seen}, htmx=True
    )
    assert held.status_code == 422 and _replies_sent("Ja też.") == 0
    # Another refusal (an empty reply) keeps the marker too, when nothing new came in.
    fresh = _seen(held.get_data(as_text=True))
    empty = post_form(f"/tickets/{ticket.number}/reply", {"text": " ", "seen": fresh}, htmx=True)
    assert empty.status_code == 422 and _seen(empty.get_data(as_text=True)) == fresh


def test_the_conversation_panel_holds_the_replies_both_ways_in_order(
    client, login, post_form, people
):
    """After the form's answers, the agents' replies and the customer's, oldest first: the
    conversation as one thread, not scattered through the history."""
    ticket, _seen_first = _ola_opens_a_ticket(client, login, people)
    send_public_reply(ticket, "Sprawdzamy zamówienie.", people["bea"])
    receive_customer_reply(ticket, "Dziękuję, numer to 4471.")
    db.session.commit()
    seen = _seen(client.get(f"/tickets/{ticket.number}").get_data(as_text=True))
    sent = post_form(
        f"/tickets/{ticket.number}/reply", {"text": "Paczka wyszła dziś.", "seen": seen}, htmx=True
    )
    # The reply's answer redraws the panel too, with the new reply at its end.
    html = sent.get_data(as_text=True)
    panel = re.search(r'<section id="ws-conversation".*?</section>', html, re.S).group(0)
    words = " ".join(re.sub(r"<[^>]+>", " ", panel).split())
    assert "Odpowiedzi" in words
    first, second, third = (
        words.index("Sprawdzamy zamówienie."),
        words.index("Dziękuję, numer to 4471."),
        words.index("Paczka wyszła dziś."),
    )
    assert first < second < third
    assert "Bea Brown" in words and "na stronie statusu" in words
