"""Agents see tickets as cards in lifecycle columns, filter them, save views, and stay live."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers import make_ticket, text_of
from webapp.extensions import db
from webapp.models import SavedView, Team, TeamMembership, Ticket
from webapp.services import board as board_service
from webapp.services.board import BoardFilters, change_fingerprint
from webapp.services.forms import install_builtin_forms, publish_form
from webapp.services.replies import send_public_reply
from webapp.services.tickets import (
    add_label,
    add_search_text,
    create_task,
    fire,
)

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
HTMX = {"HX-Request": "true"}


def seed_care(create_user) -> dict:
    """Two teams; Ola (Polish) and Ivan (Russian) on customer care, always on duty."""
    team = Team(slug="customer-care", name="Customer Care")
    db.session.add_all([team, Team(slug="product-quality", name="Product Quality")])
    agent = create_user(
        email="ola@example.com", name="Ola Nowak", locale="pl", languages=["pl", "en"]
    )
    other = create_user(email="ivan@example.com", name="Ivan Petrov", locale="ru", languages=["ru"])
    for user in (agent, other):
        user.working_hours = {}
        user.capacity = 1000  # everything gets assigned: columns do not depend on load
        db.session.add(TeamMembership(team=team, user=user))
    db.session.commit()
    return {"agent": agent, "other": other, "team": team}


@pytest.fixture
def care(app, create_user) -> dict:
    return seed_care(create_user)


def passive(**fields) -> Ticket:
    """A passive customer's ticket: default routing (normal priority, round robin)."""
    base = {"answers": {"nps": 8}, "score": {"type": "nps", "value": 8, "category": "passive"}}
    return make_ticket(**{**base, **fields})


@pytest.fixture
def switch_to(login, post_form):
    """Log out whoever is logged in, then log `user` in."""

    def switch(user):
        post_form("/logout")
        return login(user)

    return switch


def card_numbers(response) -> set[str]:
    return set(re.findall(r'id="card-(LD-\d+)"', response.get_data(as_text=True)))


def test_columns_are_the_workflow_states_in_the_agents_language(client, login, care):
    ticket = make_ticket()
    login(care["agent"])
    response = client.get("/board")
    assert response.status_code == 200
    page = text_of(response)
    for label in ("Nowe", "Przypisane", "W toku", "Czeka na klienta", "Rozwiązane", "Zamknięte"):
        assert label in page
    html = response.get_data(as_text=True)
    assert re.search(r'id="count-assigned"[^>]*>\s*1\s*<', html)
    assert re.search(r'id="count-new"[^>]*>\s*0\s*<', html)
    card = html[html.index(f'id="card-{ticket.number}"') :]
    assert "Płatność nie działa" in card
    assert 'class="score score-bad">NPS 2<' in card  # detractor: red
    assert ">PL</abbr>" in card and 'title="Polski"' in card
    assert 'class="avatar small" title="Ola Nowak">ON<' in card  # least loaded: Ola (first)
    assert "<li>detractor</li>" in card
    assert "sla-badge sla-ok" in card
    assert 'data-dests="in_progress resolved"' in card  # Ola is the assignee


def test_card_menu_lists_only_allowed_moves(client, login, switch_to, care):
    ticket = make_ticket()
    login(care["other"])  # not the assignee: start and resolve are the assignee's
    html = client.get("/board").get_data(as_text=True)
    card = html[html.index(f'id="card-{ticket.number}"') :].split("</li>\n<li", 1)[0]
    assert 'data-dests=""' in card
    assert 'class="card-menu"' not in card.split('id="card-', 2)[1]
    switch_to(care["agent"])
    html = client.get("/board").get_data(as_text=True)
    menu = html[html.index(f'id="card-{ticket.number}"') :]
    assert "Rozpocznij pracę → W toku" in menu and "Rozwiąż → Rozwiązane" in menu


def test_score_badges_follow_nps_and_csat_categories(client, login, care):
    csat_low = passive(score={"type": "csat", "value": 2, "category": "unsatisfied"})
    csat_mid = passive(score={"type": "csat", "value": 3, "category": "neutral"})
    promoter = passive(score={"type": "nps", "value": 10, "category": "promoter"})
    login(care["agent"])
    html = client.get("/board").get_data(as_text=True)

    def badge(ticket):
        card = html[html.index(f'id="card-{ticket.number}"') :]
        return re.search(r'class="score score-(\w+)">([^<]*)<', card).groups()

    assert badge(csat_low) == ("bad", "CSAT 2")
    assert badge(csat_mid) == ("warn", "CSAT 3")
    assert badge(promoter) == ("good", "NPS 10")


