"""An agent's own hours follow the public holidays of their country: admins and the agent
choose it, routing passes the agent by on such a day (and says why in the History), and
their notices wait for the next working day."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests.helpers import make_ticket, text_of
from webapp.extensions import db
from webapp.models import AuditEntry, NoticeStatus, StaffNotice, Team, TeamMembership
from webapp.services import notifications, tickets
from webapp.services.assignment import choose_assignee, working_hours_calendar
from webapp.tickets.presenters import describe_calendar, open_hours_in_words
from workflow.calendars import BusinessCalendar

WORKDAYS = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
# Friday 1 May 2026, 12:00 in Warsaw: a public holiday in Poland. The colleague in Ljubljana
# follows no public holidays here, so for her it is a Friday like any other.
LABOUR_DAY_NOON = datetime(2026, 5, 1, 10, tzinfo=UTC)
MONDAY_0900_WARSAW = datetime(2026, 5, 4, 7, tzinfo=UTC)


def visible(reply) -> str:
    return html.unescape(text_of(reply))


def _agent_form(user, **overrides) -> dict:
    form = {
        "name": user.name,
        "role": "agent",
        "locale": "en",
        "timezone": user.timezone,
        "capacity": "20",
        "languages": list(user.languages),
        "hours_mon": "09:00-17:00",
        "hours_tue": "09:00-17:00",
        "hours_wed": "09:00-17:00",
        "hours_thu": "09:00-17:00",
        "hours_fri": "09:00-17:00",
        "hours_sat": "",
        "hours_sun": "",
    }
    form.update(overrides)
    return form


@pytest.fixture
def care(app, create_user) -> dict:
    """Anna (Warsaw, Polish holidays) and Maja (Ljubljana, none) on one team, both 9-17."""
    team = Team(slug="care", name="Care")
    anna = create_user(email="anna@example.com", name="Anna", working_hours=WORKDAYS)
    maja = create_user(
        email="maja@example.com", name="Maja", timezone="Europe/Ljubljana", working_hours=WORKDAYS
    )
    anna.public_holidays = "PL"
    db.session.add_all([team, TeamMembership(team=team, user=anna)])
    db.session.add(TeamMembership(team=team, user=maja))
    db.session.commit()
    return {"team": team, "anna": anna, "maja": maja}


# -- setting it ---------------------------------------------------------------------------


def test_an_admin_sets_an_agents_public_holidays_and_it_is_audited(
    client, login, post_form, admin, agent
):
    login(admin)
    page = client.get(f"/admin/users/{agent.id}").get_data(as_text=True)
    assert 'name="public_holidays"' in page
    assert '<option selected value="">None: working hours as they are</option>' in page
    assert '<option value="SI">Slovenia</option>' in page
    assert '<option value="DE-BY">Germany – Bavaria (DE-BY)</option>' in page
    for code in ("PL", "RU", "DE", "AT", "GB", "US"):
        assert f'value="{code}"' in page

    saved = post_form(f"/admin/users/{agent.id}", _agent_form(agent, public_holidays="pl"))
    assert saved.status_code == 303
    db.session.refresh(agent)
    assert agent.public_holidays == "PL"
    assert 'selected value="PL"' in client.get(f"/admin/users/{agent.id}").get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.updated"))
    assert entry.before["public_holidays"] == "" and entry.after["public_holidays"] == "PL"
    log = visible(client.get("/admin/audit"))
    assert "Public holidays" in log and "Poland" in log

    region = post_form(f"/admin/users/{agent.id}", _agent_form(agent, public_holidays="DE-BY"))
    assert region.status_code == 303
    db.session.refresh(agent)
    assert agent.public_holidays == "DE-BY"
    assert working_hours_calendar(agent).holiday_subdivision == "BY"

    cleared = post_form(f"/admin/users/{agent.id}", _agent_form(agent, public_holidays=""))
    assert cleared.status_code == 303
    db.session.refresh(agent)
    assert agent.public_holidays == ""


@pytest.mark.parametrize("posted", ["XX", "DE-ZZ", "P", "-", "PL-", "<b>PL</b>", "x" * 500])
def test_a_country_the_list_does_not_know_is_refused_in_words(
    client, login, post_form, admin, agent, posted
):
    login(admin)
    refused = post_form(f"/admin/users/{agent.id}", _agent_form(agent, public_holidays=posted))
    assert refused.status_code == 422
    said = visible(refused)
    assert "is not a country whose public holidays Loopdesk knows" in said
    assert "<b>PL</b>" not in refused.get_data(as_text=True)  # escaped
    db.session.refresh(agent)
    assert agent.public_holidays == ""
    assert db.session.scalar(select(AuditEntry.id)) is None


def test_the_list_and_the_refusal_are_in_the_readers_language(
    client, login, post_form, create_user, agent
):
    polish_admin = create_user(email="adam@example.com", name="Adam", role="admin", locale="pl")
    login(polish_admin)
    page = client.get(f"/admin/users/{agent.id}").get_data(as_text=True)
    assert '<option value="PL">Polska</option>' in page
    assert '<option value="DE">Niemcy</option>' in page
    refused = post_form(f"/admin/users/{agent.id}", _agent_form(agent, public_holidays="XX"))
    assert "nie jest krajem, którego święta państwowe zna Loopdesk" in visible(refused)


@pytest.mark.parametrize(
    ("locale", "bavaria", "newfoundland", "untranslated"),
    [
        (
            "pl",
            "Niemcy – Bawaria (DE-BY)",
            "Kanada – Nowa Funlandia i Labrador (CA-NL)",
            ("ES-NC", "Hiszpania – Navarra (ES-NC)"),
        ),
        (
            "ru",
            "Германия – Бавария (DE-BY)",
            "Канада – Ньюфаундленд и Лабрадор (CA-NL)",
            ("DE-SN", "Германия – Sachsen (DE-SN)"),
        ),
        (
            "sl",
            "Nemčija – Bavarska (DE-BY)",
            "Kanada – Nova Fundlandija in Labrador (CA-NL)",
            ("CA-YT", "Kanada – Yukon (CA-YT)"),
        ),
        (
            "en",
            "Germany – Bavaria (DE-BY)",
            "Canada – Newfoundland and Labrador (CA-NL)",
            ("DE-TH", "Germany – Thüringen (DE-TH)"),
        ),
    ],
)
def test_a_region_is_named_in_the_readers_language_with_its_code(
    client, login, post_form, create_user, agent, locale, bavaria, newfoundland, untranslated
):
    """Where pycountry translates a region's name the reader reads it in their language;
    where it does not, the region keeps its official name rather than English passing for
    the reader's language. The ISO code stays beside it either way."""
    reader = create_user(email="adam@example.com", name="Adam", role="admin", locale=locale)
    login(reader)
    page = client.get(f"/admin/users/{agent.id}").get_data(as_text=True)
    assert f'<option value="DE-BY">{bavaria}</option>' in page
    assert f'<option value="CA-NL">{newfoundland}</option>' in page
    code, kept = untranslated
    assert f'<option value="{code}">{kept}</option>' in page
    saved = post_form(f"/admin/users/{agent.id}", _agent_form(agent, public_holidays="CA-NL"))
    assert saved.status_code == 303
    assert newfoundland in visible(client.get("/admin/audit"))


