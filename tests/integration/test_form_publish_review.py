"""Publishing a form's draft goes through a review of what changes for customers."""

import pytest

from tests.helpers import text_of
from webapp.extensions import db
from webapp.models import Form, FormVersion, Role
from webapp.services import drafts
from webapp.services.forms import find_form, publish_form

FORM = """\
slug: shop
title: {en: Shop, pl: Sklep}
languages: [en, pl]
questions:
  - id: score
    type: nps
    text: {en: "How likely?", pl: "Jak bardzo?"}
  - id: colour
    type: single_choice
    text: {en: "Colour?", pl: "Kolor?"}
    choices:
      - {value: red, label: {en: Red, pl: Czerwony}}
      - {value: blue, label: {en: Blue, pl: Niebieski}}
endings:
  - text: {en: Thanks, pl: Dzięki}
"""
REVIEW = "/admin/forms/shop/publish"


@pytest.fixture
def shop(app):
    version = publish_form("shop", FORM)
    db.session.commit()
    return version


@pytest.fixture
def as_admin(client, login, admin, shop):
    login(admin)
    return client


SCORE_Q = "“How likely are you to recommend…”"


def edit(post_form, path: str, data: dict, revision: str):
    reply = post_form(f"/admin/forms/shop/edit/{path}", {**data, "revision": revision}, htmx=True)
    assert reply.status_code == 200, text_of(reply)
    return reply


def versions() -> list[int]:
    db.session.expire_all()
    return sorted(v.number for v in db.session.scalars(db.select(FormVersion)))


def test_publish_shows_what_changes_then_publishes_what_was_reviewed(as_admin, post_form):
    edit(
        post_form, "text", {"target": "questions/colour/text", "lang": "pl", "value": "Barwa?"}, ""
    )
    edit(
        post_form,
        "condition",
        {
            "target": "questions/colour",
            "action": "save",
            "question": "score",
            "op": "category",
            "value": "promoter",
        },
        "1",
    )
    builder = as_admin.get("/admin/forms/shop/edit")
    assert f'href="{REVIEW}"' in builder.get_data(as_text=True)
    edit(post_form, "questions", {"type": "email"}, "2")
    for revision, (lang, words) in enumerate((("en", "Your e-mail?"), ("pl", "Twój e-mail?")), 3):
        edit(
            post_form,
            "text",
            {"target": "questions/email_1/text", "lang": lang, "value": words},
            str(revision),
        )
    assert versions() == [1]  # nothing is published by opening the review

    review = as_admin.get(REVIEW)
    assert review.status_code == 200
    text = text_of(review)
    assert "Compared with the live version 1" in text
    assert "Added: email_1 E-mail — Your e-mail?" in text
    assert "Question text pl Kolor? → Barwa?" in text
    assert (
        "Was always shown; now shown only when “How likely?” is in the group “Promoters (9–10)”."
        in text
    )
    assert "The differences in the YAML" in text
    html = review.get_data(as_text=True)
    assert 'name="revision" value="5"' in html and "Publish as version 2" in text
    assert 'href="/admin/forms/shop/edit"' in html  # Back
    from_overview = as_admin.get(f"{REVIEW}?from=overview").get_data(as_text=True)
    assert (
        'href="/admin/forms/shop" role="button" class="secondary outline">Back to the overview'
        in from_overview
    )
    overview = as_admin.get("/admin/forms/shop").get_data(as_text=True)
    assert f'href="{REVIEW}?from=overview" role="button"' in overview

    published = post_form(REVIEW, {"revision": "5", "reviewed": "1"})
    assert published.status_code == 303 and versions() == [1, 2]
    assert "Version 2 is live" in text_of(as_admin.get(published.headers["Location"]))
    assert drafts.current("form", "shop") is None


def test_inside_the_builder_htmx_swaps_the_review_in_and_back_out(as_admin, post_form):
    edit(post_form, "text", {"target": "title", "lang": "en", "value": "Our shop"}, "")
    review = as_admin.get(REVIEW, headers={"HX-Request": "true"})
    html = review.get_data(as_text=True)
    assert review.status_code == 200 and "<html" not in html
    assert "HX-Request" in review.headers["Vary"]
    assert "Title en Shop → Our shop" in text_of(review)
    assert 'hx-get="/admin/forms/shop/edit" hx-target="#form-builder"' in html
    back = as_admin.get("/admin/forms/shop/edit", headers={"HX-Request": "true"})
    assert back.status_code == 200 and "<html" not in back.get_data(as_text=True)
    assert 'id="builder-questions"' in back.get_data(as_text=True)
    # on a page of its own, Back is a plain link (there is no builder to swap into)
    page = as_admin.get(REVIEW).get_data(as_text=True)
    assert "<html" in page and 'hx-target="#form-builder"' not in page


def test_a_draft_with_problems_cannot_be_published_and_the_review_says_why(as_admin, post_form):
    edit(post_form, "questions", {"type": "short_text"}, "")  # no question text yet
    builder = as_admin.get("/admin/forms/shop/edit").get_data(as_text=True)
    assert '<button type="button" disabled>Review and publish</button>' in builder
    review = as_admin.get(REVIEW)
    text = text_of(review)
    assert "This draft cannot be published yet: 2 problems must be fixed first." in text
    assert "questions[2].text.en" in text
    assert 'type="submit" disabled' in review.get_data(as_text=True)
    refused = post_form(REVIEW, {"revision": "1", "reviewed": "1"})
    assert refused.status_code == 422 and versions() == [1]


