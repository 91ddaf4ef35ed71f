"""Admins put a form on a schedule and a response limit: builder, YAML, review, forms list."""

from __future__ import annotations

import html as html_text
import re

import pytest
import yaml

from tests.helpers import completed_response, text_of
from tests.integration.test_form_builder import draft_data, revision_in
from webapp.extensions import db
from webapp.services import drafts
from webapp.services.forms import publish_form

FORM = """\
slug: shop
title: {en: Shop, pl: Sklep}
languages: [en, pl]
questions:
  - id: score
    type: nps
    text: {en: "How likely?", pl: "Jak bardzo?"}
"""
EDIT = "/admin/forms/shop/edit"


@pytest.fixture
def shop(app):
    version = publish_form("shop", FORM)
    db.session.commit()
    return version


@pytest.fixture
def as_admin(client, login, admin, shop):
    login(admin)
    return client


def edit(post_form, path: str, data: dict, revision: str = "", status: int = 200):
    reply = post_form(f"{EDIT}/{path}", {**data, "revision": revision}, htmx=True)
    assert reply.status_code == status, text_of(reply)
    return reply


def schedule(**values) -> dict:
    return {"opens_at": "", "closes_at": "", "timezone": "", "max_responses": "", **values}


def test_the_builder_edits_the_schedule_the_limit_and_the_closed_message(as_admin, post_form):
    page = as_admin.get(EDIT)
    assert "When the form takes answers" in text_of(page)
    saved = edit(
        post_form,
        "schedule",
        schedule(
            opens_at="2026-12-01",
            closes_at="2026-12-14 18:30",
            timezone="Europe/Warsaw",
            max_responses="200",
        ),
    )
    assert saved.headers["HX-Retarget"] == "#builder-schedule"
    assert draft_data() | {} == {
        **yaml.safe_load(FORM),
        "opens_at": "2026-12-01",
        "closes_at": "2026-12-14T18:30",
        "timezone": "Europe/Warsaw",
        "max_responses": 200,
    }
    html = saved.get_data(as_text=True)
    assert 'value="2026-12-14 18:30"' in html and 'value="200"' in html
    assert '<option value="Europe/Warsaw" selected>' in html
    revision = revision_in(saved)
    for lang, text in (("en", "The beta is full."), ("pl", "Beta jest pełna.")):
        reply = edit(
            post_form,
            "text",
            {"target": "closed_message", "lang": lang, "value": text},
            revision,
        )
        revision = revision_in(reply)
    assert draft_data()["closed_message"] == {"en": "The beta is full.", "pl": "Beta jest pełna."}
    # emptied fields take the settings out again
    edit(post_form, "schedule", schedule(max_responses="200"), revision)
    data = draft_data()
    assert "opens_at" not in data and "timezone" not in data and data["max_responses"] == 200


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"opens_at": "next week"}, "“next week” is not a date"),
        ({"closes_at": "2026-13-01"}, "“2026-13-01” is not a date"),
        ({"max_responses": "0"}, "Enter a whole number from 1 to 10000000."),
        ({"max_responses": "many"}, "Enter a number."),
        ({"timezone": "Mars/Olympus"}, "“Mars/Olympus” is not a time zone"),
    ],
)
def test_the_builder_refuses_what_is_not_a_date_a_zone_or_a_limit(
    as_admin, post_form, values, message
):
    reply = edit(post_form, "schedule", schedule(**values), status=422)
    assert message in text_of(reply)
    assert drafts.current("form", "shop") is None


def test_closing_before_opening_is_listed_as_a_problem_of_the_draft(as_admin, post_form):
    reply = edit(post_form, "schedule", schedule(opens_at="2026-12-14", closes_at="2026-12-01"))
    assert "closes before it opens" in text_of(reply)


def test_a_closed_message_in_one_language_asks_for_the_other(as_admin, post_form):
    reply = edit(post_form, "text", {"target": "closed_message", "lang": "en", "value": "Over."})
    assert "closed_message.pl" in reply.get_data(as_text=True)  # in the problems
    page = as_admin.get(EDIT).get_data(as_text=True)
    assert re.search(  # the Polish cell, flagged where it is missing
        r'<textarea [^>]*aria-label="Message when closed \(pl\)"[^>]*aria-invalid="true"', page
    )


def test_the_yaml_editor_accepts_the_settings(as_admin, post_form):
    text = FORM + 'opens_at: 2026-12-01\ncloses_at: "2026-12-14T18:00:00+01:00"\nmax_responses: 5\n'
    reply = post_form("/admin/forms/shop/yaml", {"yaml_text": text, "revision": ""})
    assert reply.status_code in (200, 303), text_of(reply)
    assert draft_data()["max_responses"] == 5
    page = as_admin.get(EDIT)
    assert 'value="2026-12-14T18:00+01:00"' in page.get_data(as_text=True)


