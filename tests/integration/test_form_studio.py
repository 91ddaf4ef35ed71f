"""Admins manage forms in the browser: list, raw YAML editor, publish, versions, copies, embed."""

from __future__ import annotations

import html as html_entities
import re
from html import unescape as html_unescape
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.helpers import csrf_token
from tests.helpers import text_of as tagless_text
from tests.integration.test_conversation_pages import Respondent
from webapp.extensions import db
from webapp.models import AuditEntry, Form, FormVersion, Response, Role, utcnow
from webapp.services import drafts
from webapp.services.forms import active_version, find_form, publish_form

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
NPS = (Path(__file__).resolve().parents[2] / "survey_forms/templates/nps.yaml").read_text()


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


@pytest.fixture
def as_admin(builtin_forms, admin, login):
    login(admin)
    return admin


def text_of(response) -> str:
    """Visible text with entities decoded, as the admin reads it."""
    return html_entities.unescape(tagless_text(response))


def simple_form(slug: str, title: str = "Shop feedback", question: str = "Anything else?") -> str:
    return f"""\
slug: {slug}
title: {{en: {title!r}, pl: "Opinia"}}
languages: [en, pl]
questions:
  - id: comment
    type: long_text
    text: {{en: {question!r}, pl: "Coś jeszcze?"}}
"""


def row_of(html: str, slug: str) -> str:
    """The forms-list table row of one form, as visible text."""
    for row in re.findall(r"<tr>.*?</tr>", html, flags=re.S):
        if f"<code>{slug}</code>" in row:
            return " ".join(re.sub(r"<[^>]+>", " ", row).split())
    raise AssertionError(f"no row for {slug}")


def add_responses(slug: str, complete: int, partial: int) -> None:
    form = find_form(slug)
    version = active_version(form)
    for index in range(complete + partial):
        db.session.add(
            Response(
                form=form,
                form_version_id=version.id,
                answers={},
                completed_at=utcnow() if index < complete else None,
            )
        )
    db.session.commit()


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def version_numbers(slug: str) -> list[int]:
    form = find_form(slug)
    return list(
        db.session.scalars(
            select(FormVersion.number).where(FormVersion.form_id == form.id).order_by("number")
        )
    )


# --- the list -------------------------------------------------------------------------


def test_the_list_shows_versions_languages_responses_and_completion(client, as_admin):
    publish_form("nps", NPS.replace("Your feedback", "Your opinion"), as_admin)
    db.session.commit()
    add_responses("nps", complete=3, partial=1)
    find_form("goal").archived = True
    db.session.commit()
    page = client.get("/admin/forms")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert (
        row_of(html, "nps") == "nps Your opinion 2 2 English Polish Russian Slovenian 3 1 75% Open"
    )
    assert row_of(html, "csat").endswith("0 0 — Open")
    assert row_of(html, "goal").endswith("Archived")
    assert 'href="/admin/forms"' in html  # in the admin menu


def test_the_list_leaves_spam_out_of_responses_and_completion(client, as_admin):
    from webapp.models import Response

    add_responses("nps", complete=3, partial=1)
    junk = db.session.scalars(select(Response).where(Response.completed_at.is_not(None))).first()
    junk.spam = True  # its ticket was marked as spam
    db.session.commit()
    html = client.get("/admin/forms").get_data(as_text=True)
    assert row_of(html, "nps").endswith(" 2 1 67% Open")


def test_the_list_needs_the_same_number_of_queries_for_one_form_or_five(
    client, admin, login, count_queries
):
    login(admin)
    publish_form("one", simple_form("one"), admin)
    db.session.commit()
    add_responses("one", 1, 1)
    client.get("/admin/forms")  # warm up (definitions are cached per version)
    with count_queries() as few:
        assert client.get("/admin/forms").status_code == 200
    for number in range(2, 6):
        publish_form(f"form-{number}", simple_form(f"form-{number}"), admin)
        publish_form(f"form-{number}", simple_form(f"form-{number}", title="Again"), admin)
        db.session.commit()
        add_responses(f"form-{number}", 2, 1)
    drafts.save("form", "form-3", "x: 1", revision=None, base_number=1, actor=admin)
    db.session.commit()
    with count_queries() as many:
        page = client.get("/admin/forms")
    assert text_of(page).count("Again") == 4
    assert len(many) == len(few), many