def test_sla_badge_turns_amber_then_red_and_tasks_flag_when_overdue(client, login, care):
    warned, breached = make_ticket(), make_ticket()
    now = datetime.now(UTC)
    warned.first_response_warned_at = now
    breached.first_response_due_at = now - timedelta(hours=2)
    create_task(
        breached, "Call the courier", care["other"], care["agent"], due_at=now - timedelta(hours=1)
    )
    db.session.commit()
    login(care["agent"])
    html = client.get("/board").get_data(as_text=True)
    warned_card = html[html.index(f'id="card-{warned.number}"') :]
    breached_card = html[html.index(f'id="card-{breached.number}"') :]
    assert warned_card.startswith(f'id="card-{warned.number}"')
    assert 'class="board-card sla-warned"' in html
    assert "sla-badge sla-breached" in breached_card.split("</li>\n", 1)[0]
    assert "2 godziny temu" in breached_card  # Babel, in Polish
    assert "task-flag" in breached_card.split('class="card-menu"', 1)[0]
    assert "task-flag" not in warned_card.split('class="card-menu"', 1)[0]


@pytest.fixture
def mixed(care, create_user):
    """Tickets that differ in exactly one filtered property each."""
    quality = db.session.query(Team).filter_by(slug="product-quality").one()
    maja = create_user(email="maja@example.com", name="Maja", locale="sl", languages=["sl"])
    maja.working_hours = {}
    db.session.add(TeamMembership(team=quality, user=maja))
    db.session.commit()
    tickets = {
        "detractor": make_ticket(subject="Refund please", answers={"comment": "Parcel was wet"}),
        "slovenian": passive(subject="Pozdravljeni", customer_locale="sl", form_slug="csat"),
        "old": passive(
            subject="Old one", created_at=datetime(2025, 1, 10, 12, tzinfo=UTC), form_slug="csat"
        ),
    }
    unassigned = passive(subject="Nobody's")
    unassigned.assignee_id = None
    unassigned.assignee = None
    add_label(unassigned, "VIP", None)
    add_search_text(unassigned, "internal note: courier lost it")
    db.session.commit()
    tickets["unassigned"] = unassigned
    return tickets


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"detractor", "slovenian", "old", "unassigned"}),
        ("team=product-quality", {"slovenian"}),
        # A team that does not exist (any more): test_board_deleted_team.py
        ("assignee=none", {"unassigned"}),
        ("priority=high", {"detractor"}),
        ("label=vip", {"unassigned"}),
        ("language=sl", {"slovenian"}),
        ("form=csat", {"slovenian", "old"}),
        ("from=2025-01-01&to=2025-01-31", {"old"}),
        ("from=2025-02-01", {"detractor", "slovenian", "unassigned"}),
        ("q=WET", {"detractor"}),  # an answer, case-insensitive
        ("q=courier+lost", {"unassigned"}),  # an internal note
        ("q=100%25", set()),  # LIKE wildcards are literal
        ("sla=ok", {"detractor", "slovenian", "unassigned"}),
        ("sla=breached", {"old"}),  # created last year: both clocks long past due
        ("sla=warned", set()),
        # Nonsense is ignored, never an error.
        ("priority=extreme&sla=soon&from=yesterday&assignee=x'--", None),
        ("from=0001-01-01&to=9999-12-31&team=%00&language=%F0%9F%92%A9&form=%00", None),
        ("q=" + "x" * 5000, set()),
    ],
)
def test_each_filter_narrows_the_board(client, login, care, mixed, query, expected):
    login(care["agent"])
    response = client.get(f"/board?{query}")
    assert response.status_code == 200
    shown = {name for name, t in mixed.items() if t.number in card_numbers(response)}
    assert shown == (expected if expected is not None else set(mixed))


