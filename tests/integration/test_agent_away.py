"""Away / out of office: routing passes an away agent by, notices wait for their return,
colleagues see it where they pick someone, and only the agent (or an admin) sets it."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from babel.dates import format_date, format_skeleton
from sqlalchemy import select

from jobs.notices import release_held_notices
from tests.helpers import make_ticket, text_of
from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    NoticeStatus,
    OutboxMessage,
    Role,
    StaffNotice,
    Team,
    TeamMembership,
    utcnow,
)
from webapp.services import away


@pytest.fixture
def care(builtin_forms, create_user) -> dict:
    """Ola (from builtin_forms) and Piotr on Customer Care, the team detractors go to."""
    team = db.session.scalar(select(Team).where(Team.slug == "customer-care"))
    piotr = create_user(email="piotr@example.com", name="Piotr", languages=["pl", "en"])
    db.session.add(TeamMembership(team=team, user=piotr))
    db.session.commit()
    return {"team": team, "ola": builtin_forms, "piotr": piotr}


def mark_away(user, first_offset=-1, last_offset=5, note="") -> away.AwayDays:
    """Away from `first_offset` to `last_offset` days from today (the agent's today)."""
    today = away.today_for(user, utcnow())
    days = away.AwayDays(
        today + timedelta(days=first_offset), today + timedelta(days=last_offset), note
    )
    away.set_away(user, days)
    db.session.commit()
    return days


def visible(reply) -> str:
    return html.unescape(text_of(reply))


def day_en(day) -> str:
    return format_skeleton("MMMd", day, locale="en")


# -- routing ------------------------------------------------------------------------------


def test_routing_skips_an_away_agent_and_picks_them_again_once_back(care):
    ola, piotr = care["ola"], care["piotr"]
    days = mark_away(ola, note="Holiday")
    first = make_ticket()
    assert first.assignee_id == piotr.id  # Ola has fewer tickets but is away
    second = make_ticket()
    assert second.assignee_id == piotr.id

    away.change_away(ola, None)  # back early
    db.session.commit()
    third = make_ticket()
    assert third.assignee_id == ola.id  # least loaded again, and picked
    assert days.last_day  # (the period was real)


def test_a_team_whose_members_are_all_away_leaves_the_ticket_for_the_team(care):
    mark_away(care["ola"])
    mark_away(care["piotr"], first_offset=0, last_offset=2)
    ticket = make_ticket()
    assert ticket.assignee_id is None
    assert ticket.team_id == care["team"].id


@pytest.fixture
def quality_all_away(care, create_user) -> dict:
    """Product Quality (broken pages go there, overflowing to Customer Care): Marta, away."""
    quality = db.session.scalar(select(Team).where(Team.slug == "product-quality"))
    marta = create_user(email="marta@example.com", name="Marta", languages=["en"])
    db.session.add(TeamMembership(team=quality, user=marta))
    db.session.commit()
    mark_away(marta)
    return {**care, "quality": quality, "marta": marta}


def test_a_team_all_away_hands_the_ticket_to_its_overflow_team(quality_all_away, client, login):
    care = quality_all_away
    ticket = make_ticket(
        subject="The checkout page is blank", form_slug="report-problem", answers={}, score=None
    )
    assert ticket.team_id == care["team"].id  # Customer Care, the rule's overflow team
    assert ticket.assignee_id in (care["ola"].id, care["piotr"].id)
    login(care["ola"])
    said = visible(client.get(f"/tickets/{ticket.number}"))
    assert "overflow to team customer-care" in said


def test_the_routing_tester_says_the_team_was_away_and_it_overflowed(
    quality_all_away, client, login, post_form, create_user
):
    login(create_user(email="admin@example.com", name="Ann", role=Role.ADMIN))
    tested = post_form(
        "/admin/workflow/routing/test",
        {"source": "typed", "form": "report-problem", "locale": "en", "channel": "web"},
        htmx=True,
    )
    assert tested.status_code == 200
    said = visible(tested)
    assert "Everyone in product-quality is away: overflow." in said
    assert "is at capacity" not in said
    assert "Customer Care" in said.split("Agent")[0]


def test_a_period_that_has_not_begun_does_not_keep_anyone_from_tickets(care):
    mark_away(care["ola"], first_offset=3, last_offset=6)
    mark_away(care["piotr"], first_offset=3, last_offset=6)
    assert make_ticket().assignee_id is not None


def test_the_routing_tester_says_who_is_away_until_when(
    care, client, login, post_form, create_user
):
    days = mark_away(care["ola"], note="Holiday")
    admin = create_user(email="admin@example.com", name="Ann", role=Role.ADMIN)
    login(admin)
    tested = post_form(
        "/admin/workflow/routing/test",
        {"source": "typed", "form": "nps", "locale": "pl", "channel": "web", "answer-score": "2"},
        htmx=True,
    )
    assert tested.status_code == 200
    said = visible(tested)
    assert f"Ola away until {day_en(days.last_day)}" in said  # why she was not picked
    assert f"away until {day_en(days.last_day)}" in said.split("Team members considered")[1]
    assert "Piotr" in said


def test_the_ticket_timeline_says_why_the_away_agent_was_passed_by(care, client, login):
    days = mark_away(care["ola"])
    ticket = make_ticket()
    login(care["piotr"])
    page = visible(client.get(f"/tickets/{ticket.number}"))
    assert f"Ola away until {day_en(days.last_day)}" in page


# -- notices ------------------------------------------------------------------------------


@pytest.fixture
def app_config(smtp_config) -> dict:
    return smtp_config


def test_a_mention_waits_until_the_agent_is_back_and_then_goes(
    care, client, login, post_form, smtp_server, run_jobs
):
    ola, piotr = care["ola"], care["piotr"]
    mark_away(ola)  # no working hours: back at work the moment the period ends
    ticket = make_ticket()
    login(piotr)
    post_form(f"/tickets/{ticket.number}/notes", {"text": "@ola could you call Jan back?"})
    run_jobs()
    assert [m for m in smtp_server.messages if m["To"] == ola.email] == []
    notice = db.session.scalar(select(StaffNotice).where(StaffNotice.user_id == ola.id))
    assert notice.status == NoticeStatus.HELD
    assert notice.deliver_after == ola.away_until

    before = (ola.away_until - timedelta(minutes=1)).isoformat()
    assert release_held_notices(now=before) == 0
    assert release_held_notices(now=ola.away_until.isoformat()) == 1
    sent = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == ola.email)
    ).all()
    assert len(sent) == 1 and sent[0].message_key == notice.message_key