def test_region_names_are_read_from_disk_once_per_language(app, monkeypatch):
    """Naming every region of three countries reads the reader's translations once."""
    from webapp.services import public_holidays

    public_holidays._subdivision_translations.cache_clear()
    public_holidays._region_names_in.cache_clear()
    read = []
    real = public_holidays.translation
    monkeypatch.setattr(
        public_holidays, "translation", lambda *a, **k: read.append(k["languages"]) or real(*a, **k)
    )
    with app.test_request_context(), force_locale("ru"):
        names = [
            public_holidays.holidays_label(country, region)
            for country in ("AT", "CH", "DE")
            for region in public_holidays._region_names(country)
        ]
    assert read == [["ru"]]
    assert "Австрия – Вена (AT-9)" in names


def test_a_calendars_region_is_named_where_its_public_holidays_are_said(app):
    calendar = BusinessCalendar.from_dict(
        {"timezone": "Europe/Berlin", "weekly_hours": WORKDAYS, "holiday_country": "DE"}
        | {"holiday_subdivision": "BY"}
    )
    with app.test_request_context(), force_locale("pl"):
        assert describe_calendar(calendar).endswith("święta państwowe: Niemcy – Bawaria (DE-BY)")
        assert open_hours_in_words(calendar).endswith("święta państwowe: Niemcy – Bawaria (DE-BY)")


def test_a_page_from_before_the_choice_keeps_it(client, login, post_form, admin, care):
    anna = care["anna"]
    login(admin)
    saved = post_form(f"/admin/users/{anna.id}", _agent_form(anna))  # no public_holidays
    assert saved.status_code == 303
    db.session.refresh(anna)
    assert anna.public_holidays == "PL"