def test_a_new_form_starts_blank_or_from_a_built_in_and_its_address_is_checked(
    client, as_admin, post_form
):
    reply = post_form("/admin/forms", {"slug": "kiosk", "template": "blank"})
    assert reply.status_code == 303 and reply.headers["Location"].endswith(
        "/admin/forms/kiosk/edit"
    )
    assert "was created as a draft" in tagless_text(client.get(reply.headers["Location"]))
    # a draft: placeholder texts never reach customers before the admin publishes
    assert version_numbers("kiosk") == []
    assert client.get("/f/kiosk").status_code == 404
    assert "Not published yet" in tagless_text(client.get("/admin/forms")).split("kiosk")[1][:80]
    assert "Not published yet: customers cannot open it." in tagless_text(
        client.get("/admin/forms/kiosk")
    )
    draft = drafts.current("form", "kiosk")
    published = post_form("/admin/forms/kiosk/publish", {"revision": str(draft.revision)})
    assert published.status_code == 303
    assert version_numbers("kiosk") == [1] and client.get("/f/kiosk").status_code == 200
    post_form("/admin/forms", {"slug": "store-nps", "template": "nps"})
    db.session.expire_all()  # SQLite may give the new draft the published one's row id
    copied = drafts.current("form", "store-nps").yaml_text
    assert "slug: store-nps" in copied and "Jak prawdopodobne" in copied
    for slug, message in [
        ("Bad Slug!", "lowercase letters, digits and dashes"),
        ("nps", "exists already"),
        ("", "lowercase letters"),
    ]:
        refused = post_form("/admin/forms", {"slug": slug, "template": "blank"})
        assert refused.status_code == 422 and message in text_of(refused)
    refused = post_form("/admin/forms", {"slug": "other", "template": "../../etc/passwd"})
    assert refused.status_code == 422 and find_form("other") is None
    assert audit_actions().count("form.created") == 2


# --- the YAML editor ------------------------------------------------------------------


def test_the_editor_opens_on_the_live_version_and_validates_live_with_line_numbers(
    client, as_admin, post_form
):
    page = client.get("/admin/forms/nps/yaml")
    html = page.get_data(as_text=True)
    assert "Jak prawdopodobne" in html and 'name="revision" value=""' in html
    assert 'hx-post="/admin/forms/nps/validate"' in html and "delay:" in html
    broken = NPS.replace("type: nps", "type: stars").replace('  pl: "Twoja opinia"\n', "")
    reply = post_form("/admin/forms/nps/validate", {"yaml_text": broken}, htmx=True)
    assert reply.status_code == 200
    text = text_of(reply)
    line = next(n for n, row in enumerate(broken.splitlines(), 1) if "type: stars" in row)
    assert f"line {line} questions[0].type unknown question type 'stars'" in text
    assert "title.pl missing translation" in text and "2 problems" in text
    wrong_slug = post_form("/admin/forms/nps/validate", {"yaml_text": simple_form("csat")}, True)
    assert "line 1 slug the form is 'nps', not 'csat'" in text_of(wrong_slug)
    fine = post_form("/admin/forms/nps/validate", {"yaml_text": NPS}, htmx=True)
    assert "No problems" in text_of(fine)
    without_js = post_form("/admin/forms/nps/validate", {"yaml_text": broken})
    assert "<textarea" in without_js.get_data(as_text=True) and "unknown question type" in text_of(
        without_js
    )


def test_an_invalid_draft_is_saved_but_cannot_be_published(client, as_admin, post_form):
    broken = NPS.replace("type: nps", "type: stars")
    reply = post_form(
        "/admin/forms/nps/yaml", {"yaml_text": broken, "revision": "", "base_number": "1"}
    )
    assert reply.status_code == 303
    draft = drafts.current("form", "nps")
    assert draft.yaml_text == broken and draft.base_number == 1
    page = client.get("/admin/forms/nps/yaml")
    assert "type: stars" in page.get_data(as_text=True) and "unknown question type" in text_of(page)
    refused = post_form("/admin/forms/nps/publish", {"revision": str(draft.revision)})
    assert refused.status_code == 422
    assert "not published" in text_of(refused) and "unknown question type 'stars'" in text_of(
        refused
    )
    assert version_numbers("nps") == [1]
    db.session.expire_all()
    assert drafts.current("form", "nps").yaml_text == broken  # still there
    overview = client.get("/admin/forms/nps")
    assert "1 problem" in text_of(overview)


