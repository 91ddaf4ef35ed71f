"""An agent's night shift ("17:00-09:00"): kept, said in words on the form, honoured by routing."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.helpers import text_of
from webapp.extensions import db
from webapp.models import Team, TeamMembership
from webapp.services import notifications
from webapp.services.assignment import choose_assignee

DAYTIME = {day: "" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def _form(user, **hours) -> dict:
    return {
        "name": user.name,
        "role": "agent",
        "timezone": user.timezone,
        "capacity": "20",
        "languages": list(user.languages),
        **{f"hours_{day}": text for day, text in (DAYTIME | hours).items()},
    }


def test_a_night_shift_is_saved_and_the_form_says_it_runs_past_midnight(
    client, login, post_form, admin, agent
):
    admin.locale = "pl"
    db.session.commit()
    login(admin)
    saved = post_form(
        f"/admin/users/{agent.id}", _form(agent, mon="09:00-17:00", fri="17:00-09:00")
    )
    assert saved.status_code == 303
    db.session.refresh(agent)
    assert agent.working_hours["fri"] == [["17:00", "09:00"]]  # a night shift, kept as typed
    page = client.get(saved.location)
    text = text_of(page)
    assert "Niektóre godziny pracy trwają po północy" in text
    assert (
        "17:00–09:00 trwa po północy: dyżur do 09:00 następnego dnia (sobota). "
        "Jeśli chodziło o godziny w ciągu dnia, wpisz najpierw wcześniejszą godzinę."
    ) in text
    html = page.get_data(as_text=True)
    assert 'aria-describedby="hours_fri-note"' in html  # read out with the Friday field
    assert 'id="hours_mon-note"' not in html  # daytime hours get no note


def test_the_night_shift_note_is_a_visible_note_read_out_with_its_field(
    client, login, post_form, admin, agent
):
    """Not grey small print: a note the Friday field names as its description."""
    login(admin)
    saved = post_form(f"/admin/users/{agent.id}", _form(agent, fri="17:00-09:00"))
    html = client.get(saved.location).get_data(as_text=True)
    friday = re.search(r"<input[^>]*\bid=\"hours_fri\"[^>]*>", html).group(0)
    assert 'aria-describedby="hours_fri-note"' in friday
    note = re.search(r'<small id="hours_fri-note" class="([^"]*)">([^<]*)</small>', html)
    assert note.group(1) == "field-note"  # not "muted"
    assert note.group(2).startswith("17:00–09:00 runs past midnight: on duty until 09:00")
    monday = re.search(r"<input[^>]*\bid=\"hours_mon\"[^>]*>", html).group(0)
    assert "aria-describedby" not in monday


def test_a_refused_form_keeps_the_note_for_what_was_typed(client, login, post_form, admin, agent):
    login(admin)
    refused = post_form(
        f"/admin/users/{agent.id}", _form(agent, tue="25:00-17:00", sat="22:00-06:00")
    )
    assert refused.status_code == 422
    assert "22:00–06:00 runs past midnight: on duty until 06:00 the next day, Sunday." in (
        text_of(refused)
    )


def test_routing_counts_a_night_shift_on_duty_into_the_next_morning(app, create_user):
    """Friday 4 December 2026 22:00 to Saturday 06:00 in Warsaw; a day colleague 09-17."""
    night = create_user(
        email="nina@example.com", name="Nina", working_hours={"fri": [["22:00", "06:00"]]}
    )
    day = create_user(
        email="dan@example.com", name="Dan", working_hours={"fri": [["09:00", "17:00"]]}
    )
    team = Team(slug="care", name="Care")
    db.session.add_all([team, TeamMembership(team=team, user=night)])
    db.session.add(TeamMembership(team=team, user=day))
    db.session.commit()

    def picked(at: datetime):
        pick = choose_assignee(team, "least_loaded", locale="en", now=at, running_states=set())
        return pick.user_id, [code for code, _values in pick.notes][-1]  # who was eligible

    friday_noon = datetime(2026, 12, 4, 11, tzinfo=UTC)  # 12:00 in Warsaw
    friday_late = datetime(2026, 12, 4, 22, 30, tzinfo=UTC)  # 23:30
    saturday_early = datetime(2026, 12, 5, 4, 30, tzinfo=UTC)  # 05:30, still Nina's shift
    saturday_morning = datetime(2026, 12, 5, 6, 30, tzinfo=UTC)  # 07:30, the shift is over
    friday_evening = datetime(2026, 12, 4, 20, tzinfo=UTC)  # 21:00, before it starts
    assert picked(friday_noon) == (day.id, "on_duty")
    assert picked(friday_late) == (night.id, "on_duty")
    assert picked(saturday_early) == (night.id, "on_duty")
    assert picked(saturday_morning)[1] == "nobody_on_duty"
    assert picked(friday_evening)[1] == "nobody_on_duty"
    # Staff notifications read the same hours: held overnight only outside the shift.
    assert notifications.on_duty(night, saturday_early)
    assert not notifications.on_duty(night, saturday_morning)
    assert notifications.next_working_start(night, saturday_morning) == datetime(
        2026, 12, 11, 21, tzinfo=UTC
    )