def test_an_agent_sets_their_own_on_the_profile(client, login, post_form, agent):
    login(agent)
    page = client.get("/profile").get_data(as_text=True)
    assert 'name="public_holidays"' in page
    profile = {"name": agent.name, "locale": "en", "timezone": "Europe/Ljubljana"}
    saved = post_form("/profile", profile | {"languages": ["en"], "public_holidays": "SI"})
    assert saved.status_code == 303
    db.session.refresh(agent)
    assert agent.public_holidays == "SI" and agent.timezone == "Europe/Ljubljana"

    refused = post_form("/profile", profile | {"languages": ["en"], "public_holidays": "ZZ"})
    assert refused.status_code == 422
    assert "“ZZ” is not a country whose public holidays Loopdesk knows" in visible(refused)
    db.session.refresh(agent)
    assert agent.public_holidays == "SI"


# -- routing ------------------------------------------------------------------------------


def test_routing_passes_by_an_agent_on_their_public_holiday(care):
    anna, maja, team = care["anna"], care["maja"], care["team"]
    assert notifications.on_duty(maja, LABOUR_DAY_NOON)  # (1 May is no holiday for Maja here)

    def picked(at: datetime):
        return choose_assignee(
            team, "least_loaded", locale="en", now=at, running_states=set()
        ).user_id

    assert picked(LABOUR_DAY_NOON) == maja.id  # Anna: 1 May in Poland
    assert picked(MONDAY_0900_WARSAW) == anna.id  # back at work: least loaded (by id)

    anna.public_holidays = ""
    db.session.commit()
    assert picked(LABOUR_DAY_NOON) == anna.id  # without holidays, a Friday like any other


def test_an_agent_without_hours_is_still_off_on_their_holidays(care):
    anna = care["anna"]
    anna.working_hours = {}
    db.session.commit()
    assert not notifications.on_duty(anna, LABOUR_DAY_NOON)
    assert notifications.on_duty(anna, datetime(2026, 5, 2, 10, tzinfo=UTC))  # Saturday


def test_the_history_names_the_holiday_in_the_readers_language(
    care, client, login, monkeypatch, builtin_forms
):
    """The detractor's ticket goes to Customer Care: Ola (off for 1 May) and Maja."""
    ola = builtin_forms
    ola.working_hours, ola.timezone, ola.public_holidays = WORKDAYS, "Europe/Warsaw", "PL"
    customer_care = db.session.scalar(select(Team).where(Team.slug == "customer-care"))
    maja_pl = care["maja"]
    maja_pl.locale, maja_pl.languages = "pl", ["pl", "en"]
    db.session.add(TeamMembership(team=customer_care, user=maja_pl))
    db.session.commit()
    monkeypatch.setattr(tickets, "utcnow", lambda: LABOUR_DAY_NOON)
    ticket = make_ticket()
    assert ticket.assignee_id == maja_pl.id

    login(maja_pl)
    page = visible(client.get(f"/tickets/{ticket.number}"))
    assert "Ola ma wolne z powodu święta (Święto Państwowe)" in page


# -- notices ------------------------------------------------------------------------------


def test_a_notice_on_a_public_holiday_waits_for_the_next_working_day(care):
    anna = care["anna"]
    ticket = make_ticket()
    notifications.notify(
        anna,
        "mention",
        ticket,
        "note_mention",
        {"author": "Maja", "text": "@anna"},
        now=LABOUR_DAY_NOON,
    )
    db.session.commit()
    notice = db.session.scalar(select(StaffNotice).where(StaffNotice.user_id == anna.id))
    assert notice.status == NoticeStatus.HELD
    assert notice.deliver_after == MONDAY_0900_WARSAW  # after the holiday and the weekend

    # Urgent ones still go at once, as outside working hours.
    urgent = notifications.notify(
        anna,
        "mention",
        ticket,
        "note_mention",
        {"author": "Maja", "text": "@anna"},
        urgent=True,
        now=LABOUR_DAY_NOON,
    )
    db.session.commit()
    held = db.session.scalars(select(StaffNotice).where(StaffNotice.user_id == anna.id)).all()
    assert urgent and len(held) == 1


# -- pickers and the agents list ----------------------------------------------------------

CHRISTMAS_NOON = datetime(2026, 12, 25, 11, tzinfo=UTC)  # a Friday