def test_publishing_makes_a_new_version_and_a_conversation_in_flight_keeps_its_own(
    client, app, as_admin, post_form
):
    customer_client = app.test_client()
    customer = Respondent(customer_client, "nps", True)
    customer.answer("3")
    assert customer.question == "what_went_wrong"
    renamed = NPS.replace("what_went_wrong", "what_to_improve")
    saved = post_form(
        "/admin/forms/nps/publish", {"yaml_text": renamed, "revision": "", "base_number": "1"}
    )
    # "Save and review" keeps the text as the draft and shows what publishing would change
    assert saved.status_code == 303 and "/admin/forms/nps/publish" in saved.headers["Location"]
    assert version_numbers("nps") == [1]
    review = client.get(saved.headers["Location"])
    assert "Removed: what_went_wrong" in text_of(review)
    assert "Added: what_to_improve" in text_of(review)
    reply = post_form("/admin/forms/nps/publish", {"revision": "1", "reviewed": "1"})
    assert reply.status_code == 303 and reply.headers["Location"].endswith("/admin/forms/nps")
    assert "Version 2 is live" in text_of(client.get(reply.headers["Location"]))
    assert version_numbers("nps") == [1, 2]
    assert drafts.current("form", "nps") is None  # the draft is gone once published
    assert audit_actions()[-2:] == ["form.draft_saved", "form.published"]
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.before, entry.after, entry.actor_id) == (
        {"version": 1},
        {"version": 2},
        as_admin.id,
    )
    assert Respondent(customer_client, "nps", True).question == "what_went_wrong"
    response = db.session.scalar(select(Response))
    assert response.form_version.number == 1
    fresh = Respondent(app.test_client(), "nps", True)
    fresh.answer("3")
    assert fresh.question == "what_to_improve"


def test_publishing_without_a_draft_or_discarding_one(client, as_admin, post_form):
    reply = post_form("/admin/forms/nps/publish", {"revision": ""})
    assert reply.status_code == 303
    assert "no draft to publish" in text_of(client.get(reply.headers["Location"]))
    post_form("/admin/forms/nps/yaml", {"yaml_text": NPS + "\n# note\n", "revision": ""})
    discarded = post_form("/admin/forms/nps/draft/discard")
    assert discarded.status_code == 303 and drafts.current("form", "nps") is None
    assert "form.draft_discarded" in audit_actions() and version_numbers("nps") == [1]


def test_two_admins_editing_at_once_get_a_conflict_not_an_overwrite(
    app, client, as_admin, post_form, create_user, login
):
    other = create_user(email="bo@example.com", name="Bo Boss", role=Role.ADMIN)
    second = app.test_client()
    token = csrf_token(app, second)
    second.post(
        "/login",
        data={"email": other.email, "password": "correct horse battery", "csrf_token": token},
    )
    client.get("/admin/forms/nps/yaml")  # both open the editor on version 1, no draft yet
    theirs = NPS.replace("Your feedback", "Bo's feedback")
    saved = second.post(
        "/admin/forms/nps/yaml",
        data={
            "yaml_text": theirs,
            "revision": "",
            "base_number": "1",
            "csrf_token": csrf_token(app, second),
        },
    )
    assert saved.status_code == 303
    mine = NPS.replace("Your feedback", "Ann's feedback")
    conflict = post_form(
        "/admin/forms/nps/yaml", {"yaml_text": mine, "revision": "", "base_number": "1"}
    )
    assert conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    assert "Someone else changed this draft" in html and "Bo Boss" in html
    assert "Bo&#39;s feedback" in html and "Ann&#39;s feedback" in html  # theirs, diff and mine
    assert 'class="diff-removed"' in html and 'class="diff-added"' in html
    assert 'name="revision" value="1"' in html  # saving again now replaces theirs knowingly
    db.session.expire_all()
    assert drafts.current("form", "nps").yaml_text == theirs
    # Publishing over their newer draft from a stale page is a conflict too.
    stale = post_form("/admin/forms/nps/publish", {"yaml_text": mine, "revision": ""})
    assert stale.status_code == 409 and version_numbers("nps") == [1]
    again = post_form(
        "/admin/forms/nps/yaml", {"yaml_text": mine, "revision": "1", "base_number": "1"}
    )
    assert again.status_code == 303
    db.session.expire_all()
    assert drafts.current("form", "nps").yaml_text == mine


