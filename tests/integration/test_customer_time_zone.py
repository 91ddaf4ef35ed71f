"""The customer's browser names its time zone (app.js fills a hidden field): the confirmation
e-mail and the status page then show times in that zone, named in the customer's language,
instead of in UTC. A name zoneinfo does not know is ignored; without it, times stay UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.helpers import make_ticket, text_of
from webapp.extensions import db
from webapp.models import OutboxMessage, Response, Ticket
from webapp.services.customer_requests import send_link


@pytest.fixture
def app_config(smtp_config) -> dict:
    return {**smtp_config, "FORM_MIN_SECONDS_FIRST_ANSWER": 0}


def _field(html: str, name: str) -> str | None:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    return match.group(1) if match else None


def _detractor_in_polish(client, timezone: str | None) -> Ticket:
    """Answers the NPS form as a Polish customer whose browser (when `timezone`) sends its zone."""
    html = client.get("/pl/f/nps").get_data(as_text=True)
    assert 'name="timezone" value=""' in html  # empty until app.js fills it
    for value in ("3", "Płatność kartą nie działa od tygodnia.", "Ewa", "ewa@example.pl"):
        data = {f: _field(html, f) for f in ("step", "question", "lang")}
        if timezone is not None:
            data["timezone"] = timezone
        reply = client.post(
            "/f/nps/answer", data={**data, "value": value}, headers={"HX-Request": "true"}
        )
        assert reply.status_code == 200
        html = reply.get_data(as_text=True)
    ticket = db.session.scalar(select(Ticket))
    assert ticket is not None and ticket.first_response_due_at is not None
    return ticket


def _confirmation(smtp_server) -> str:
    mails = [m for m in smtp_server.messages if m["To"] == "ewa@example.pl"]
    assert len(mails) == 1
    return " ".join(mails[0].get_body(("plain",)).get_content().split())


def test_a_polish_customer_in_warsaw_reads_warsaw_time_in_the_confirmation(
    client, builtin_forms, smtp_server, run_jobs
):
    ticket = _detractor_in_polish(client, "Europe/Warsaw")
    run_jobs()
    due = ticket.first_response_due_at.astimezone(ZoneInfo("Europe/Warsaw"))
    body = _confirmation(smtp_server)
    said = f"{due:%H:%M} (czas środkowoeuropejski)"
    # The full date starts with the weekday, said as a name ("niedziela"): never after "do",
    # which would need "niedzieli".
    assert "Pierwszej odpowiedzi możesz się spodziewać najpóźniej: " in body
    assert said in body, body
    assert "(UTC)" not in body
    weekday = ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela")
    assert f"{weekday[due.weekday()]}, {due.day} " in body
    # kept with the answers and the ticket's customer facts
    assert db.session.scalar(select(Response)).meta["timezone"] == "Europe/Warsaw"
    assert ticket.facts["metadata"]["timezone"] == "Europe/Warsaw"
    # the status page keeps the same promise, in the same words
    page = text_of(client.get(f"/t/{ticket.status_token}"))
    assert said in page and "(UTC)" not in page


# What the status page promises, in the customer's zone: the full date starts with the
# weekday as a name, so the sentence reads it as a name ("…: niedziela, 6 grudnia"), never
# after a preposition that needs another case ("do niedziela", "не позднее воскресенье").
PROMISES = {
    "pl": (
        "Pierwszej odpowiedzi możesz się spodziewać najpóźniej: ",
        "Obiecany termin pierwszej odpowiedzi – ",
    ),
    "ru": ("Срок первого ответа: ", "Обещанный срок первого ответа — "),
    "sl": ("Predviden rok za prvi odgovor: ", "Obljubljeni rok za prvi odgovor – "),
}
WEEKDAYS = {
    "pl": ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela"),
    "ru": ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"),
    "sl": ("ponedeljek", "torek", "sreda", "četrtek", "petek", "sobota", "nedelja"),
}


@pytest.mark.parametrize("lang", sorted(PROMISES))
def test_the_promised_first_reply_reads_as_a_sentence_in_the_customers_zone(client, lang):
    ticket = make_ticket(customer_locale=lang)
    ticket.facts = {**(ticket.facts or {}), "metadata": {"timezone": "Europe/Warsaw"}}
    ticket.first_response_due_at = datetime(2099, 12, 6, 10, 5, tzinfo=UTC)  # a Sunday
    db.session.commit()
    ahead, late = PROMISES[lang]
    sunday = WEEKDAYS[lang][6]
    page = text_of(client.get(f"/t/{ticket.status_token}"))
    assert f"{ahead}{sunday}, " in page, page

    ticket.first_response_due_at = datetime(2026, 12, 6, 10, 5, tzinfo=UTC)  # a Sunday, past
    db.session.commit()
    page = text_of(client.get(f"/t/{ticket.status_token}"))
    assert f"{late}{sunday}, " in page, page


@pytest.mark.parametrize(
    "timezone", ["Mars/Olympus_Mons", "../../etc/passwd", "Europe/Warsaw" * 9, ""]
)
def test_a_zone_zoneinfo_does_not_know_is_ignored(
    client, builtin_forms, smtp_server, run_jobs, timezone
):
    ticket = _detractor_in_polish(client, timezone)
    run_jobs()
    due = ticket.first_response_due_at.astimezone(ZoneInfo("UTC"))
    assert f"{due:%H:%M} (UTC)" in _confirmation(smtp_server)
    assert "timezone" not in db.session.scalar(select(Response)).meta
    assert "timezone" not in ticket.facts["metadata"]


def test_without_javascript_times_stay_in_utc(client, builtin_forms, smtp_server, run_jobs):
    ticket = _detractor_in_polish(client, None)
    run_jobs()
    due = ticket.first_response_due_at.astimezone(ZoneInfo("UTC"))
    assert f"{due:%H:%M} (UTC)" in _confirmation(smtp_server)
    page = text_of(client.get(f"/t/{ticket.status_token}"))
    assert "(UTC)" in page


def test_a_reply_from_the_status_page_tells_us_the_zone(client, builtin_forms, run_jobs):
    ticket = _detractor_in_polish(client, None)
    status = client.get(f"/t/{ticket.status_token}").get_data(as_text=True)
    assert 'name="timezone" value=""' in status
    form = {"reply_token": _field(status, "reply_token"), "lang": "pl"}
    client.post(
        f"/t/{ticket.status_token}/reply",
        data={**form, "message": "Czy coś już wiadomo?", "timezone": "Pluto/Base"},
    )
    db.session.refresh(ticket)
    assert "timezone" not in ticket.facts["metadata"]
    client.post(
        f"/t/{ticket.status_token}/reply",
        data={**form, "message": "Jestem teraz w Nowym Jorku.", "timezone": "America/New_York"},
    )
    db.session.refresh(ticket)
    assert ticket.facts["metadata"]["timezone"] == "America/New_York"
    page = text_of(client.get(f"/t/{ticket.status_token}"))
    due = ticket.first_response_due_at.astimezone(ZoneInfo("America/New_York"))
    assert f"{due:%H:%M} (czas wschodnioamerykański)" in page


def test_an_admins_own_confirmation_text_shows_the_customers_time_too(
    client, builtin_forms, smtp_server, run_jobs, admin
):
    from webapp.services import email_texts

    body = (
        "Dzień dobry {name},\n\nodpowiemy najpóźniej {first_response_due}.\n\n"
        "{number}: {status_link}\n"
    )
    email_texts.save("ticket_confirmation", "pl", "Mamy {number}", body, 0, admin)
    db.session.commit()
    ticket = _detractor_in_polish(client, "Europe/Warsaw")
    run_jobs()
    due = ticket.first_response_due_at.astimezone(ZoneInfo("Europe/Warsaw"))
    body = _confirmation(smtp_server)
    assert "odpowiemy najpóźniej" in body
    assert f"{due:%H:%M} (czas środkowoeuropejski)" in body and "(UTC)" not in body


def _requests_list(client, lang: str = "pl"):
    """Jan's list of requests, opened from the link he was e-mailed."""
    assert send_link("jan@example.pl", lang)
    db.session.commit()
    mail = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.template == "requests_link")
        .order_by(OutboxMessage.id.desc())
    ).first()
    page = client.get(re.search(r"https?://[^/\s]+(/requests/\S+)", mail.body_text).group(1))
    assert page.status_code == 200
    return page