def test_the_agents_list_and_pickers_say_public_holiday_on_the_day(
    care, client, login, admin, monkeypatch
):
    from webapp.auth import away_settings

    anna = care["anna"]
    ticket = make_ticket()
    monkeypatch.setattr(away_settings, "utcnow", lambda: CHRISTMAS_NOON)
    login(admin)
    anna.away_note = "At a conference"  # from an absence long over: old news on the day
    db.session.commit()
    agents = visible(client.get("/admin/users"))
    assert agents.count("public holiday: Christmas Day") == 1  # Anna's; Maja follows none
    assert "At a conference" not in agents
    page = visible(client.get(f"/tickets/{ticket.number}"))
    assert "Anna (public holiday: Christmas Day)" in page
    assert "Maja (public holiday" not in page

    admin.locale = "pl"
    db.session.commit()
    assert "święto: Boże Narodzenie (pierwszy dzień)" in visible(client.get("/admin/users"))

    monkeypatch.setattr(away_settings, "utcnow", lambda: datetime(2026, 12, 28, 11, tzinfo=UTC))
    assert "public holiday" not in visible(client.get(f"/tickets/{ticket.number}"))
    assert anna.public_holidays == "PL"


RUSSIA_DAY_NOON = datetime(2026, 6, 12, 9, tzinfo=UTC)  # a Friday, noon in Moscow


@pytest.mark.parametrize(
    ("locale", "said", "not_said"),
    [
        ("ru", "День России", "Russia Day"),  # `holidays` speaks Russian for Russia
        ("pl", "Russia Day", "День России"),  # but not Polish: English, as before
    ],
)
def test_a_holiday_is_named_in_the_readers_language_where_holidays_offers_it(
    care, client, login, create_user, monkeypatch, locale, said, not_said
):
    from webapp.auth import away_settings

    for email, name in (("ivan@example.com", "Ivan"), ("olga@example.com", "Olga")):
        colleague = create_user(
            email=email, name=name, timezone="Europe/Moscow", working_hours=WORKDAYS
        )
        colleague.public_holidays = "RU"
    db.session.commit()
    monkeypatch.setattr(away_settings, "utcnow", lambda: RUSSIA_DAY_NOON)
    login(create_user(email="reader@example.com", name="Reader", role="admin", locale=locale))
    agents = visible(client.get("/admin/users"))
    assert agents.count(said) == 2
    assert not_said not in agents


def test_naming_holidays_row_by_row_does_not_build_a_countrys_holidays_again(
    care, client, login, create_user, admin, monkeypatch
):
    """Which language `holidays` speaks for a country is asked once, not for every agent
    listed (building a country's holidays looks for its translation files on disk)."""
    import holidays

    from webapp.auth import away_settings

    for number in range(5):
        colleague = create_user(
            email=f"agent{number}@example.com",
            name=f"Agent {number}",
            timezone="Europe/Moscow",
            working_hours=WORKDAYS,
        )
        colleague.public_holidays = "RU"
    db.session.commit()
    monkeypatch.setattr(away_settings, "utcnow", lambda: RUSSIA_DAY_NOON)
    login(admin)
    assert visible(client.get("/admin/users")).count("public holiday: Russia Day") == 5
    built = []
    real = holidays.country_holidays
    monkeypatch.setattr(
        holidays, "country_holidays", lambda *a, **k: built.append(a) or real(*a, **k)
    )
    assert visible(client.get("/admin/users")).count("public holiday: Russia Day") == 5
    assert built == []


def test_the_routing_tester_says_which_member_has_a_public_holiday(
    care, client, login, post_form, admin, monkeypatch, builtin_forms
):
    """Ola (Customer Care, Polish holidays) is off on 1 May: the members table says why."""
    from webapp.services import routing_tester

    ola = builtin_forms
    ola.working_hours, ola.timezone, ola.public_holidays = WORKDAYS, "Europe/Warsaw", "PL"
    db.session.commit()
    monkeypatch.setattr(routing_tester, "utcnow", lambda: LABOUR_DAY_NOON)
    login(admin)
    tested = post_form(
        "/admin/workflow/routing/test",
        {"source": "typed", "form": "nps", "locale": "pl", "channel": "web", "answer-score": "2"},
        htmx=True,
    )
    assert tested.status_code == 200
    members = visible(tested).split("Team members considered")[1]
    assert "public holiday: National Day" in members

    admin.locale = "pl"
    db.session.commit()
    tested = post_form(
        "/admin/workflow/routing/test",
        {"source": "typed", "form": "nps", "locale": "pl", "channel": "web", "answer-score": "2"},
        htmx=True,
    )
    assert "święto: Święto Państwowe" in visible(tested)