@pytest.mark.parametrize(
    "text, message",
    [
        ("a: &x [1, 2]\nb: [*x, *x, *x]\n", "aliases (*name) are not allowed"),
        ("slug: nps\n" + "# padding\n" * 14000, "larger than 128 KB"),
    ],
    ids=["yaml-bomb", "over-the-loader-limit"],
)
def test_a_yaml_bomb_or_an_oversized_document_gets_a_message(post_form, as_admin, text, message):
    checked = post_form("/admin/forms/nps/validate", {"yaml_text": text}, htmx=True)
    assert checked.status_code == 200 and message in text_of(checked)
    published = post_form("/admin/forms/nps/publish", {"yaml_text": text, "revision": ""})
    assert published.status_code == 422 and message in text_of(published)
    assert version_numbers("nps") == [1]


def test_a_document_too_big_to_keep_as_a_draft_is_refused_and_nothing_is_lost(post_form, as_admin):
    post_form("/admin/forms/nps/yaml", {"yaml_text": NPS, "revision": ""})
    huge = "x" * (300 * 1024)
    for url in ("/admin/forms/nps/yaml", "/admin/forms/nps/publish"):
        reply = post_form(url, {"yaml_text": huge, "revision": "1"})
        assert reply.status_code == 422 and "larger than 256 KB" in text_of(reply)
    db.session.expire_all()
    assert drafts.current("form", "nps").yaml_text == NPS


# --- translations ---------------------------------------------------------------------


def test_translation_completeness_per_language_of_the_draft(client, as_admin, post_form):
    page = client.get("/admin/forms/nps/translations")
    assert "live version 1" in text_of(page)
    untranslated = NPS.replace('          pl: "Nie teraz"\n', "").replace('  sl: "Loopdesk"\n', "")
    post_form("/admin/forms/nps/yaml", {"yaml_text": untranslated, "revision": ""})
    text = text_of(client.get("/admin/forms/nps/translations"))
    assert "Of the draft" in text
    assert re.search(r"pl \d+% .*questions\[2\]\.choices\[1\]\.label — Not right now", text)
    assert re.search(r"sl \d+% .* bot_name — Loopdesk", text)
    assert "en (default) 100%" in text


# --- versions, diff, roll back --------------------------------------------------------


def test_versions_diff_and_roll_back(client, as_admin, post_form):
    publish_form("nps", NPS.replace("Your feedback", "Version two"), as_admin)
    db.session.commit()
    page = client.get("/admin/forms/nps/versions")
    text = text_of(page)
    assert "Ann Admin" in text and "built in" in text and "live" in text
    html = page.get_data(as_text=True)
    assert '<span class="diff-removed">' in html and "Your feedback" in html  # 1 → 2 by default
    diff = client.get("/admin/forms/nps/versions?a=2&b=1").get_data(as_text=True)
    assert re.search(r'class="diff-added">.*Your feedback', diff)
    assert re.search(r'class="diff-removed">.*Version two', diff)
    post_form(
        "/admin/forms/nps/yaml",
        {"yaml_text": NPS.replace("Your feedback", "Drafty"), "revision": ""},
    )
    against_draft = client.get("/admin/forms/nps/versions?a=2&b=draft").get_data(as_text=True)
    assert re.search(r'class="diff-added">.*Drafty', against_draft)
    assert client.get("/admin/forms/nps/versions?a=9&b=1").status_code == 422
    assert client.get("/admin/forms/nps/versions?a=x&b=1").status_code == 422
    rolled = post_form("/admin/forms/nps/versions/1/rollback")
    assert rolled.status_code == 303
    assert "Version 1 was published again as version 3" in text_of(
        client.get(rolled.headers["Location"])
    )
    assert version_numbers("nps") == [1, 2, 3]
    assert active_version(find_form("nps")).yaml_text == NPS
    assert drafts.current("form", "nps") is not None  # an unrelated draft is kept
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "form.rolled_back")
    ).one()
    assert entry.after == {"version": 3, "copied_from": 1}
    missing = post_form("/admin/forms/nps/versions/42/rollback")
    assert "There is no version 42" in text_of(client.get(missing.headers["Location"]))


# --- duplicate, archive ---------------------------------------------------------------


def test_duplicating_a_form_gives_a_new_slug_version_1_and_a_new_secret(
    client, as_admin, post_form
):
    original = find_form("nps")
    reply = post_form("/admin/forms/nps/duplicate", {"new_slug": "nps-shop"})
    assert reply.status_code == 303 and reply.headers["Location"].endswith("/admin/forms/nps-shop")
    copy = find_form("nps-shop")
    assert version_numbers("nps-shop") == [1]
    assert copy.secret != original.secret
    text = active_version(copy).yaml_text
    assert text.startswith("# NPS with follow-up") and "\nslug: nps-shop\n" in text
    assert client.get("/f/nps-shop").status_code == 200
    taken = post_form("/admin/forms/nps/duplicate", {"new_slug": "csat"})
    assert "exists already" in text_of(client.get(taken.headers["Location"]))
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "form.duplicated")
    ).one()
    assert entry.after == {"copied_from": "nps"}