def test_the_list_of_requests_says_when_each_was_sent_in_the_customer_s_zone(client, builtin_forms):
    """Written at 23:30 UTC on 30 November: in Warsaw it was already 1 December, 00:30. A
    request sent from a browser without JavaScript is read on the same clock (one customer,
    one list), and the zone is named in the language the list is read in."""
    late = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    make_ticket(created_at=late, metadata={"timezone": "Europe/Warsaw"})
    make_ticket(subject="Bez JavaScriptu", created_at=datetime(2026, 12, 2, 9, 5, tzinfo=UTC))
    said = text_of(_requests_list(client))
    assert "Wysłane 1 grudnia 2026 00:30 (czas środkowoeuropejski)" in said, said
    assert "Wysłane 2 grudnia 2026 10:05 (czas środkowoeuropejski)" in said, said
    assert "UTC" not in said and "30 listopada" not in said
    russian = text_of(_requests_list(client, "ru"))
    assert "Отправлено 1 декабря 2026 г., 00:30 (Центральная Европа)" in russian, russian

    # He wrote again from New York: the list reads on the clock he is on now.
    make_ticket(
        subject="Jestem w Nowym Jorku",
        created_at=datetime(2026, 12, 3, 15, 0, tzinfo=UTC),
        metadata={"timezone": "America/New_York"},
    )
    said = text_of(_requests_list(client))
    assert "Wysłane 30 listopada 2026 18:30 (czas wschodnioamerykański)" in said, said
    assert "Wysłane 3 grudnia 2026 10:00 (czas wschodnioamerykański)" in said, said
    assert "czas środkowoeuropejski" not in said


def test_without_the_customer_s_zone_the_list_names_the_server_s(client, builtin_forms):
    """No request of theirs knows the zone: the time is the server's, named, and marked for
    app.js to show it on the reader's own clock."""
    make_ticket(created_at=datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    page = _requests_list(client)
    assert "Wysłane 30 listopada 2026 23:30 (UTC)" in text_of(page), text_of(page)
    assert 'datetime="2026-11-30T23:30:00+00:00" data-local-time' in page.get_data(as_text=True)
