"""A form opens and closes on a schedule and stops at a response limit, for customers.

New conversations are refused outside the schedule or once the limit is reached, with a
polite page in the customer's language; a conversation already started may finish.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import yaml
from sqlalchemy import func, select

from tests.helpers import completed_response, text_of
from webapp.extensions import db
from webapp.models import Response, utcnow
from webapp.services.forms import publish_form

FORM = {
    "slug": "beta",
    "title": {"en": "Beta testers", "pl": "Beta testerzy"},
    "languages": ["en", "pl"],
    "default_language": "en",
    "questions": [
        {"id": "score", "type": "rating", "text": {"en": "How is it?", "pl": "Jak jest?"}},
        {"id": "why", "type": "short_text", "text": {"en": "Why?", "pl": "Dlaczego?"}},
    ],
}


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


def publish(**settings) -> None:
    publish_form("beta", yaml.safe_dump({**FORM, **settings}, allow_unicode=True))
    db.session.commit()


def iso(moment) -> str:
    return moment.isoformat(timespec="seconds")


def field(html: str, name: str) -> str | None:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    return match.group(1) if match else None


def first_answer(client, lang: str = "en", url: str = "/f/beta"):
    """Open the form and give the first answer: the response is created by this post."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    data = {"step": field(html, "step"), "question": "score", "lang": lang, "value": "4"}
    return page, client.post("/f/beta/answer", data=data)


def completed_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Response).where(Response.completed_at.is_not(None))
    )


def test_before_it_opens_the_form_says_when_in_the_customers_language(client, app):
    publish(opens_at="2999-12-01", timezone="Europe/Warsaw")
    page = client.get("/pl/f/beta")
    assert page.status_code == 200
    text = text_of(page)
    assert "Ta ankieta nie jest jeszcze otwarta. Otworzy się 1 grudnia 2999." in text
    assert 'name="step"' not in page.text  # nothing to answer
    english = client.get("/f/beta", headers={"Accept-Language": "en"})
    assert "This survey is not open yet. It opens on December 1, 2999." in text_of(english)
    assert english.headers["Cache-Control"] == "no-store"


def test_in_russian_the_opening_day_ends_the_sentence_with_one_full_stop(client, app):
    """Russian writes the year "2999 г.": no second full stop after it."""
    russian = {
        "languages": ["en", "ru"],
        "title": {"en": "Beta testers", "ru": "Бета-тестеры"},
        "questions": [
            {"id": "score", "type": "rating", "text": {"en": "How is it?", "ru": "Как дела?"}}
        ],
    }
    publish(opens_at="2999-12-01", **russian)
    text = text_of(client.get("/ru/f/beta"))
    assert "Этот опрос ещё не открыт. Дата открытия: 1 декабря 2999 г." in text
    assert "г.." not in text


def test_after_it_closes_the_form_says_so_with_410(client, app):
    publish(closes_at=iso(utcnow() - timedelta(minutes=1)))
    page = client.get("/pl/f/beta")
    assert page.status_code == 410 and '<html lang="pl">' in page.text
    assert "Ta ankieta jest już zamknięta. Dziękujemy za odwiedziny!" in text_of(page)
    assert "This survey has closed." in text_of(client.get("/en/f/beta"))


def test_the_forms_own_closed_message_is_shown_in_the_customers_language(client, app):
    publish(
        closes_at="2000-01-01",
        closed_message={"en": "The campaign is over.", "pl": "Kampania się skończyła."},
    )
    assert "Kampania się skończyła." in text_of(client.get("/pl/f/beta"))
    assert "The campaign is over." in text_of(client.get("/f/beta?lang=en"))