def test_duplicating_a_json_form_rewrites_its_slug_too(as_admin, post_form):
    import json

    import yaml

    publish_form("json-form", json.dumps(yaml.safe_load(simple_form("json-form"))), as_admin)
    db.session.commit()
    post_form("/admin/forms/json-form/duplicate", {"new_slug": "json-copy"})
    assert yaml.safe_load(active_version(find_form("json-copy")).yaml_text)["slug"] == "json-copy"


def test_an_archived_form_shows_the_closed_page_until_opened_again(
    client, app, as_admin, post_form
):
    customer = app.test_client()
    midway = Respondent(app.test_client(), "nps", True)
    midway.answer("9")
    reply = post_form("/admin/forms/nps/archive", {"archived": "1"})
    assert reply.status_code == 303 and find_form("nps").archived
    closed = customer.get("/f/nps?embed=1&channel=widget")
    assert closed.status_code == 410 and "no longer collecting answers" in text_of(closed)
    late = midway.answer("yes")  # a conversation already under way is closed politely too
    assert late.status_code == 204  # htmx goes to the closed page: a reload posts nothing
    closed = midway.client.get(late.headers["HX-Redirect"])
    assert closed.status_code == 410 and "no longer collecting answers" in text_of(closed)
    assert "Archived" in text_of(client.get("/admin/forms/nps"))
    post_form("/admin/forms/nps/archive", {"archived": "0"})
    db.session.expire_all()
    assert not find_form("nps").archived and customer.get("/f/nps").status_code == 200
    assert audit_actions()[-2:] == ["form.archived", "form.unarchived"]


# --- embed code -----------------------------------------------------------------------


def test_a_site_that_forbids_inline_styles_gets_the_widget_style_sheet_line(client, as_admin):
    page = client.get("/admin/forms/nps/embed")
    html = page.get_data(as_text=True)
    line = "&lt;link id=&#34;ld-widget-css&#34; rel=&#34;stylesheet&#34; href=&#34;"
    assert line + "http://loopdesk.test/static/css/widget.css&#34;&gt;" in html
    assert "Your site forbids inline styles (Content-Security-Policy)?" in text_of(page)
    assert client.get("/static/css/widget.css").status_code == 200


def test_the_embed_code_uses_the_widget_options_and_shows_allowed_origins(client, as_admin):
    page = client.get("/admin/forms/nps/embed")
    html = page.get_data(as_text=True)
    assert (
        "&lt;script src=&#34;http://loopdesk.test/static/js/widget.js&#34; data-form=&#34;nps&#34;"
        in html
    )
    assert "data-trigger=&#34;button&#34;" in html and "None yet" in text_of(page)
    assert "js/copy_text.js" in html and 'data-copy-target="embed-code"' in html
    assert '<textarea id="embed-code" class="mono-text" rows="3" readonly' in html  # no JS needed
    assert "just before </body> on the pages" in text_of(page)
    assert "/widget/demo?form=nps&amp;trigger=button" in html
    with_origins = NPS.replace(
        "subject: what_went_wrong",
        "subject: what_went_wrong\nallowed_origins: [https://shop.example.com]",
    )
    publish_form("nps", with_origins, as_admin)
    db.session.commit()
    page = client.get("/admin/forms/nps/embed?trigger=delay&seconds=20&style=tab&lang=pl&days=7")
    html = page.get_data(as_text=True)
    for attribute in (
        "data-trigger=&#34;delay:20&#34;",
        "data-style=&#34;tab&#34;",
        "data-lang=&#34;pl&#34;",
        "data-days=&#34;7&#34;",
    ):
        assert attribute in html
    assert "https://shop.example.com" in text_of(page)
    odd = client.get("/admin/forms/nps/embed?trigger=%22%3E&lang=xx&days=-1&seconds=99999")
    assert odd.status_code == 200
    assert "data-trigger=&#34;button&#34;" in odd.get_data(as_text=True)
    assert "data-lang=&#34;auto&#34;" in odd.get_data(as_text=True)