def test_a_notice_held_before_the_agent_went_away_waits_for_their_return(care):
    """A notice held for someone's hours, who is then marked away: it waits on."""
    from webapp.services.notifications import next_working_start, on_duty

    ola = care["ola"]
    mark_away(ola)
    now = utcnow()
    assert not on_duty(ola, now)
    assert next_working_start(ola, now) == ola.away_until
    away.change_away(ola, None)
    assert on_duty(ola, now) and next_working_start(ola, now) == now


def test_an_urgent_breach_still_reaches_an_away_lead_at_once(care, run_jobs):
    """Away holds what quiet hours hold, nothing more: an urgent breach goes at once."""
    from jobs.schedule import sweep_sla
    from webapp.services.tickets import change_priority

    piotr = care["piotr"]
    lead = db.session.scalar(select(TeamMembership).where(TeamMembership.user_id == piotr.id))
    lead.is_lead = True
    mark_away(piotr)
    urgent, normal = make_ticket(subject="Site down"), make_ticket(subject="Typo")
    change_priority(urgent, "urgent", None)
    change_priority(normal, "normal", None)
    past = utcnow() - timedelta(minutes=1)
    for ticket in (urgent, normal):
        ticket.first_response_warn_at = ticket.first_response_due_at = past
    db.session.commit()

    sweep_sla(now=utcnow().isoformat())
    run_jobs()
    db.session.expire_all()
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == piotr.email)
    ).all()
    assert [m.message_key.split(":")[1] for m in mails] == [str(urgent.id)]
    held = db.session.scalars(select(StaffNotice).where(StaffNotice.user_id == piotr.id)).all()
    assert [(n.ticket_id, n.status, n.deliver_after) for n in held] == [
        (normal.id, NoticeStatus.HELD, piotr.away_until)
    ]


def test_ending_the_period_early_sends_what_waited_for_it(care, client, login, post_form):
    ola, piotr = care["ola"], care["piotr"]
    mark_away(ola)
    ticket = make_ticket()
    login(piotr)
    post_form(f"/tickets/{ticket.number}/notes", {"text": "@ola are you back?"})
    notice = db.session.scalar(select(StaffNotice).where(StaffNotice.user_id == ola.id))
    assert notice.deliver_after == ola.away_until
    post_form("/logout")
    login(ola)
    post_form("/account/away/end")
    db.session.expire_all()
    assert notice.deliver_after <= utcnow()  # no working hours: at work now
    assert release_held_notices(now=utcnow().isoformat()) == 1


def test_a_new_time_zone_keeps_the_same_days_away(care, client, login, post_form):
    ola = care["ola"]
    days = mark_away(ola)
    login(ola)
    saved = post_form(
        "/profile",
        {"name": ola.name, "locale": "en", "timezone": "America/New_York", "languages": ["en"]},
    )
    assert saved.status_code == 303
    db.session.refresh(ola)
    assert ola.timezone == "America/New_York"
    assert away.away_days(ola) == days