def test_a_form_open_now_takes_answers_as_usual(client, app):
    publish(
        opens_at=iso(utcnow() - timedelta(hours=1)),
        closes_at=iso(utcnow() + timedelta(hours=1)),
        max_responses=5,
    )
    _page, answered = first_answer(client)
    assert answered.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_a_started_conversation_finishes_after_the_form_closes(client, app):
    publish(closes_at=iso(utcnow() + timedelta(hours=1)))
    _page, answered = first_answer(client)
    assert answered.status_code == 303
    publish(closes_at=iso(utcnow() - timedelta(minutes=1)))  # closed meanwhile
    page = client.get("/f/beta")
    assert page.status_code == 200 and field(page.text, "question") == "why"
    done = client.post(
        "/f/beta/answer",
        data={"step": field(page.text, "step"), "question": "why", "lang": "en", "value": "Fast"},
    )
    assert done.status_code == 303
    assert completed_count() == 1
    again = client.get("/f/beta?new=1")  # "Answer again" would start a new conversation
    assert again.status_code == 410


def test_at_the_limit_a_new_conversation_is_refused_but_a_started_one_finishes(client, app):
    publish(max_responses=2)
    completed_response("beta", {"score": 5, "why": "a"})
    started, _answered = first_answer(client)  # one customer is half way
    other = client.application.test_client()
    other_page = other.get("/f/beta")
    assert other_page.status_code == 200  # the page was open when they came
    completed_response("beta", {"score": 3, "why": "b"})  # the limit is reached now
    refused = other.post(
        "/f/beta/answer",
        data={"step": field(other_page.text, "step"), "question": "score", "value": "2"},
    )
    assert refused.status_code == 303  # to the form's page, which says why
    closed = other.get(refused.headers["Location"])
    assert closed.status_code == 410
    assert "This survey has all the answers it needs. Thank you!" in text_of(closed)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 3  # none created
    page = client.get("/f/beta")  # the one half way through carries on
    assert field(page.text, "question") == "why"
    done = client.post(
        "/f/beta/answer",
        data={"step": field(page.text, "step"), "question": "why", "value": "ok"},
        headers={"HX-Request": "true"},
    )
    assert done.status_code == 200
    assert completed_count() == 3