def test_sla_filter_leaves_out_tickets_whose_clocks_are_paused(client, login, care, mixed):
    """An overdue ticket waiting on its customer, or resolved, has no running clock: the
    breached filter shows it in no column, counts it nowhere, and its column pages empty."""
    waiting, resolved = mixed["old"], make_ticket(created_at=datetime(2025, 1, 9, tzinfo=UTC))
    fire(waiting, "start", care["agent"])
    send_public_reply(waiting, "Which parcel was it?", care["agent"])
    fire(waiting, "ask_customer", care["agent"])
    fire(resolved, "start", care["agent"])
    fire(resolved, "resolve", care["agent"])
    db.session.commit()
    login(care["agent"])
    html = client.get("/board?sla=breached").get_data(as_text=True)
    assert not {waiting.number, resolved.number} & set(re.findall(r'id="card-(LD-\d+)"', html))
    for state in ("waiting_on_customer", "resolved", "closed"):
        assert re.search(rf'id="count-{state}"[^>]*>\s*0\s*<', html), state
    page = client.get("/board/columns/waiting_on_customer?sla=breached", headers=HTMX)
    assert page.status_code == 200 and waiting.number not in page.get_data(as_text=True)
    # Without the filter both are on the board, in their columns: the waiting card says its
    # clock is paused; the resolved one owes nothing, so it has no SLA badge at all.
    board = client.get("/board").get_data(as_text=True)
    assert {waiting.number, resolved.number} <= card_numbers(client.get("/board"))
    cards = dict(re.findall(r'id="card-(LD-\d+)"(.*?)</li>', board, re.S))
    assert "sla-badge sla-paused" in cards[waiting.number]
    assert "sla-badge" not in cards[resolved.number]


def test_assignee_filter_me_and_by_id(client, login, care, mixed):
    login(care["agent"])
    mine = {t.number for t in mixed.values() if t.assignee_id == care["agent"].id}
    assert card_numbers(client.get("/board?assignee=me")) == mine
    other = {t.number for t in mixed.values() if t.assignee_id == care["other"].id}
    assert card_numbers(client.get(f"/board?assignee={care['other'].id}")) == other


def test_sla_filter_matches_the_badges(client, login, care):
    ok, warned, breached, paused = (make_ticket() for _ in range(4))
    now = datetime.now(UTC)
    warned.first_response_warn_at = now - timedelta(minutes=1)
    breached.resolution_breached_at = now
    paused.sla_paused_since = now
    db.session.commit()
    login(care["agent"])
    for status, ticket in (("ok", ok), ("warned", warned), ("breached", breached)):
        response = client.get(f"/board?sla={status}")
        assert card_numbers(response) == {ticket.number}
        html = response.get_data(as_text=True)
        assert f"sla-badge sla-{status}" in html