def test_a_change_saved_after_the_review_was_opened_is_not_published_unseen(as_admin, post_form):
    edit(post_form, "text", {"target": "title", "lang": "en", "value": "Our shop"}, "")
    assert 'name="revision" value="1"' in as_admin.get(REVIEW).get_data(as_text=True)
    edit(post_form, "text", {"target": "title", "lang": "pl", "value": "Nasz sklep"}, "1")
    stale = post_form(REVIEW, {"revision": "1", "reviewed": "1"})
    assert stale.status_code == 303 and stale.headers["Location"].endswith(REVIEW)
    again = as_admin.get(stale.headers["Location"])
    assert "changed after you opened this review" in text_of(again)
    assert "Title pl Sklep → Nasz sklep" in text_of(again)
    assert versions() == [1]


def test_a_first_publication_summarises_what_goes_live(as_admin, post_form):
    created = post_form("/admin/forms", {"slug": "kiosk", "template": "nps"})
    assert created.status_code == 303
    review = as_admin.get("/admin/forms/kiosk/publish")
    text = text_of(review)
    assert "Review the form, then publish it for the first time" in text
    assert "version 1" in text and "/f/kiosk" in text
    assert "what_went_wrong Long text — Thanks for being honest" in text
    assert f"shown only when {SCORE_Q} is in the group “Detractors or passives (0–8)”" in text
    assert "Publish as version 1" in text
    html = review.get_data(as_text=True)
    revision = html.split('name="revision" value="', 1)[1].split('"', 1)[0]
    published = post_form("/admin/forms/kiosk/publish", {"revision": revision, "reviewed": "1"})
    assert published.status_code == 303
    db.session.expire_all()
    kiosk = find_form("kiosk")
    assert db.session.scalar(
        db.select(FormVersion).where(FormVersion.form_id == kiosk.id, FormVersion.active)
    )


def test_no_draft_and_agents(client, login, agent, shop):
    login(agent)
    assert client.get(REVIEW).status_code == 403
    client.post("/logout")


def test_without_a_draft_the_review_says_so(as_admin):
    review = as_admin.get(REVIEW)
    assert review.status_code == 200
    assert "There is no draft to publish" in text_of(review)
    assert "Publish as version" not in text_of(review)
    assert db.session.scalar(db.select(Form).where(Form.slug == "shop")) is not None


THREE_ENDINGS = FORM.replace(
    "endings:\n  - text: {en: Thanks, pl: Dzięki}\n",
    """endings:
  - when: {field: score.category, op: "=", value: promoter}
    text: {en: Great to hear, pl: Super}
  - when: {field: score.category, op: "=", value: passive}
    text: {en: We will do better, pl: Poprawimy się}
  - text: {en: Thanks, pl: Dzięki}
""",
)


def test_removing_the_middle_ending_is_reviewed_as_that_ending_removed(
    client, login, admin, app, post_form
):
    publish_form("shop", THREE_ENDINGS)
    db.session.commit()
    login(admin)
    edit(post_form, "endings/1/remove", {}, "")
    text = text_of(client.get(REVIEW))
    endings = text[text.index("Ending messages") : text.index("The differences in the YAML")]
    assert " ".join(endings.split()) == "Ending messages Ending 2 removed : We will do better"
    # The heading is bold, the colon right after it: no stray space before the colon.
    page = client.get(REVIEW).get_data(as_text=True)
    assert "Ending 2 removed</strong>: <del>We will do better</del>" in page
    admin.locale = "pl"
    db.session.commit()
    page = client.get(REVIEW).get_data(as_text=True)
    assert " </strong>:" not in page and "</strong> :" not in page
    # the removed text as the admin reads it: in Polish, which the form has
    assert "Usunięto zakończenie 2</strong>: <del>Poprawimy się</del>" in page


@pytest.mark.parametrize(
    ("locale", "added", "default", "listed", "option", "remove"),
    [
        (
            "pl",
            "Dodany język: rosyjski",
            "Język domyślny: angielski → polski",
            "Rosyjski",
            "Słoweński (sl)",
            "Usuń język angielski",
        ),
        (
            "ru",
            "Добавлен язык: русский",
            "Язык по умолчанию: английский → польский",
            "Русский",
            "Словенский (sl)",
            "Удалить язык английский",
        ),
        (
            "en",
            "Language added: Russian",
            "Default language: English → Polish",
            "Russian",
            "Slovenian (sl)",
            "Remove the language English",
        ),
    ],
)
def test_the_builder_and_the_review_name_languages_in_the_admins_language_and_casing(
    client, login, create_user, shop, post_form, locale, added, default, listed, option, remove
):
    """They said each language's own name, capitalised: "Dodany język: Русский"."""
    login(create_user(email="admin@example.com", role=Role.ADMIN, locale=locale))
    edit(post_form, "languages", {"lang": "ru", "action": "add"}, "")
    edit(post_form, "languages", {"lang": "pl", "action": "default"}, "1")
    builder = client.get("/admin/forms/shop/edit").get_data(as_text=True)
    assert f">{option}</option>" in builder
    assert f'aria-label="{remove}"' in builder
    assert f"<li><span>{listed}</span> <code>ru</code>" in builder
    text = text_of(client.get(REVIEW))
    assert added in text and default in text