def test_the_embed_code_brands_the_button_and_escapes_its_text(client, as_admin):
    plain = client.get("/admin/forms/nps/embed").get_data(as_text=True)
    assert "data-color" not in plain and "data-label" not in plain  # defaults stay short
    page = client.get(
        "/admin/forms/nps/embed?position=left&color=%23F5C542&label=%22%3E%3Cscript%3Ex%3C/script%3E"
    )
    snippet = html_unescape(
        re.search(r"<textarea[^>]*>(.*?)</textarea>", page.get_data(as_text=True), re.S).group(1)
    )
    assert 'data-position="left" data-color="#F5C542"' in snippet
    assert 'data-label="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in snippet
    # The demo link shows the same look.
    assert "position=left&amp;color=%23F5C542" in page.get_data(as_text=True)
    # A form with its own accent colour starts the button in it.
    publish_form(
        "nps",
        NPS.replace("\nquestions:", "\nbranding: {accent: '#7c3aed'}\nquestions:", 1),
        as_admin,
    )
    db.session.commit()
    snippet = html_unescape(client.get("/admin/forms/nps/embed").get_data(as_text=True))
    assert 'data-color="#7c3aed"' in snippet
    odd = client.get("/admin/forms/nps/embed?position=top&color=red;x&label=" + "a" * 90)
    snippet = html_unescape(
        re.search(r"<textarea[^>]*>(.*?)</textarea>", odd.get_data(as_text=True), re.S).group(1)
    )
    assert "data-position" not in snippet and 'data-color="#7c3aed"' in snippet
    assert f'data-label="{"a" * 40}"' in snippet


# --- safety ---------------------------------------------------------------------------


def test_form_texts_are_escaped_on_every_admin_page(client, as_admin, post_form):
    evil = simple_form("evil", title=XSS, question=XSS)
    publish_form("evil", evil, as_admin)
    publish_form("evil", evil.replace("Coś", "Coś<b>"), as_admin)
    db.session.commit()
    post_form("/admin/forms/evil/yaml", {"yaml_text": evil.replace("pl: ", "sl: "), "revision": ""})
    pages = [
        client.get(url)
        for url in (
            "/admin/forms",
            "/admin/forms/evil",
            "/admin/forms/evil/yaml",
            "/admin/forms/evil/translations",
            "/admin/forms/evil/versions",
            "/admin/forms/evil/versions?a=1&b=draft",
            "/admin/forms/evil/embed",
        )
    ]
    pages.append(post_form("/admin/forms/evil/validate", {"yaml_text": evil + "\n" + XSS}, True))
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200, page.request.path
        assert "<script>alert" not in html and "<img src=x" not in html, page.request.path
    assert "&lt;script&gt;alert" in pages[0].get_data(as_text=True)


ROUTES = [
    ("get", "/admin/forms"),
    ("post", "/admin/forms"),
    ("get", "/admin/forms/nps"),
    ("get", "/admin/forms/nps/yaml"),
    ("post", "/admin/forms/nps/yaml"),
    ("post", "/admin/forms/nps/validate"),
    ("post", "/admin/forms/nps/publish"),
    ("post", "/admin/forms/nps/draft/discard"),
    ("get", "/admin/forms/nps/translations"),
    ("get", "/admin/forms/nps/versions"),
    ("post", "/admin/forms/nps/versions/1/rollback"),
    ("post", "/admin/forms/nps/duplicate"),
    ("post", "/admin/forms/nps/archive"),
    ("get", "/admin/forms/nps/embed"),
]


def test_agents_get_403_on_every_route_and_visitors_the_login_page(
    app, client, builtin_forms, agent, login, post_form
):
    anonymous = app.test_client()
    for method, url in ROUTES:
        reply = anonymous.get(url) if method == "get" else anonymous.post(url)
        assert reply.status_code in (302, 400), (method, url)  # login page, or CSRF first
    login(agent)
    data = {
        "slug": "x",
        "template": "blank",
        "yaml_text": "slug: nps",
        "new_slug": "y",
        "archived": "1",
    }
    for method, url in ROUTES:
        reply = client.get(url) if method == "get" else post_form(url, data)
        assert reply.status_code == 403, (method, url)
    assert "Forms" not in text_of(client.get("/board")).split("Notifications")[0]
    assert db.session.scalar(select(func.count(Form.id))) == 4 and audit_actions() == []
    assert drafts.current("form", "nps") is None


def test_an_unknown_form_is_404(client, as_admin, post_form):
    assert client.get("/admin/forms/nope").status_code == 404
    assert post_form("/admin/forms/nope/publish", {"revision": "1"}).status_code == 404
