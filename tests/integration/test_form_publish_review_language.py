"""The review before publishing a form speaks the admin's language where the form does."""

from __future__ import annotations

import html
import re

import pytest

from tests.helpers import text_of
from webapp.extensions import db
from webapp.models import Role
from webapp.services import drafts, form_studio
from webapp.services.forms import find_form, publish_form

LIVE = """\
slug: shop
title: {en: "Shop feedback", pl: "Opinia o sklepie"}
languages: [en, pl]
questions:
  - id: comment
    type: long_text
    text: {en: "Anything else?", pl: "Coś jeszcze?"}
  - id: old_one
    type: short_text
    text: {en: "Old question", pl: "Stare pytanie"}
endings:
  - text: {en: "Thanks!", pl: "Dzięki!"}
"""

DRAFT = """\
slug: shop
title: {en: "Shop feedback", pl: "Opinia o sklepie"}
languages: [en, pl]
questions:
  - id: comment
    type: long_text
    text: {en: "Anything else?", pl: "Coś jeszcze?"}
  - id: delivery
    type: short_text
    text: {en: "How was the delivery?", pl: "Jak minęła dostawa?"}
endings:
  - text: {en: "Thanks!", pl: "Dzięki!"}
  - text: {en: "See you soon", pl: "Do zobaczenia"}
"""


def review_text(client) -> str:
    """The review in words, without the YAML differences below it (those hold every language)."""
    page = client.get("/admin/forms/shop/publish").get_data(as_text=True)
    words = page.split('<details class="review-yaml">')[0]
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", words).split()))


@pytest.fixture
def admin_in(create_user, login):
    def make(locale: str):
        user = create_user(email=f"{locale}@example.com", role=Role.ADMIN, locale=locale)
        login(user)
        return user

    return make


def save_draft(text: str, actor) -> None:
    form_studio.save_draft(find_form("shop"), text, revision=None, base_number=1, actor=actor)
    db.session.commit()


def test_a_polish_admin_reads_the_changed_questions_in_polish(app, client, admin_in):
    admin = admin_in("pl")
    publish_form("shop", LIVE, admin)
    save_draft(DRAFT, admin)
    page = review_text(client)
    assert "delivery Krótki tekst — Jak minęła dostawa?" in page  # added, from the draft
    assert "old_one Krótki tekst — Stare pytanie" in page  # removed, from the live version
    assert "Do zobaczenia" in page  # the added ending
    assert "How was the delivery?" not in page


def test_a_language_the_form_lacks_falls_back_to_its_default(app, client, admin_in):
    admin = admin_in("ru")
    publish_form("shop", LIVE, admin)
    save_draft(DRAFT, admin)
    page = review_text(client)
    assert "How was the delivery?" in page and "Old question" in page


def test_a_first_publication_names_its_title_and_questions_in_polish(
    app, client, admin_in, post_form
):
    admin_in("pl")
    assert post_form("/admin/forms", {"slug": "shop", "template": "blank"}).status_code == 303
    draft = drafts.current("form", "shop")
    saved = post_form(
        "/admin/forms/shop/yaml", {"yaml_text": DRAFT, "revision": str(draft.revision)}
    )
    assert saved.status_code == 303
    page = review_text(client)
    assert "Publikacja utworzy wersję 1" in page
    assert "Opinia o sklepie" in page
    assert "Jak minęła dostawa?" in page and "How was the delivery?" not in page


def test_the_forms_list_and_overview_speak_the_admins_language(app, client, admin_in):
    admin = admin_in("pl")
    publish_form("shop", LIVE, admin)
    db.session.commit()
    forms = html.unescape(text_of(client.get("/admin/forms")))
    assert "Opinia o sklepie" in forms and "Shop feedback" not in forms
    assert "Angielski Polski" in forms  # the languages by name, not en pl
    overview = html.unescape(text_of(client.get("/admin/forms/shop")))
    assert "Opinia o sklepie" in overview
    assert "Języki Angielski (domyślny), Polski" in overview


def test_a_form_without_the_admins_language_is_titled_in_its_default(app, client, admin_in):
    publish_form("shop", LIVE, admin_in("sl"))
    db.session.commit()
    assert "Shop feedback" in html.unescape(text_of(client.get("/admin/forms/shop")))
