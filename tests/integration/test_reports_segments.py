"""Reports: CSAT and CES week by week, feedback by language and channel, the labels on the
period's tickets against the period before, and the whole report as one CSV file."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import yaml
from sqlalchemy import delete

from tests.helpers import completed_response as _completed
from tests.helpers import make_ticket, text_of
from webapp.extensions import db
from webapp.models import TicketLabel, utcnow
from webapp.services import forms as form_service
from webapp.services.report_export import COLUMNS
from webapp.services.report_themes_cache import themes_cache
from webapp.services.reports import LABELS_SHOWN, build_report

EFFORT_FORM = {
    "slug": "effort",
    "title": {"en": "How easy was it?"},
    "languages": ["en"],
    "default_language": "en",
    "questions": [
        {"id": "effort", "type": "ces", "text": {"en": "How easy was it to get help?"}},
    ],
}


@pytest.fixture
def forms(builtin_forms):
    """The shipped forms (NPS, CSAT, goal…) and one scored by CES; the agent who reads them."""
    form_service.publish_form("effort", yaml.safe_dump(EFFORT_FORM))
    db.session.commit()
    return builtin_forms


def _tickets_labelled(*label_sets, days_ago: float):
    """A ticket created `days_ago` per set of labels, nothing else on them."""
    tickets = []
    for labels in label_sets:
        ticket = make_ticket()
        ticket.created_at = utcnow() - timedelta(days=days_ago)
        db.session.execute(delete(TicketLabel).where(TicketLabel.ticket_id == ticket.id))
        db.session.add_all(TicketLabel(ticket_id=ticket.id, name=name) for name in labels)
        db.session.commit()
        tickets.append(ticket)
    return tickets


def _csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_weeks_show_csat_and_ces_beside_nps(client, login, forms):
    for score in (5, 4, 2):
        _completed("csat", {"csat": score})
    for score in (7, 3):
        _completed("effort", {"effort": score})
    _completed("nps", {"score": 10})
    _completed("goal", {"goal": "yes"}, ago=timedelta(days=7))  # last week: no scores
    login(forms)
    page = text_of(client.get("/reports?days=30"))
    assert "Satisfaction (CSAT) Effort (CES)" in page
    # This week: 6 completed; CSAT (5 + 4 + 2) / 3 = 3.7, 2 of 3 satisfied; CES (7 + 3) / 2
    # = 5.0, 1 of 2 easy (5–7).
    assert (
        " 6 +100 (1 answer) 3.7 of 5 67% satisfied (3 answers)"
        " 5.0 of 7 50% found it easy (2 answers) 0 0" in page
    )
    assert " 1 — — — 0 0" in page  # last week: a goal answer scores none of them


def test_an_empty_period_says_so_in_each_new_table(client, login, forms):
    login(forms)
    page = text_of(client.get("/reports?days=7"))
    assert " 0 — — — 0 0" in page
    assert page.count("No completed responses in this period.") == 2  # languages, channels
    assert "No labels on the tickets created in this period." in page


def test_feedback_by_language_and_channel_in_the_viewers_words(client, login, create_user, forms):
    _completed("nps", {"score": 10}, locale="pl", channel="web")
    _completed("nps", {"score": 0}, locale="pl", channel="widget")
    _completed("csat", {"csat": 4}, locale="pl", channel="widget")
    _completed("csat", {"csat": 1}, locale="en", channel="email")
    _completed("effort", {"effort": 6}, locale="sl", channel="web")
    _completed("goal", {"goal": "yes"}, locale="ru", channel="web")
    _completed("nps", {"score": 9}, locale="pl", done=False)  # not finished: not counted
    _completed("nps", {"score": 0}, locale="en", ago=timedelta(days=40))  # before the period
    login(create_user(email="ola.nowak@example.com", name="Ola", locale="pl"))
    page = text_of(client.get("/reports?days=30"))
    assert "Opinie według języka klienta" in page and "Opinie według kanału" in page
    # Polish: 3 responses; NPS of 10 and 0 is 0; one CSAT of 4.
    assert "Polski 3 0 (2 odpowiedzi) 4,0 z 5 100% zadowolonych (1 odpowiedź) —" in page
    # The other languages, one response each, in code order: en, ru, sl.
    assert (
        "Angielski 1 — 1,0 z 5 0% zadowolonych (1 odpowiedź) — Rosyjski 1 — — — "
        "Słoweński 1 — — 6,0 z 7 100% uznało to za łatwe (1 odpowiedź)" in page
    )
    assert (
        "Formularz na naszej stronie 3 +100 (1 odpowiedź) — 6,0 z 7 100% uznało to za łatwe"
        " (1 odpowiedź) Widżet na stronie internetowej 2 -100 (1 odpowiedź) 4,0 z 5 100%"
        " zadowolonych (1 odpowiedź) — Link w e-mailu 1 — 1,0 z 5 0% zadowolonych" in page
    )


def test_labels_count_the_periods_tickets_against_the_period_before(
    client, login, create_user, forms
):
    _tickets_labelled(["Billing", "Delivery"], ["billing"], ["Delivery"], ["Returns"], days_ago=2)
    earlier = (["Billing", "Delivery"], ["Delivery"], ["Delivery"], ["Delivery"])
    _tickets_labelled(*earlier, days_ago=45)
    _tickets_labelled(["Billing", "Refund"], days_ago=70)  # before the period before
    _tickets_labelled(["Refund"], days_ago=40)  # only before: not among this period's
    report = build_report(utcnow(), 30, "No team", "All teams")
    figures = [(lb.name, lb.tickets, lb.previous, lb.share, lb.change) for lb in report.labels]
    # 4 tickets in the period; "billing" is "Billing" (the board's filter ignores case),
    # spelt as most tickets spell it.
    assert figures == [
        ("Billing", 2, 1, 0.5, 1),
        ("Delivery", 2, 4, 0.5, -2),
        ("Returns", 1, 0, 0.25, 1),
    ]
    login(create_user(email="ola.nowak@example.com", name="Ola", locale="pl"))
    response = client.get("/reports?days=30")
    page, html = text_of(response), response.get_data(as_text=True)
    assert "Etykieta Zgłoszenia Udział w zgłoszeniach okresu Zmiana wobec poprzednich 30 dni" in (
        page
    )
    assert "Billing 2 50% +1 1 więcej niż w poprzednim okresie" in page
    assert "Delivery 2 50% −2 2 mniej niż w poprzednim okresie" in page
    assert "Returns 1 25% +1 1 więcej niż w poprzednim okresie" in page
    assert 'href="/board?label=Billing"' in html
    assert '<span aria-hidden="true">−2</span>' in html  # the screen reader reads the words


def test_only_the_most_used_labels_are_shown(client, login, forms):
    names = [f"Topic {n:02d}" for n in range(1, LABELS_SHOWN + 2)]
    _tickets_labelled(names, ["Topic 09"], days_ago=1)
    labels = [lb.name for lb in build_report(utcnow(), 7, "No team", "All teams").labels]
    assert len(labels) == LABELS_SHOWN
    assert labels[0] == "Topic 09"  # on two tickets
    assert f"Topic {LABELS_SHOWN + 1:02d}" not in labels  # the last of the ties by name
    login(forms)
    page = text_of(client.get("/reports?days=7"))
    assert "At most 15 labels, the most used first" in page


def test_the_report_downloads_as_one_csv_with_plain_numbers(client, login, forms):
    _completed("csat", {"csat": 4}, locale="pl", channel="widget")
    _completed("csat", {"csat": 1}, locale="pl", channel="widget")
    _completed("nps", {"score": 9}, ago=timedelta(days=20))
    _tickets_labelled(["=SUM(A1:A9)", "Billing"], ["Billing"], days_ago=1)
    _tickets_labelled(["Billing"], days_ago=10)  # in the 30 days, before the 7
    login(forms)
    page = client.get("/reports?days=7").get_data(as_text=True)
    assert 'href="/reports.csv?days=7"' in page and "Download this report as CSV" in page
    response = client.get("/reports.csv?days=7")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="report-7-days-' in response.headers["Content-Disposition"]
    header = response.get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert header == ",".join(COLUMNS)
    rows = _csv_rows(response)
    assert {r["section"] for r in rows} == {
        "teams",
        "agents",
        "weeks",
        "languages",
        "channels",
        "labels",
    }
    total = next(r for r in rows if r["section"] == "teams" and r["key"] == "(all)")
    assert (total["name"], total["tickets_created"], total["responses"]) == ("All teams", "2", "")
    (polish,) = [r for r in rows if r["section"] == "languages"]
    assert (polish["key"], polish["name"], polish["responses"]) == ("pl", "Polish", "2")
    assert (polish["csat_average"], polish["csat_satisfied_share"], polish["csat_answers"]) == (
        "2.5",
        "0.5",
        "2",
    )
    assert polish["nps"] == polish["ces_average"] == ""
    (widget,) = [r for r in rows if r["section"] == "channels"]
    assert (widget["key"], widget["name"]) == ("widget", "Widget on a website")
    labels = [r for r in rows if r["section"] == "labels"]
    assert [(r["key"], r["tickets_created"], r["tickets_created_share"]) for r in labels] == [
        ("Billing", "2", "1.0"),
        ("'=SUM(A1:A9)", "1", "0.5"),  # a formula is shown, not run
    ]
    assert labels[0]["tickets_created_previous_period"] == "1"
    assert labels[0]["tickets_created_change"] == "1"
    weeks = [r for r in rows if r["section"] == "weeks"]
    assert sum(int(r["responses"]) for r in weeks) == 2
    assert all(r["key"][:4].isdigit() and r["name"] for r in weeks)  # 2026-11-30, a span
    # The 30 days hold the NPS answer of 20 days ago too.
    month = _csv_rows(client.get("/reports.csv?days=30"))
    assert sum(int(r["responses"]) for r in month if r["section"] == "weeks") == 3
    assert any(r["nps"] == "100" for r in month if r["section"] == "channels")
    assert client.get("/reports.csv?days=abc").status_code == 200  # the default period


def test_the_csv_is_for_staff(client):
    response = client.get("/reports.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_page_costs_the_same_queries_however_much_there_is(client, login, forms, count_queries):
    login(forms)
    client.get("/reports?days=30")  # caches filled

    def statements(path: str) -> int:
        themes_cache().clear()  # the CSV's themes counted each time, not kept from before
        with count_queries() as run:
            assert client.get(path).status_code == 200
        return len(run)

    before = (statements("/reports?days=30"), statements("/reports.csv?days=30"))
    for n, (locale, channel) in enumerate(
        [("pl", "web"), ("ru", "widget"), ("sl", "email"), ("en", "widget"), ("de", "web")]
    ):
        _completed("nps", {"score": n * 2}, locale=locale, channel=channel)
        _completed("csat", {"csat": 1 + n % 5}, locale=locale, channel=channel)
        _completed("effort", {"effort": 1 + n}, locale=locale, channel=channel)
        _completed("goal", {"goal": "no"}, locale=locale, channel=channel, ago=timedelta(days=9))
    _tickets_labelled(["A", "B", "C"], ["B", "D"], days_ago=3)
    _tickets_labelled(["A", "E"], days_ago=40)
    after = (statements("/reports?days=30"), statements("/reports.csv?days=30"))
    assert after == before