# -- pickers ------------------------------------------------------------------------------


def test_pickers_show_the_away_note_escaped_and_still_offer_the_agent(
    care, client, login, post_form, create_user
):
    ola, piotr = care["ola"], care["piotr"]
    days = mark_away(ola, note="Holiday <b>Crete</b>")
    ticket = make_ticket()
    login(piotr)
    label = f"Ola (away until {day_en(days.last_day)}: Holiday <b>Crete</b>)"

    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "Holiday &lt;b&gt;Crete&lt;/b&gt;" in page and "<b>Crete</b>" not in page
    assert f'value="{ola.id}"' in page  # still in the assign and task pickers
    assert label in html.unescape(page)

    board = client.get("/board").get_data(as_text=True)
    assert label in html.unescape(board) and "<b>Crete</b>" not in board

    people = client.get("/staff/people?q=ol", headers={"HX-Request": "true"})
    assert f"away until {day_en(days.last_day)}: Holiday <b>Crete</b>" in visible(people)
    assert f'value="{ola.id}"' in people.get_data(as_text=True)

    admin = create_user(email="admin@example.com", name="Ann", role=Role.ADMIN)
    post_form("/logout")
    login(admin)
    agents = client.get("/admin/users").get_data(as_text=True)
    assert f"away until {day_en(days.last_day)}" in agents and "<b>Crete</b>" not in agents


def test_the_picker_dates_are_in_the_viewers_language(care, client, login):
    ola, piotr = care["ola"], care["piotr"]
    days = mark_away(ola)
    piotr.locale = "pl"
    db.session.commit()
    ticket = make_ticket()
    login(piotr)
    page = visible(client.get(f"/tickets/{ticket.number}"))
    polish = format_skeleton("MMMd", days.last_day, locale="pl")
    assert f"Ola (poza biurem do {polish})" in page


def test_nobody_away_shows_no_away_words(care, client, login):
    ticket = make_ticket()
    login(care["piotr"])
    assert "away until" not in visible(client.get(f"/tickets/{ticket.number}"))


@pytest.mark.parametrize("url", ["/admin/users", "/board"])
def test_pages_listing_agents_keep_their_query_count_however_many_are_away(
    care, client, login, create_user, count_queries, url
):
    admin = create_user(email="admin@example.com", name="Ann", role=Role.ADMIN)
    login(admin)
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for n in range(6):
        mark_away(create_user(email=f"a{n}@example.com", name=f"Agent {n}"), note="Off")
    with count_queries() as many:
        page = client.get(url).get_data(as_text=True)
    assert page.count("away until") == 6
    assert len(many) == len(few)


# -- setting it ---------------------------------------------------------------------------


def test_an_agent_marks_themselves_away_and_ends_it_from_the_dashboard(
    care, client, login, post_form
):
    ola = care["ola"]
    today = away.today_for(ola, utcnow())
    login(ola)
    for page in ("/profile", "/account/notifications"):  # where an agent looks for it
        assert "/account/away" in client.get(page).get_data(as_text=True)
    assert 'type="date"' in client.get("/account/away").get_data(as_text=True)
    saved = post_form(
        "/account/away",
        {
            "away_from": today.isoformat(),
            "away_until": (today + timedelta(days=3)).isoformat(),
            "away_note": "  Sick   leave ",
        },
    )
    assert saved.status_code == 303
    db.session.refresh(ola)
    assert away.is_away(ola, utcnow()) and ola.away_note == "Sick leave"
    assert away.away_days(ola).last_day == today + timedelta(days=3)

    dashboard = visible(client.get("/dashboard"))
    assert f"You are marked away until {day_en(today + timedelta(days=3))}" in dashboard
    ended = post_form("/account/away/end", {"next": "dashboard"})
    assert ended.status_code == 303 and ended.location.endswith("/dashboard")
    db.session.refresh(ola)
    assert ola.away_until is None
    assert "You are marked away" not in visible(client.get("/dashboard"))
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "user.away_changed")
    ).all()
    assert [e.after["away_until"] for e in entries] == [
        (today + timedelta(days=3)).isoformat(),
        None,
    ]


