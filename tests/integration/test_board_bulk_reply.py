"""Closing the loop with many customers at once: one click on the board replies to each
selected ticket's customer with the template of their language."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.helpers import text_of
from tests.integration.test_board import make_ticket, seed_care
from webapp.extensions import db
from webapp.models import CannedReply, OutboxMessage, Ticket, TicketEvent


@pytest.fixture
def care(app, create_user) -> dict:
    return seed_care(create_user)


@pytest.fixture
def templates(app) -> dict[str, CannedReply]:
    chosen = {
        "pl": CannedReply(
            title="Naprawione", locale="pl", body="Dzień dobry {name}, naprawiliśmy płatności."
        ),
        "ru": CannedReply(
            title="Исправлено", locale="ru", body="Здравствуйте, {name}! Оплата снова работает."
        ),
        "sl": CannedReply(title="Popravljeno", locale="sl", body="Plačila spet delujejo."),
    }
    db.session.add_all(chosen.values())
    db.session.add(CannedReply(title="Old", locale="pl", body="Nieaktualne", active=False))
    db.session.commit()
    return chosen


def _reply(post_form, numbers, **chosen):
    data = {"operation": "reply", "numbers": numbers, "nonce": "a" * 32}
    data.update({f"canned_{locale}": str(c.id) for locale, c in chosen.items()})
    return post_form("/board/bulk", data, htmx=True)


def _replies(ticket: Ticket) -> list[str]:
    return [
        e.data["text"]
        for e in db.session.scalars(
            select(TicketEvent).where(
                TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "public_reply"
            )
        )
    ]


def test_each_customer_gets_the_template_of_their_language_filled_in(
    client, login, post_form, care, templates
):
    jan = make_ticket(customer_name="Jan", customer_email="jan@example.pl")
    olga = make_ticket(
        customer_name="Ольга", customer_email="olga@example.ru", customer_locale="ru"
    )
    login(care["agent"])
    response = _reply(post_form, [jan.number, olga.number], pl=templates["pl"], ru=templates["ru"])
    assert response.status_code == 200
    assert text_of(response).count("✓") == 2
    assert _replies(jan) == ["Dzień dobry Jan, naprawiliśmy płatności."]
    assert _replies(olga) == ["Здравствуйте, Ольга! Оплата снова работает."]
    mail = {
        m.to_address: m.body_text
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "public_reply")
        )
    }
    assert "naprawiliśmy płatności" in mail["jan@example.pl"]
    assert "Оплата снова работает" in mail["olga@example.ru"]
    db.session.expire_all()
    assert db.session.get(Ticket, jan.id).first_response_at is not None  # the clock stopped


def test_a_language_without_a_template_is_skipped_and_said_so(
    client, login, post_form, care, templates
):
    jan = make_ticket()
    maja = make_ticket(customer_name="Maja", customer_email="maja@example.si", customer_locale="sl")
    login(care["agent"])
    response = _reply(post_form, [jan.number, maja.number], pl=templates["pl"])
    words = text_of(response)
    assert f"✓ Zmieniono: {jan.number}" in words
    refusal = "Nie wybrano szablonu w języku klienta (słoweński)."  # lower case mid-sentence
    assert f"✗ Bez zmian: {maja.number}: {refusal}" in words
    assert _replies(maja) == []


def test_a_second_click_sends_nothing_twice(client, login, post_form, care, templates):
    jan = make_ticket()
    login(care["agent"])
    _reply(post_form, [jan.number], pl=templates["pl"])
    again = _reply(post_form, [jan.number], pl=templates["pl"])
    assert "Ta odpowiedź została już wysłana." in text_of(again)
    assert len(_replies(jan)) == 1


def test_no_template_chosen_or_an_inactive_or_wrong_language_one_is_refused(
    client, login, post_form, care, templates
):
    jan = make_ticket()
    inactive = db.session.scalar(select(CannedReply).where(CannedReply.active.is_(False)))
    login(care["agent"])
    for chosen in ({}, {"pl": inactive}, {"pl": templates["ru"]}):
        response = _reply(post_form, [jan.number], **chosen)
        assert response.status_code == 422
        assert "Wybierz szablon odpowiedzi dla co najmniej jednego języka." in text_of(response)
    assert _replies(jan) == []


def test_the_board_offers_the_active_templates_per_language(client, login, care, templates):
    login(care["agent"])
    page = client.get("/board").get_data(as_text=True)
    bar = page[page.index('id="bulk-form"') : page.index("</form>", page.index('id="bulk-form"'))]
    assert 'name="canned_pl"' in bar and "Naprawione" in bar and "Nieaktualne" not in bar
    assert 'name="canned_ru"' in bar and 'name="canned_sl"' in bar and 'name="canned_en"' not in bar
    assert "hx-confirm" in bar
    # Inside a label's sentence a Polish language name is written in lower case.
    assert "Szablon, język: słoweński" in bar and "Słoweński" not in bar


def test_the_preview_shows_what_each_language_s_customers_get_before_sending(
    client, login, post_form, care, templates
):
    jan = make_ticket(customer_name="Jan", customer_email="jan@example.pl")
    make_ticket(customer_name="Ewa", customer_email="ewa@example.pl")
    olga = make_ticket(
        customer_name="Ольга", customer_email="olga@example.ru", customer_locale="ru"
    )
    login(care["agent"])
    numbers = [jan.number, olga.number, "LD-999999", "<b>"]
    data = {"numbers": numbers, "canned_pl": str(templates["pl"].id)}
    preview = post_form("/board/bulk/reply-preview", data, htmx=True)
    assert preview.status_code == 200
    said = text_of(preview)
    assert "Polski · 1 zaznaczone zgłoszenie" in said  # Ola reads Polish
    assert f"Tak przeczyta to klient zgłoszenia {jan.number}: Dzień dobry Jan, naprawiliśmy" in said
    assert "Rosyjski · 1 zaznaczone zgłoszenie" in said
    assert "Nie wybrano szablonu dla tego języka: ci klienci nie dostaną odpowiedzi." in said
    assert _replies(jan) == [] and _replies(olga) == []  # nothing was sent
    empty = post_form("/board/bulk/reply-preview", {}, htmx=True)
    assert "Zaznacz zgłoszenia, aby zobaczyć, co dostaną ich klienci." in text_of(empty)


def test_the_preview_does_not_show_another_team_s_tickets(
    client, login, post_form, care, templates, create_user
):
    from webapp.models import TicketAccess

    outsider = create_user(email="out@example.com", name="Out")
    outsider.ticket_access = TicketAccess.TEAMS
    db.session.commit()
    jan = make_ticket(customer_name="Jan", customer_email="jan@example.pl")
    login(outsider)
    data = {"numbers": [jan.number], "canned_pl": str(templates["pl"].id)}
    said = text_of(post_form("/board/bulk/reply-preview", data, htmx=True))
    assert "Jan" not in said and jan.number not in said