def test_review_and_publish_lists_the_schedule_in_words(as_admin, post_form):
    saved = edit(
        post_form,
        "schedule",
        schedule(opens_at="2026-12-01", max_responses="200", timezone="Europe/Warsaw"),
    )
    edit(
        post_form,
        "text",
        {"target": "closed_message", "lang": "en", "value": "Thanks, we have enough."},
        revision_in(saved),
    )
    review = html_text.unescape(text_of(as_admin.get("/admin/forms/shop/publish")))
    assert "When the form takes answers" in review
    assert "Opens: at once → December 1, 2026" in review
    assert "Response limit: no limit → 200 completed responses" in review
    assert "Time zone of the dates: the installation's (UTC) → Warsaw, UTC+01:00" in review
    assert "Message when closed en added: Thanks, we have enough." in review


def test_review_in_polish_formats_dates_in_polish(as_admin, post_form, admin):
    admin.locale = "pl"
    db.session.commit()
    edit(post_form, "schedule", schedule(closes_at="2026-12-14"))
    review = text_of(as_admin.get("/admin/forms/shop/publish"))
    assert "Zamknięcie: nigdy → 14 grudnia 2026" in review


def test_the_forms_list_shows_each_forms_state(as_admin):
    states = {
        "open-now": {},
        "later": {"opens_at": "2999-01-01T09:00:00+01:00"},  # a badge shows the day only
        "over": {"closes_at": "2001-02-03"},
        "full": {"max_responses": 2},
        "counting": {"max_responses": 200},
        "until": {"closes_at": "2999-06-30"},
    }
    for slug, settings in states.items():
        data = {**yaml.safe_load(FORM), "slug": slug, **settings}
        publish_form(slug, yaml.safe_dump(data))
    db.session.commit()
    for slug in ("full", "full", "counting"):
        completed_response(slug, {"score": 9})
    page = text_of(as_admin.get("/admin/forms"))
    assert "open-now Shop 1 1 English Polish 0 0 — Open" in page
    assert "Opens January 1, 2999" in page
    assert "Closed February 3, 2001" in page
    assert "Limit reached (2/2)" in page
    assert "1 of 200 responses" in page
    assert "Closes June 30, 2999" in page
    overview = text_of(as_admin.get("/admin/forms/full"))
    assert "Limit reached (2/2)" in overview


def test_the_preview_ignores_the_schedule(as_admin):
    publish_form("shop", FORM + "closes_at: 2001-01-01\n")
    db.session.commit()
    assert as_admin.get("/f/shop").status_code == 410
    preview = as_admin.get("/admin/forms/shop/preview")
    assert preview.status_code == 200 and 'name="question" value="score"' in preview.text


def test_the_forms_list_counts_without_a_query_per_form(as_admin, count_queries):
    for number in range(3):
        data = {**yaml.safe_load(FORM), "slug": f"f{number}", "max_responses": 10}
        publish_form(f"f{number}", yaml.safe_dump(data))
    db.session.commit()
    with count_queries() as few:
        as_admin.get("/admin/forms")
    for number in range(3, 8):
        data = {**yaml.safe_load(FORM), "slug": f"f{number}", "max_responses": 10}
        publish_form(f"f{number}", yaml.safe_dump(data))
    db.session.commit()
    with count_queries() as many:
        as_admin.get("/admin/forms")
    assert len(many) == len(few)


def test_staff_language_is_used_for_the_state(as_admin, admin):
    publish_form("shop", FORM + "max_responses: 1000\n")
    admin.locale = "ru"
    db.session.commit()
    page = text_of(as_admin.get("/admin/forms")).replace("\xa0", " ")
    assert "0 из 1 000 ответов" in page


@pytest.mark.parametrize("zone", ["posixrules", "Etc/GMT+5", "Factory"])
def test_a_time_zone_outside_the_picker_stays_chosen(as_admin, post_form, zone):
    publish_form("shop", FORM + f"timezone: {zone}\nopens_at: 2026-12-01\n")
    db.session.commit()
    page = as_admin.get(EDIT)
    assert page.status_code == 200
    assert f'<option value="{zone}" selected>' in page.get_data(as_text=True)
    edit(post_form, "schedule", schedule(opens_at="2026-12-02", timezone=zone))
    assert draft_data()["timezone"] == zone
    assert as_admin.get("/admin/forms/shop/publish").status_code == 200
    assert as_admin.get("/admin/forms").status_code == 200


def test_closing_before_opening_is_said_at_the_dates_too(as_admin, post_form):
    """The admin pressed Save under the dates: the problem is said there, with Closes
    marked, not only in the list of the draft's problems at the end of the page."""
    reply = edit(post_form, "schedule", schedule(opens_at="2026-12-14", closes_at="2026-12-01"))
    section = reply.get_data(as_text=True).split('id="builder-schedule"')[1].split("</section>")[0]
    assert "closes before it opens" in text_of_html(section)
    closes = re.search(r'<input[^>]*name="closes_at"[^>]*>', section).group(0)
    assert 'aria-invalid="true"' in closes and "schedule-problems" in closes
    opens = re.search(r'<input[^>]*name="opens_at"[^>]*>', section).group(0)
    assert "aria-invalid" not in opens
    fixed = edit(
        post_form,
        "schedule",
        schedule(opens_at="2026-12-01", closes_at="2026-12-14"),
        revision=revision_in(reply),
    )
    assert "schedule-problems" not in fixed.get_data(as_text=True)


def text_of_html(fragment: str) -> str:
    return html_text.unescape(re.sub(r"<[^>]+>", " ", fragment))