@pytest.mark.parametrize(
    ("first", "last", "note", "message"),
    [
        (0, -1, "", "The last day away cannot be before the first day."),
        (-5, -2, "", "The last day away has already passed."),
        (0, 400, "", "An away period can end at most a year from today."),
        (0, None, "", "Enter the last day away."),
        ("31.12.2026", 3, "", "Enter a date such as 2026-12-24."),
        (0, 3, "x" * 121, "The note has at most 120 characters."),
    ],
)
def test_a_period_that_cannot_be_is_refused_with_a_clear_message(
    care, client, login, post_form, first, last, note, message
):
    ola = care["ola"]
    today = away.today_for(ola, utcnow())

    def day(value):
        if value is None:
            return ""
        return value if isinstance(value, str) else (today + timedelta(days=value)).isoformat()

    login(ola)
    refused = post_form(
        "/account/away", {"away_from": day(first), "away_until": day(last), "away_note": note}
    )
    assert refused.status_code == 422
    assert message in visible(refused)
    db.session.refresh(ola)
    assert ola.away_until is None


def test_the_messages_are_translated(care, client, login, post_form):
    ola = care["ola"]
    ola.locale = "pl"
    db.session.commit()
    today = away.today_for(ola, utcnow())
    login(ola)
    refused = post_form(
        "/account/away",
        {"away_from": today.isoformat(), "away_until": (today - timedelta(days=1)).isoformat()},
    )
    assert refused.status_code == 422
    assert "The last day away" not in visible(refused)
    assert "Ostatni dzień nieobecności" in visible(refused)


def test_an_admin_sets_an_agents_period_on_the_edit_page_and_it_is_audited(
    care, client, login, post_form, create_user
):
    ola = care["ola"]
    admin = create_user(email="admin@example.com", name="Ann", role=Role.ADMIN)
    today = away.today_for(ola, utcnow())
    login(admin)
    form = client.get(f"/admin/users/{ola.id}").get_data(as_text=True)
    assert 'name="away_until"' in form and 'type="date"' in form
    data = {
        "name": ola.name,
        "role": "agent",
        "locale": "en",
        "timezone": ola.timezone,
        "capacity": "20",
        "languages": list(ola.languages),
        "teams": [str(care["team"].id)],
        "away_from": today.isoformat(),
        "away_until": (today + timedelta(days=7)).isoformat(),
        "away_note": "Conference",
    }
    saved = post_form(f"/admin/users/{ola.id}", data)
    assert saved.status_code == 303
    db.session.refresh(ola)
    assert away.is_away(ola, utcnow()) and ola.away_note == "Conference"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.updated"))
    assert entry.before["away_until"] is None
    assert entry.after["away_until"] == (today + timedelta(days=7)).isoformat()
    assert entry.after["away_note"] == "Conference"
    log = visible(client.get("/admin/audit"))
    last = format_date(today + timedelta(days=7), "medium", locale="en")
    assert "Last day away" in log and last in log

    refused = post_form(
        f"/admin/users/{ola.id}", data | {"away_until": (today - timedelta(days=1)).isoformat()}
    )
    assert refused.status_code == 422
    assert "The last day away cannot be before the first day." in visible(refused)


def test_an_agent_cannot_set_another_agents_period(care, client, login, post_form):
    ola, piotr = care["ola"], care["piotr"]
    today = away.today_for(ola, utcnow())
    login(piotr)
    tried = post_form(
        f"/admin/users/{ola.id}",
        {"name": ola.name, "away_until": (today + timedelta(days=2)).isoformat()},
    )
    assert tried.status_code in (403, 404)
    # Their own page has no user id to name: the post changes Piotr, never Ola.
    post_form(
        "/account/away", {"away_until": (today + timedelta(days=2)).isoformat(), "user": ola.id}
    )
    db.session.refresh(ola)
    db.session.refresh(piotr)
    assert ola.away_until is None and piotr.away_until is not None


def test_the_away_forms_need_the_csrf_token(care, client, login):
    login(care["ola"])
    assert client.post("/account/away", data={"away_until": ""}).status_code == 400
    assert client.post("/account/away/end").status_code == 400


@pytest.mark.parametrize(
    ("locale", "flash", "status"),
    [
        ("ru", "по 9 дек.", "Отсутствие отмечено до 9 дек."),
        ("sl", "do 9. dec.", "Odsotnost je nastavljena do 9. dec."),
    ],
)
def test_a_sentence_ending_on_an_abbreviated_date_has_one_full_stop(
    care, client, login, post_form, locale, flash, status
):
    """Russian and Slovenian short dates end in a dot ('9 дек.', '9. dec.'): the sentence
    that ends on one does not add a second ('до 9 дек..')."""
    ola = care["ola"]
    ola.locale = locale
    db.session.commit()
    today = away.today_for(ola, utcnow())
    last = date(today.year, 12, 9)
    if last < today:
        last = date(today.year + 1, 12, 9)
    login(ola)
    saved = post_form("/account/away", {"away_until": last.isoformat()}, follow_redirects=True)
    page = visible(saved)
    for sentence in (flash, status):  # the message that confirms it, the status above the form
        assert sentence in page
        assert sentence + "." not in page
