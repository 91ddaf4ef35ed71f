"""Reports: what customers write about — the themes of the period's written answers.

The Reports page leaves them out and fetches them after it is shown (`/reports/themes`, a
page of its own without JavaScript); a count is kept five minutes per process."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.helpers import completed_response, text_of
from webapp.extensions import db
from webapp.models import Form, utcnow
from webapp.services import report_themes
from webapp.services.forms import published_forms
from webapp.services.report_themes_cache import ThemesCache, themes_cache

HTMX = {"HX-Request": "true"}


def _answered(slug, answers, *, ago=timedelta(hours=1), locale="en"):
    """A response to `slug` completed `ago`, in `locale`."""
    completed_response(slug, answers, ago=ago, locale=locale)


def _themes_table(page: str) -> str:
    """The visible text of the themes table, from its title to the note under it."""
    return page[page.index("What customers write about") :]


def _themes(client, query: str = "", **kwargs):
    """The themes section as the Reports page fetches it (htmx)."""
    return client.get(f"/reports/themes{query}", headers=HTMX, **kwargs)


def _recount() -> None:
    """Forget the counts kept for five minutes, as if they were that old."""
    themes_cache().clear()


def _csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_themes_show_how_many_responses_mention_them_and_their_scores(client, login, builtin_forms):
    _answered("nps", {"score": 2, "what_went_wrong": "<b>Late delivery</b>, again!"})
    _answered("nps", {"score": 3, "what_went_wrong": "Late delivery and a rude courier."})
    _answered("nps", {"score": 8, "what_went_wrong": "Delivery was fine, the app is slow."})
    _answered("nps", {"score": 6, "what_went_wrong": "<script>alert(1)</script> slow app"})
    _answered("csat", {"csat": 5, "comment_positive": "Nice people"})  # said once: no theme
    login(builtin_forms)
    response = _themes(client, "?days=7")
    html = response.get_data(as_text=True)
    table = _themes_table(text_of(response))
    # Theme, responses, share of the 5 that wrote something, change, scores, forms.
    assert (
        "delivery 3 60% +3 3 more than in the previous period"
        " NPS: -67 (3 answers) · 67% detractors Your feedback (3)"
    ) in table
    assert "late delivery 2 40% +2 2 more than in the previous period NPS: -100" in table
    assert "app 2 40%" in table and "slow 2 40%" in table
    assert "nice" not in table.casefold().split() and "alert" not in table
    assert "<script>alert(1)</script>" not in html and "<b>Late" not in html
    assert "From 5 responses with written answers." in table


def test_each_form_a_theme_is_written_in_opens_its_matching_responses(
    client, login, builtin_forms, admin
):
    _answered("nps", {"score": 1, "what_went_wrong": "Dostawa była spóźniona."}, locale="pl")
    _answered("nps", {"score": 4, "what_went_wrong": "Nie było dostawy w piątek"}, locale="pl")
    _answered("nps", {"score": 5, "what_went_wrong": "Problem z dostawą"}, locale="pl")
    _answered("nps", {"score": 5, "what_went_wrong": "Zła aplikacja"}, locale="pl")
    login(admin)
    page = _themes(client).get_data(as_text=True)
    link = re.search(r'<a href="(/admin/forms/nps/responses\?[^"]+)">', page)
    assert link is not None, page
    url = link.group(1).replace("&amp;", "&")
    assert "mentions=dostaw" in url
    assert "dostawa 3" in text_of(_themes(client))  # the commonest spelling: a tie
    listed = text_of(client.get(url))
    assert "spóźniona" in listed and "piątek" in listed and "dostawą" in listed
    assert "Zła aplikacja" not in listed
    assert 'value="dostaw"' in client.get(url).get_data(as_text=True)


def test_agents_see_the_forms_without_links_to_the_admin_responses(client, login, builtin_forms):
    for _ in range(2):
        _answered("nps", {"score": 3, "what_went_wrong": "checkout broken"})
    login(builtin_forms)
    page = _themes(client).get_data(as_text=True)
    assert "/admin/forms/nps/responses" not in page
    assert "checkout broken" in text_of(_themes(client))


def test_the_period_decides_which_answers_count_and_the_change(client, login, builtin_forms):
    for ago in (1, 2):
        _answered("nps", {"score": 3, "what_went_wrong": "refund"}, ago=timedelta(days=ago))
    for ago in (10, 11, 12):
        _answered("nps", {"score": 3, "what_went_wrong": "refund"}, ago=timedelta(days=ago))
    login(builtin_forms)
    week = _themes_table(text_of(_themes(client, "?days=7")))
    assert "refund 2 100% −1" in week  # 3 in the 7 days before
    assert "Change against the previous 7 days" in week
    month = _themes_table(text_of(_themes(client, "?days=30")))
    assert "refund 5 100% +5" in month
    assert _themes(client, "?days=abc").get_data() == _themes(client, "?days=30").get_data()


def test_no_written_answers_says_so(client, login, builtin_forms):
    login(builtin_forms)
    assert "No written answers in this period." in text_of(_themes(client))
    _answered("nps", {"score": 3, "what_went_wrong": "One thing only"})
    _answered("nps", {"score": 4, "what_went_wrong": "Something else entirely"})
    _recount()
    table = _themes_table(text_of(_themes(client)))
    assert "No word or phrase comes up in more than one written answer" in table


@pytest.mark.parametrize(
    ("locale", "counting", "empty"),
    [
        ("pl", "Liczymy, o czym piszą klienci…", "Brak odpowiedzi pisemnych w tym okresie."),
        ("ru", "Считаем, о чём пишут клиенты…", "За этот период нет письменных ответов."),
        ("sl", "Štejemo, o čem pišejo stranke …", "V tem obdobju ni pisnih odgovorov."),
    ],
)
def test_the_themes_speak_the_viewers_language(client, login, create_user, locale, counting, empty):
    login(create_user(email="viewer@example.com", name="Viewer", locale=locale))
    assert counting in text_of(client.get("/reports"))
    assert empty in text_of(_themes(client))


def test_themes_in_the_csv(client, login, builtin_forms):
    for score, text in ((0, "Late delivery"), (10, "late delivery!"), (10, "=HYPERLINK delivery")):
        _answered("nps", {"score": score, "what_went_wrong": text})
    login(builtin_forms)
    rows = [r for r in _csv_rows(client.get("/reports.csv?days=7")) if r["section"] == "themes"]
    by_name = {r["name"]: r for r in rows}
    delivery = by_name["delivery"]
    assert (delivery["key"], delivery["responses"], delivery["responses_share"]) == (
        "deliver",
        "3",
        "1.0",
    )
    assert (delivery["nps"], delivery["nps_answers"], delivery["nps_detractor_share"]) == (
        "33",
        "3",
        "0.3333",
    )
    assert by_name["late delivery"]["responses_change"] == "2"
    assert "hyperlink" not in by_name  # said once


def test_a_report_reads_the_newest_answers_only_and_says_so(app, builtin_forms, monkeypatch):
    for n in range(5):
        _answered("nps", {"score": 3, "what_went_wrong": "slow refund"}, ago=timedelta(hours=n))
    since = utcnow() - timedelta(days=7)
    themes = report_themes.period_themes(since, 7, published_forms(), read_limit=3)
    assert themes.capped and themes.text_responses == 3
    assert [(t.text, t.responses) for t in themes.themes][0] == ("slow refund", 3)
    assert not report_themes.period_themes(since, 7, published_forms()).capped


def test_the_themes_cost_the_same_queries_however_many_answers(
    client, login, builtin_forms, count_queries
):
    for days_ago in (0, 9):  # a theme now and in the period before
        _answered("nps", {"score": 3, "what_went_wrong": "slow refund"}, ago=timedelta(days_ago))
        _answered("nps", {"score": 3, "what_went_wrong": "slow refund"}, ago=timedelta(days_ago))
    login(builtin_forms)
    _themes(client, "?days=7")  # warm the caches (of form definitions, of the user)

    def queries() -> int:
        _recount()
        with count_queries() as statements:
            assert "slow refund" in text_of(_themes(client, "?days=7"))
        return len(statements)

    few = queries()
    for n in range(30):
        _answered(
            "nps",
            {"score": n % 11, "what_went_wrong": f"slow refund {n}, courier lost parcel"},
            ago=timedelta(days=n % 14),
        )
        _answered("report-problem", {"description": "checkout button broken"})
    assert queries() == few


def test_admins_filter_a_forms_responses_by_the_words_they_mention(
    client, login, builtin_forms, admin
):
    _answered("nps", {"score": 2, "what_went_wrong": "The COURIER never came"})
    _answered("nps", {"score": 3, "what_went_wrong": "Prices went up 100%"})
    _answered("nps", {"score": 3, "what_went_wrong": "Slow site", "name": "Courier Jones"})
    login(admin)
    listed = text_of(client.get("/admin/forms/nps/responses?mentions=Courier"))
    assert "never came" in listed and "Prices went up" not in listed
    assert "Slow site" not in listed  # a name is not a written answer
    for odd in ("100%", "%_", "'; drop table x; --", "<b>x</b>", "a" * 5000):
        assert (
            client.get("/admin/forms/nps/responses", query_string={"mentions": odd}).status_code
            == 200
        )
    assert "Prices went up" in text_of(
        client.get("/admin/forms/nps/responses", query_string={"mentions": "100%"})
    )


def test_the_demo_has_themes_to_show(demo_data, client, login, admin):
    login(admin)
    table = _themes_table(text_of(_themes(client)))
    assert "No written answers" not in table and "No word or phrase" not in table
    assert re.search(r"\b(dostawa|доставка|dostava|delivery) \d+ \d+%", table), table


def test_the_page_comes_at_once_and_fetches_the_themes_after(client, login, builtin_forms):
    for _ in range(2):
        _answered("nps", {"score": 3, "what_went_wrong": "slow refund"})
    login(builtin_forms)
    response = client.get("/reports?days=7")
    page = response.get_data(as_text=True)
    assert "slow refund" not in page and "Word or phrase" not in page  # not counted here
    placeholder = re.search(r'<div id="report-themes"[^>]*>', page).group(0)
    assert 'hx-get="/reports/themes?days=7"' in placeholder
    assert 'hx-trigger="load"' in placeholder and 'aria-busy="true"' in placeholder
    text = text_of(response)
    assert "What customers write about Counting what customers write about…" in text
    # Without JavaScript: a plain link to the same section as a page.
    assert '<a href="/reports/themes?days=7">See what customers write about</a>' in page
    # A failure shows (app.js unhides it) a message with a way to try again.
    assert "could not be counted just now. Try again" in text
    assert "Download this report as CSV" in text


def test_the_section_alone_for_htmx_and_as_a_page_without_javascript(client, login, builtin_forms):
    _answered("nps", {"score": 3, "what_went_wrong": "<b>Slow refund</b>"})
    _answered("nps", {"score": 3, "what_went_wrong": "slow refund <script>alert(1)</script>"})
    login(builtin_forms)
    section = _themes(client, "?days=7")
    html = section.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="report-themes">') and "<html" not in html
    assert "HX-Request" in section.headers["Vary"]
    assert "<b>" not in html and "<script>" not in html  # the words, never the markup
    assert "slow refund 2 100%" in text_of(section)
    page = client.get("/reports/themes?days=7")  # the link a browser without JavaScript follows
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    text = text_of(page)
    assert "slow refund 2 100%" in text and "Back to the whole report" in text
    assert 'href="/reports?days=7"' in page.get_data(as_text=True)


def test_the_themes_are_for_staff_only(client, builtin_forms):
    _answered("nps", {"score": 3, "what_went_wrong": "slow refund"})
    _answered("nps", {"score": 3, "what_went_wrong": "slow refund"})
    for headers in ({}, HTMX):
        response = client.get("/reports/themes?days=7", headers=headers)
        assert response.status_code in (302, 401, 403)
        assert "slow refund" not in response.get_data(as_text=True)
    assert "/login" in client.get("/reports/themes").headers["Location"]
    # A customer who just answered a form is no member of staff either.
    assert client.get("/f/nps").status_code == 200
    assert "/login" in client.get("/reports/themes").headers["Location"]


def test_a_count_is_kept_five_minutes_then_made_again(
    client, login, builtin_forms, count_queries, monkeypatch
):
    from webapp.main import views
    from webapp.models import utcnow as real_utcnow

    for _ in range(2):
        _answered("nps", {"score": 3, "what_went_wrong": "slow refund"})
    login(builtin_forms)
    start = real_utcnow()
    monkeypatch.setattr(views, "utcnow", lambda: start)
    client.get("/reports?days=7")  # the page, then its themes
    first = text_of(_themes(client, "?days=7"))
    assert "slow refund 2 100%" in first and "Counted at" in first

    def reads_answers() -> tuple[str, bool]:
        with count_queries() as statements:
            text = text_of(_themes(client, "?days=7"))
        return text, any("answers" in s for s in statements)

    _answered("nps", {"score": 3, "what_went_wrong": "slow refund"})
    monkeypatch.setattr(views, "utcnow", lambda: start + timedelta(minutes=4, seconds=59))
    text, read = reads_answers()
    assert (text, read) == (first, False)  # the same count, no answer read again
    with count_queries() as statements:
        csv_rows = _csv_rows(client.get("/reports.csv?days=7"))
    assert not any("answers" in s for s in statements)  # the CSV after a view: no recount
    assert [r["responses"] for r in csv_rows if r["name"] == "slow refund"] == ["2"]
    monkeypatch.setattr(views, "utcnow", lambda: start + timedelta(minutes=5))
    text, read = reads_answers()
    assert read and "slow refund 3 100%" in text
    # Another period is counted on its own.
    assert "slow refund 3" in text_of(_themes(client, "?days=30"))


def test_archiving_a_form_counts_the_themes_again(client, login, builtin_forms, admin):
    for _ in range(2):
        _answered("nps", {"score": 3, "what_went_wrong": "slow refund"})
    login(builtin_forms)
    assert "slow refund" in text_of(_themes(client))
    form = db.session.scalar(select(Form).where(Form.slug == "nps"))
    form.archived = True
    db.session.commit()
    assert "No written answers in this period." in text_of(_themes(client))


def test_the_cache_keeps_a_bounded_number_of_counts():
    now = utcnow()
    cache = ThemesCache(size=2)
    for days in (7, 30, 90):
        cache.put((days, "en", ()), report_themes.Themes(counted_at=now))
    assert len(cache) == 2 and cache.get((7, "en", ()), now) is None
    assert cache.get((90, "en", ()), now) is not None
    assert cache.get((90, "en", ()), now - timedelta(seconds=1)) is None  # a clock set back


def test_an_erasure_anywhere_takes_the_customer_s_words_out_of_every_process_s_count(
    client, login, builtin_forms
):
    """Retention runs in the worker, an erasure in one web worker: the counts the other
    processes keep must not go on quoting the erased customer for five minutes."""
    from webapp.services.customer_data import erase_held_data, find_held_data

    for _ in range(2):
        _answered(
            "nps", {"score": 2, "what_went_wrong": "Rude courier.", "email": "jan@example.pl"}
        )
    _answered("nps", {"score": 3, "what_went_wrong": "Slow app, slow app."})
    _answered("nps", {"score": 4, "what_went_wrong": "The app is slow."})
    login(builtin_forms)
    assert "courier 2" in _themes_table(text_of(_themes(client)))  # counted, and kept

    erase_held_data(find_held_data("jan@example.pl"))
    db.session.commit()  # as another process would: this one's kept count is not cleared

    table = _themes_table(text_of(_themes(client)))
    assert "courier" not in table and "slow 2" in table
