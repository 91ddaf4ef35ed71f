"""Agents read tickets, see why they are routed and due, and move them through the workflow."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.helpers import make_ticket, text_of
from webapp.extensions import db
from webapp.models import Team, TeamMembership, Ticket, utcnow
from webapp.services.sla_clock import on_state_change
from webapp.services.tickets import fire

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def care(app, create_user):
    team = Team(slug="customer-care", name="Customer Care")
    db.session.add_all([team, Team(slug="product-quality", name="Product Quality")])
    agent = create_user(
        email="ola@example.com", name="Ola Nowak", locale="pl", languages=["pl", "en"]
    )
    other = create_user(email="ivan@example.com", name="Ivan Petrov", locale="ru", languages=["ru"])
    for user in (agent, other):
        user.working_hours = {}
        db.session.add(TeamMembership(team=team, user=user))
    db.session.commit()
    return {"agent": agent, "other": other}


def test_ticket_page_explains_routing_sla_and_history_in_polish(client, login, care):
    ticket = make_ticket()
    login(care["agent"])
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "Płatność nie działa" in page
    # The routing decision in Polish: the rule by its name, then what it tests in words.
    assert (
        "Pasuje reguła „Unhappy customers get a fast call back”: "
        "wynik należy do grupy „Krytycy (0–6)”"
    ) in page
    assert "najmniej obciążony (otwarte: 0 z 20)" in page and "mówi w języku: polski" in page
    assert "Pierwsza odpowiedź" in page  # First response clock, in Polish
    assert "Polityka „high”, ponieważ priorytet jest „Wysoki”." in page
    assert "priority = high" not in page and "score.category" not in page
    assert "Rozpocznij pracę" in page  # the transition's Polish label from the definition


def test_legal_move_from_the_ticket_page(client, login, post_form, care):
    ticket = make_ticket()
    login(care["agent"])
    response = post_form(
        f"/tickets/{ticket.number}/move", {"trigger": "start", "version": ticket.version}
    )
    assert response.status_code == 303
    db.session.refresh(ticket)
    assert ticket.state == "in_progress"
    assert "W toku" in text_of(client.get(response.headers["Location"]))


def test_refused_move_says_why_in_the_agents_language(client, login, post_form, care):
    ticket = make_ticket()
    login(care["other"])  # not the assignee
    response = post_form(
        f"/tickets/{ticket.number}/move", {"trigger": "start", "version": ticket.version}
    )
    page = text_of(client.get(response.headers["Location"]))
    assert "Это могут сделать только: администраторы или ответственный." in page
    db.session.refresh(ticket)
    assert ticket.state == "assigned"


def test_stale_move_says_who_moved_it_where(client, login, post_form, care):
    ticket = make_ticket()
    stale_version = ticket.version
    fire(ticket, "start", care["agent"])
    db.session.commit()
    login(care["agent"])
    response = post_form(
        f"/tickets/{ticket.number}/move", {"trigger": "resolve", "version": stale_version}
    )
    page = text_of(client.get(response.headers["Location"]))
    assert "Ola Nowak: przed chwilą zgłoszenie przeniesiono do stanu W toku." in page
    db.session.refresh(ticket)
    assert ticket.state == "in_progress"


def test_customer_text_is_escaped_everywhere(client, login, care):
    ticket = make_ticket(subject=XSS, customer_name=XSS, answers={"comment": XSS})
    login(care["agent"])
    for url in ("/tickets", f"/tickets/{ticket.number}"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html


def test_ticket_list_query_count_does_not_grow_with_rows(client, login, care, count_queries):
    login(care["agent"])
    make_ticket()
    with count_queries() as few:
        assert client.get("/tickets").status_code == 200
    for _ in range(15):
        make_ticket(subject="More")
    with count_queries() as many:
        assert client.get("/tickets").status_code == 200
    assert len(many) == len(few)


def test_unknown_ticket_is_404_and_anonymous_is_sent_to_login(client, login, care):
    assert client.get("/tickets").status_code == 302
    login(care["agent"])
    assert client.get("/tickets/LD-99999").status_code == 404
    assert client.get("/tickets/nonsense").status_code == 404
    assert db.session.scalar(select(Ticket)) is None


def test_customer_panel_words_stored_codes_in_the_agents_language(client, login, care):
    """Channel, device, score category, the form and its questions: no codes for a Polish agent."""
    from webapp.services.forms import install_builtin_forms

    install_builtin_forms()
    db.session.commit()
    ticket = make_ticket(
        channel="widget",
        answers={"score": 2, "what_went_wrong": "Za długo czekałem"},
        metadata={"user_agent": "mobile"},
    )
    login(care["agent"])
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "Kanał Widżet na stronie internetowej" in page
    assert "Formularz Twoja opinia" in page  # the NPS form's Polish title, not "nps"
    assert "NPS 2 (krytyk)" in page
    assert "Urządzenie Telefon" in page
    assert "Dziękujemy za szczerość. Co możemy poprawić? Za długo czekałem" in page
    assert "what_went_wrong" not in page
    # The timeline names the e-mail sent to the assignee, not its template's code.
    assert "(powiadomienie o przypisaniu)" in page and "ticket_assigned" not in page


def test_timeline_names_the_team_and_channel_not_their_codes(client, login, care):
    ticket = make_ticket(channel="widget")
    login(care["agent"])
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "Skierowano do zespołu Customer Care." in page
    assert "(kanał: Widżet na stronie internetowej)" in page


def test_the_ticket_list_searches_and_filters_like_the_board(client, login, care):
    login(care["agent"])
    courier = make_ticket(answers={"nps": 2, "what_went_wrong": "Kurier zgubił paczkę"})
    make_ticket(answers={"nps": 3, "what_went_wrong": "Za drogo"}, customer_locale="en")
    found = text_of(client.get("/tickets?q=kurier"))
    assert courier.number in found and "Za drogo" not in found
    assert text_of(client.get(f"/tickets?q={courier.number}")).count("LD-") >= 1
    # typing in the box: htmx asks for the rows only, and the address bar follows
    rows = client.get("/tickets?q=nic+takiego", headers={"HX-Request": "true"})
    assert "Żadne zgłoszenie nie pasuje do wyszukiwania." in text_of(rows)
    assert "<table" not in rows.get_data(as_text=True)
    only_english = text_of(client.get("/tickets?language=en"))
    assert courier.number not in only_english and "Wyczyść filtry" in only_english


def test_the_list_says_a_stopped_clock_is_paused_not_due_in_a_day(client, login, care):
    """A waiting ticket's reply is not due "za 1 dzień"; a resolved one's is not owed at all."""
    running, waiting, resolved = make_ticket(), make_ticket(), make_ticket()
    for ticket, state in ((waiting, "waiting_on_customer"), (resolved, "resolved")):
        on_state_change(ticket, ticket.state, state, utcnow())
        ticket.state = state
    db.session.commit()
    login(care["agent"])
    rows = {row.split()[0]: row for row in text_of(client.get("/tickets")).split("LD-")[1:]}
    assert "wstrzymano" in rows[waiting.number.removeprefix("LD-")]
    assert "rozwiązano bez odpowiedzi" in rows[resolved.number.removeprefix("LD-")]
    assert "wstrzymano" not in rows[running.number.removeprefix("LD-")]
    # The ticket page says why, and that reopening resumes the clock.
    page = text_of(client.get(f"/tickets/{resolved.number}"))
    assert "Pierwsza odpowiedź: rozwiązano bez odpowiedzi" in page
    assert "Ponowne otwarcie wznawia odliczanie." in page


def test_a_deadline_missed_before_the_wait_stays_overdue_not_paused(client, login, care):
    """A ticket overdue when it went to wait on the customer: the wait does not undo the
    miss. Its page and the list said "wstrzymano" with a due time the pause kept pushing
    back ("4 godziny temu" for a deadline missed days before)."""
    late = make_ticket(created_at=datetime(2025, 1, 9, 9, tzinfo=UTC))
    in_time = make_ticket()
    for ticket in (late, in_time):
        on_state_change(ticket, ticket.state, "waiting_on_customer", utcnow())
        ticket.state = "waiting_on_customer"
    db.session.commit()
    login(care["agent"])
    rows = {row.split()[0]: row for row in text_of(client.get("/tickets")).split("LD-")[1:]}
    assert "Po terminie" in rows[late.number.removeprefix("LD-")]
    assert "wstrzymano" in rows[in_time.number.removeprefix("LD-")]
    page = text_of(client.get(f"/tickets/{late.number}"))
    assert "Pierwsza odpowiedź: po terminie" in page and "Rozwiązanie: po terminie" in page
    assert "wstrzymano" not in page.split("Pierwsza odpowiedź:")[1].split("Skąd ten termin?")[0]
    assert "2025" in page.split("Rozwiązanie: po terminie")[1].split("Skąd ten termin?")[0]
    waiting = text_of(client.get(f"/tickets/{in_time.number}"))
    assert "Pierwsza odpowiedź: wstrzymano" in waiting


def test_the_sla_reason_reads_as_a_slovenian_sentence(client, login, create_user, care):
    """'ker ekipa je …' put the clitic last; the condition follows 'ker velja:' instead."""
    maja = create_user(email="maja@example.com", name="Maja", locale="sl", languages=["sl"])
    ticket = make_ticket()
    login(maja)
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "Pravilnik »high«, ker velja: prioriteta je »Visoka«." in page
    assert "Ujema se pravilo »Unhappy customers get a fast call back«: ocena spada" in page