def test_filter_change_by_htmx_swaps_columns_and_pushes_a_clean_url(client, login, care, mixed):
    login(care["agent"])
    response = client.get("/board?team=&priority=high&q=&sla=", headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="board-columns"')
    assert "<html" not in html
    assert response.headers["HX-Push-Url"] == "/board?priority=high"
    assert "HX-Request" in response.headers["Vary"]
    history = client.get(
        "/board?priority=high", headers={**HTMX, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in history.get_data(as_text=True)


def test_columns_load_a_first_page_then_more_on_scroll(client, login, care):
    page = board_service.PAGE_SIZE
    tickets = [passive(subject=f"Ticket {i}") for i in range(page + 5)]
    login(care["agent"])
    html = client.get("/board").get_data(as_text=True)
    newest = [t.number for t in reversed(tickets)]
    assert [n for n in re.findall(r'id="card-(LD-\d+)"', html)] == newest[:page]
    more = re.search(r'<li class="board-more" hx-get="([^"]+)" hx-trigger="intersect once"', html)
    assert more
    url = more.group(1).replace("&amp;", "&")
    assert f"before={tickets[5].id}" in url
    rest = client.get(url, headers=HTMX)
    assert re.findall(r'id="card-(LD-\d+)"', rest.get_data(as_text=True)) == newest[page:]
    assert "board-more" not in rest.get_data(as_text=True)
    assert client.get("/board/columns/nonsense", headers=HTMX).status_code == 404
    assert client.get("/board/columns/assigned?before=abc", headers=HTMX).status_code == 200


def test_board_query_count_does_not_grow_with_tickets(client, login, care, count_queries):
    login(care["agent"])
    for _ in range(5):
        make_ticket(subject="More")  # the filtered board shows cards both times
    create_task(Ticket.query.first(), "Check", care["other"], care["agent"])
    db.session.commit()
    client.get("/board")  # warm caches (compiled workflow, active version)
    filters = "/board?q=more&label=detractor&sla=ok"
    with count_queries() as few:
        assert client.get("/board").status_code == 200
    with count_queries() as few_filtered:
        assert client.get(filters).status_code == 200
    for _ in range(35):
        make_ticket(subject="More")
    with count_queries() as many:
        assert client.get("/board").status_code == 200
    assert len(many) == len(few), "\n".join(many)
    with count_queries() as many_filtered:
        assert client.get(filters).status_code == 200
    assert len(many_filtered) == len(few_filtered), "\n".join(many_filtered)
    # The SLA filter reads which states run the clocks: one query more, never one per row.
    assert len(few_filtered) <= len(few) + 1


def form_filter_options(response) -> dict[str, str]:
    """The board's Form filter as {option value: option text}."""
    html = response.get_data(as_text=True)
    select = re.search(r'<select name="form">(.*?)</select>', html, re.S).group(1)
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select))


def test_form_filter_names_forms_by_their_title_in_the_agents_language(
    client, login, switch_to, care, count_queries
):
    install_builtin_forms()
    db.session.commit()
    login(care["agent"])
    client.get("/board")  # warm caches (compiled workflow, parsed form definitions)
    with count_queries() as four_forms:
        polish = form_filter_options(client.get("/board"))
    assert polish == {
        "": "Dowolny formularz",
        "goal": "Czy udało Ci się znaleźć to, czego szukasz?",
        "csat": "Opinia o naszej pomocy",
        "nps": "Twoja opinia",
        "report-problem": "Zgłoś problem",
    }
    # A form without a Polish title shows its default language's.
    publish_form(
        "slovene-only",
        "slug: slovene-only\ntitle: {sl: Vaše mnenje}\nlanguages: [sl]\ndefault_language: sl\n"
        "questions: [{id: q, type: short_text, text: {sl: Vaš komentar}}]\n",
    )
    db.session.commit()
    client.get("/board")
    with count_queries() as five_forms:
        polish = form_filter_options(client.get("/board"))
    assert polish["slovene-only"] == "Vaše mnenje"
    assert len(five_forms) == len(four_forms), "one query per form"

    switch_to(care["other"])
    russian = form_filter_options(client.get("/board"))
    assert russian["csat"] == "Отзыв о работе поддержки"
    assert russian[""] == "Любая форма"


@pytest.mark.usefixtures("one_minute")
def test_changes_endpoint_answers_304_until_something_changes(client, login, post_form, care):
    ticket = make_ticket()
    login(care["agent"])
    first = client.get("/board/changes?priority=high", headers=HTMX)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "no-store"
    etag = first.headers["ETag"]
    assert f'data-etag="{etag.strip(chr(34))}"' in first.get_data(as_text=True)
    same = client.get("/board/changes?priority=high", headers={**HTMX, "If-None-Match": etag})
    assert same.status_code == 304 and same.get_data() == b""
    # Another agent's move (a new event) changes the fingerprint: the columns come back.
    post_form(
        "/board/move", {"number": ticket.number, "dest": "in_progress", "version": ticket.version}
    )
    changed = client.get("/board/changes?priority=high", headers={**HTMX, "If-None-Match": etag})
    assert changed.status_code == 200
    assert f'id="card-{ticket.number}"' in changed.get_data(as_text=True)
    # A new ticket too.
    etag = changed.headers["ETag"]
    passive()
    assert client.get("/board/changes", headers={**HTMX, "If-None-Match": etag}).status_code == 200


def test_fingerprint_changes_every_minute_and_with_filters(app, care):
    now = datetime(2026, 3, 2, 10, 0, 5, tzinfo=UTC)
    plain = BoardFilters()
    assert change_fingerprint(plain, "en", now) == change_fingerprint(
        plain, "en", now + timedelta(seconds=30)
    )
    assert change_fingerprint(plain, "en", now) != change_fingerprint(
        plain, "en", now + timedelta(minutes=1)
    )
    assert change_fingerprint(plain, "en", now) != change_fingerprint(
        BoardFilters(priority="high"), "en", now
    )


def test_saved_views_belong_to_their_owner(client, login, switch_to, post_form, care):
    login(care["agent"])
    saved = post_form(
        "/board/views", {"name": "My urgent", "priority": "urgent", "assignee": "me"}, htmx=True
    )
    assert saved.status_code == 200
    assert 'href="/board?assignee=me&amp;priority=urgent">My urgent</a>' in saved.get_data(
        as_text=True
    )
    assert "Zapisano widok „My urgent”." in text_of(saved)  # the toast: the list changes quietly
    # Saving the same name again replaces its filters once the agent confirms it.
    post_form("/board/views", {"name": "My urgent", "sla": "breached"}, htmx=True)
    assert db.session.query(SavedView).one().query == "assignee=me&priority=urgent"
    post_form(
        "/board/views", {"name": "My urgent", "sla": "breached", "replace": "My urgent"}, htmx=True
    )
    view = db.session.query(SavedView).one()
    assert view.query == "sla=breached"
    assert "My urgent" in text_of(client.get("/board"))
    assert post_form("/board/views", {"name": "  "}, htmx=True).status_code == 422
    # Without JavaScript, the page's filters travel in the form.
    assert post_form("/board/views", {"name": "Plain", "query": "language=sl"}).status_code == 303
    assert db.session.query(SavedView).filter_by(name="Plain").one().query == "language=sl"

    switch_to(care["other"])
    assert "My urgent" not in text_of(client.get("/board"))
    assert post_form(f"/board/views/{view.id}/delete", {}, htmx=True).status_code == 404
    switch_to(care["agent"])
    deleted = post_form(f"/board/views/{view.id}/delete", {}, htmx=True)
    assert deleted.status_code == 200 and ">My urgent</a>" not in deleted.get_data(as_text=True)
    assert "Usunięto widok „My urgent”." in text_of(deleted)
    assert db.session.query(SavedView).filter_by(name="My urgent").count() == 0


def test_customer_text_is_escaped_on_the_board(client, login, care):
    ticket = make_ticket(subject=XSS, customer_name=XSS, answers={"comment": XSS})
    add_label(ticket, XSS, None)
    db.session.commit()
    login(care["agent"])
    pages = [("/board", {}), ("/board/changes", HTMX), (f"/board?q={XSS[:20]}", {})]
    for url, headers in pages:
        html = client.get(url, headers=headers).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html


def test_board_is_for_staff_and_posts_need_csrf(client, login, care):
    ticket = make_ticket()
    assert client.get("/board").status_code == 302
    assert client.get("/board/changes").status_code == 302
    login(care["agent"])
    response = client.post("/board/move", data={"number": ticket.number, "dest": "in_progress"})
    assert response.status_code == 400
    db.session.refresh(ticket)
    assert ticket.state == "assigned"


def test_nav_and_dashboard_link_to_the_board(client, login, care):
    login(care["agent"])
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/board"' in html and 'href="/board?assignee=me&amp;status=open"' in html


@pytest.mark.parametrize(
    ("tickets", "said"),
    [
        (1, "1 zgłoszenie pasuje do filtrów."),
        (3, "3 zgłoszenia pasują do filtrów."),
        (5, "5 zgłoszeń pasuje do filtrów."),
    ],
)
def test_a_filter_change_says_how_many_tickets_match_in_polish(client, login, care, tickets, said):
    """The columns change silently for a screen reader: the status line says the total."""
    for _ in range(tickets):
        passive(subject="Zwrot")
    make_ticket(subject="Other")
    login(care["agent"])
    response = client.get("/board?q=Zwrot", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert 'hx-swap-oob="innerHTML:#board-message"' in html
    assert said in text_of(response)
    # The live refresh (every 3 s) says nothing: it would talk over the agent's work.
    assert "pasuj" not in text_of(
        client.get("/board/changes?q=Zwrot", headers={"HX-Request": "true"})
    )


@pytest.mark.parametrize(
    ("locale", "words"),
    [("en", "Any assignee"), ("ru", "Любой ответственный"), ("pl", "Dowolna osoba")],
)
def test_the_assignee_filter_says_what_it_filters(client, login, care, locale, words):
    """Beside "Все команды" the assignee filter read only "Любой" (any what?); on a phone its
    label is hidden, so the option itself names the assignee."""
    agent = care["agent"]
    agent.locale = locale
    db.session.commit()
    login(agent)
    html = client.get("/board").get_data(as_text=True)
    select = html[
        html.index('name="assignee"') : html.index("</select>", html.index('name="assignee"'))
    ]
    assert f'<option value="">{words}</option>' in select
