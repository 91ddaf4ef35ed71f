"""Several responses the form's rule let pass, ticked on the Responses page and followed up
in one step: a ticket for each, routed and on the SLA clock as for one; a response that
cannot have one (it has a ticket already, unfinished, spam) is skipped, and the admin is
told which and why. Admins only, as the Responses page itself."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.helpers import completed_response, csrf_token, make_ticket, text_of
from webapp.extensions import db
from webapp.models import BlockedSender, OutboxMessage, Response, Ticket, TicketEvent

URL = "/admin/forms/nps/responses/tickets"


def _responses(*answers: dict, done: bool = True) -> list[Response]:
    for given in answers:
        completed_response("nps", given, done=done)
    return db.session.scalars(select(Response).order_by(Response.id.desc())).all()[: len(answers)][
        ::-1
    ]


def _open(client, ids: list[int], **data):
    form = {"csrf_token": csrf_token(client.application, client), "response": ids, **data}
    return client.post(URL, data=form)


def test_ticked_responses_become_tickets_in_one_step_and_one_with_a_ticket_is_skipped(
    client, login, builtin_forms, admin
):
    ewa, ola, had = _responses(
        {"score": 8, "what_went_wrong": "Dodajcie BLIK.", "email": "ewa@example.pl"},
        {"score": 7, "what_went_wrong": "Wolna strona."},
        {"score": 8},
    )
    earlier = make_ticket(customer_email="had@example.pl")
    had.ticket_id = earlier.id
    db.session.commit()
    login(admin)
    page = client.get("/admin/forms/nps/responses").get_data(as_text=True)
    assert "Open tickets for the ticked responses" in page
    boxes = re.findall(r'<input type="checkbox" name="response" value="(\d+)" form="([^"]+)"', page)
    # Only the responses without a ticket can be ticked; the boxes belong to the step's form.
    assert sorted(int(i) for i, _form in boxes) == sorted([ewa.id, ola.id])
    assert {f for _i, f in boxes} == {"responses-tickets"}
    assert '<form id="responses-tickets" method="post"' in page

    done = _open(client, [ewa.id, ola.id, had.id], tell_customer="1")
    assert done.status_code == 303
    assert done.headers["Location"].endswith("/admin/forms/nps/responses")
    db.session.expire_all()
    tickets = db.session.scalars(
        select(Ticket).where(Ticket.id != earlier.id).order_by(Ticket.id)
    ).all()
    assert [t.subject for t in tickets] == ["Dodajcie BLIK.", "Wolna strona."]
    assert all(t.first_response_due_at is not None and t.team_id for t in tickets)  # routed, SLA
    assert [db.session.get(Response, r.id).ticket_id for r in (ewa, ola, had)] == [
        tickets[0].id,
        tickets[1].id,
        earlier.id,
    ]
    opened = db.session.scalars(
        select(TicketEvent.ticket_id).where(TicketEvent.kind == "opened_from_response")
    ).all()
    assert sorted(opened) == [t.id for t in tickets]
    told = db.session.scalars(
        select(OutboxMessage.to_address).where(OutboxMessage.template == "ticket_confirmation")
    ).all()
    assert told == ["ewa@example.pl"]  # the one who gave an address

    said = text_of(client.get(done.headers["Location"]))
    numbers = f"{tickets[0].number}, {tickets[1].number}"
    assert f"2 tickets were opened: {numbers}. 1 customer was told by e-mail." in said
    assert f"1 response was skipped: it has a ticket already ({earlier.number})." in said

    # The same step again (an old page, or a colleague was quicker): nothing twice.
    again = _open(client, [ewa.id, ola.id])
    said = text_of(client.get(again.headers["Location"]))
    assert f"2 responses were skipped: they have a ticket already ({numbers})." in said
    assert db.session.query(Ticket).count() == 3


WORDS = {
    "pl": (
        "Otwórz zgłoszenia dla zaznaczonych odpowiedzi",
        "Otwarto 1 zgłoszenie: {number}.",
        "Pominięto 2 odpowiedzi: zgłoszeniem może stać się tylko ukończona odpowiedź.",
        "Pominięto 1 odpowiedź: oznaczono ją jako spam (albo jej nadawca jest zablokowany).",
    ),
    "ru": (
        "Открыть обращения по отмеченным ответам",
        "Открыто 1 обращение: {number}.",
        "Пропущено 2 ответа: обращением может стать только завершённый ответ.",
        "Пропущен 1 ответ: он помечен как спам (или его отправитель заблокирован).",
    ),
    "sl": (
        "Odpri zahtevke za označene odgovore",
        "Odprt je 1 zahtevek: {number}.",
        "Izpuščena sta 2 odgovora: zahtevek lahko postane le dokončan odgovor.",
        "Izpuščen je 1 odgovor: označen je kot neželena pošta (ali pa je njegov pošiljatelj"
        " blokiran).",
    ),
    "en": (
        "Open tickets for the ticked responses",
        "1 ticket was opened: {number}.",
        "2 responses were skipped: only a completed response can become a ticket.",
        "1 response was skipped: it was marked as spam (or its sender is blocked).",
    ),
}


@pytest.mark.parametrize("locale", sorted(WORDS))
def test_what_was_skipped_and_why_in_the_admins_language(
    client, login, create_user, builtin_forms, locale
):
    """A blocked sender's response in the middle is refused alone: the one before it keeps
    its ticket (each response its own transaction), and no mail goes to the spammer."""
    from webapp.models import Role

    good, spam = _responses({"score": 8}, {"score": 8, "email": "bot@spam.example"})
    first, second = _responses({"score": 7}, {"score": 6}, done=False)
    db.session.add(BlockedSender(email="bot@spam.example", note="known"))
    db.session.commit()
    admin = create_user(email=f"a-{locale}@example.com", role=Role.ADMIN, locale=locale)
    login(admin)
    button, opened, unfinished, spammed = WORDS[locale]
    assert button in text_of(client.get("/admin/forms/nps/responses"))

    done = _open(client, [first.id, good.id, spam.id, second.id], tell_customer="1")
    said = text_of(client.get(done.headers["Location"]))
    ticket = db.session.scalar(select(Ticket))
    assert opened.format(number=ticket.number) in said, said
    assert unfinished in said and spammed in said
    assert db.session.query(Ticket).count() == 1
    spammer = select(OutboxMessage).where(OutboxMessage.to_address == "bot@spam.example")
    assert db.session.scalar(spammer) is None


def test_only_admins_with_the_pages_token_and_this_forms_responses(
    app, client, login, post_form, builtin_forms, admin
):
    (passive,) = _responses({"score": 8})
    agent = builtin_forms
    login(agent)
    assert _open(client, [passive.id]).status_code == 403  # as the Responses page itself
    post_form("/logout")
    login(admin)
    assert client.post(URL, data={"response": [passive.id]}).status_code == 400  # no CSRF
    # Another form's response (an id typed into the request) is no response of this form.
    completed_response("csat", {"csat": 2})
    other = db.session.scalar(select(Response).order_by(Response.id.desc()))
    refused = client.post(
        "/admin/forms/nps/responses/tickets",
        data={"csrf_token": csrf_token(app, client), "response": [other.id, "x", ""]},
    )
    assert "Tick the responses to open tickets for." in text_of(
        client.get(refused.headers["Location"])
    )
    too_many = _open(client, list(range(1, 60)))
    assert "At most 50 responses at a time: tick fewer." in text_of(
        client.get(too_many.headers["Location"])
    )
    assert db.session.query(Ticket).count() == 0


def test_the_filters_stay_and_the_responses_are_read_once(
    app, client, login, builtin_forms, admin, count_queries
):
    """Back to the same filtered list; the ticked responses are read in one query, and each
    further response costs the same: its ticket, never a read of the others."""
    responses = _responses(*({"score": 8} for _ in range(5)))
    login(admin)
    done = client.post(
        URL,
        data={
            "csrf_token": csrf_token(app, client),
            "response": [responses[0].id],
            "group": "passive",
            "status": "completed",
        },
    )
    assert done.headers["Location"].endswith(
        "/admin/forms/nps/responses?status=completed&group=passive"
    )

    def cost(ids: list[int]) -> list[str]:
        db.session.expire_all()
        with count_queries() as statements:
            _open(client, ids)
        return [s for s in statements if "FROM form_response" in s]

    # One read of the ticked responses, and one per response once its transaction before
    # committed (the session forgets what it read): never more per response.
    one, three = cost([responses[1].id]), cost([r.id for r in responses[2:]])
    assert len(one) == 1 and len(three) == 3, three
    assert "form_response.id IN" in three[0]
    assert db.session.query(Ticket).count() == 5