def test_an_htmx_answer_that_would_start_a_conversation_after_closing_is_redirected(client, app):
    publish(closes_at=iso(utcnow() + timedelta(hours=1)))
    page = client.get("/f/beta")
    publish(closes_at=iso(utcnow() - timedelta(seconds=1)))
    refused = client.post(
        "/f/beta/answer",
        data={"step": field(page.text, "step"), "question": "score", "value": "4"},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 204 and refused.headers["HX-Redirect"].startswith("/f/beta")
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_the_closed_page_opens_inside_the_widget_frame(client, app):
    publish(closes_at="2000-01-01", allowed_origins=["https://shop.example.com"])
    page = client.get("/pl/f/beta?embed=1&channel=widget")
    assert page.status_code == 410
    assert (
        "frame-ancestors 'self' https://shop.example.com" in page.headers["Content-Security-Policy"]
    )
    assert "Ta ankieta jest już zamknięta." in text_of(page)


@pytest.mark.parametrize(
    ("settings", "is_open"),
    [
        ({}, True),
        ({"opens_at": "2999-01-01"}, False),
        ({"closes_at": "2000-01-01"}, False),
        ({"max_responses": 1}, False),
        ({"max_responses": 2}, True),
    ],
)
def test_the_widget_asks_whether_to_offer_the_form(client, app, settings, is_open):
    publish(**settings)
    completed_response("beta", {"score": 5, "why": "a"})
    reply = client.get("/f/beta/availability.json")
    assert reply.status_code == 200 and reply.json == {"open": is_open}
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    # a form that closes by itself is asked afresh; others may be cached for a minute
    expected = "no-store" if settings else "public, max-age=60"
    assert reply.headers["Cache-Control"] == expected
    assert client.get("/f/nothing/availability.json").status_code == 404


def test_the_widget_loader_shows_nothing_when_the_form_is_closed(app):
    """The loader reads availability.json before it shows a button or arms its trigger."""
    with app.open_resource("static/js/widget.js") as source:
        script = source.read().decode()
    assert "/availability.json" in script
    assert "state.open !== false" in script and "armIfOpen();" in script


def test_counting_responses_only_when_the_form_has_a_limit(client, app, count_queries):
    publish()
    completed_response("beta", {"score": 5, "why": "a"})
    with count_queries() as without_limit:
        client.get("/f/beta")
    publish(max_responses=10)
    with count_queries() as with_limit:
        client.get("/f/beta")
    counts = [s for s in with_limit if "count(" in s.lower() and "form_response" in s]
    assert len(counts) == 1 and "completed_at IS NOT NULL" in counts[0]
    assert len(with_limit) == len(without_limit) + 1


def test_a_date_time_with_an_offset_is_shown_as_written_under_the_forms_title(client, app):
    publish(opens_at="2999-12-01T09:00:00+01:00")
    page = client.get("/pl/f/beta")
    text = text_of(page)
    assert text.startswith("Ta ankieta nie jest jeszcze otwarta Przejdź do treści Beta testerzy ")
    assert "Otworzy się 1 grudnia 2999 09:00 (GMT+01:00)." in text
    publish(opens_at="2999-12-01T09:00:00+01:00", timezone="Europe/London")
    assert "Otworzy się 1 grudnia 2999 08:00 (GMT+00:00)." in text_of(client.get("/pl/f/beta"))


def test_spam_takes_no_place_under_the_limit(client, app):
    publish(max_responses=1)
    completed_response("beta", {"score": 1, "why": "cheap watches"})
    assert client.get("/f/beta").status_code == 410  # full
    junk = db.session.scalar(select(Response))
    junk.spam = True  # its ticket was marked as spam
    db.session.commit()
    assert client.get("/f/beta").status_code == 200  # its place is free again


def finish(client, lang: str = "en", *, htmx: bool = False):
    """Answer both questions of a new conversation; the reply to the last answer."""
    _page, answered = first_answer(client, lang, url=f"/f/beta?lang={lang}&new=1")
    page = client.get(f"/f/beta?lang={lang}")
    assert field(page.text, "question") == "why"
    data = {"step": field(page.text, "step"), "question": "why", "lang": lang, "value": "ok"}
    return client.post("/f/beta/answer", data=data, headers={"HX-Request": "true"} if htmx else {})


@pytest.mark.parametrize("htmx", [True, False])
def test_the_end_screen_offers_answer_again_only_while_the_form_takes_new_answers(
    client, app, htmx
):
    publish(max_responses=2, closes_at=iso(utcnow() + timedelta(hours=1)))
    first = finish(client, htmx=htmx)
    end = first if htmx else client.get(first.headers["Location"])
    assert "Answer again" in text_of(end)  # one place is left
    again = re.search(r'href="([^"]*new=1[^"]*)"', end.text).group(1)
    assert client.get(again.replace("&amp;", "&")).status_code == 200  # and it is taken
    last = finish(client, "pl", htmx=htmx)  # this answer fills the form
    end = last if htmx else client.get(last.headers["Location"])
    assert "Dziękujemy" in text_of(end) and "Odpowiedz ponownie" not in text_of(end)
    assert "new=1" not in end.text  # no link that the form's page would refuse with 410
    assert client.get("/f/beta?new=1").status_code == 410


def test_a_form_that_closed_or_opens_later_does_not_offer_answer_again(client, app):
    publish(closes_at=iso(utcnow() + timedelta(hours=1)))
    finish(client)
    assert "Answer again" in text_of(client.get("/f/beta"))  # the end screen, on reload
    publish(closes_at=iso(utcnow() - timedelta(minutes=1)))  # its schedule closed it
    end = client.get("/f/beta")
    assert end.status_code == 200 and "Thank you" in text_of(end)
    assert "Answer again" not in text_of(end)
    publish(opens_at="2999-01-01")  # a new version that opens later
    assert "Answer again" not in text_of(client.get("/f/beta"))
    publish()
    assert "Answer again" in text_of(client.get("/f/beta"))  # open again: offered again
