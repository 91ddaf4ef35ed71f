"""The widget demo shop page speaks English, Polish, Russian and Slovenian: chosen as on the
other public pages (/pl/widget/demo, ?lang=, else the browser's language), switched by its
language links, and the widget on it opens in the page's language."""

from __future__ import annotations

import html
import re

import pytest

from tests.helpers import text_of
from webapp.models import Role

# What a visitor reads on the page in each language, and the widget button's name there.
PAGES = {
    "pl": {
        "title": "Demo widżetu: przykładowy sklep",
        "texts": [
            "Kliknij przycisk „Opinia” w rogu.",
            "Dodaj widżet do swojej strony",
            "otwiera formularz w języku Twojej strony",
            "zakładka po lewej w Twoim kolorze",
        ],
        "current": "Polski",
    },
    "ru": {
        "title": "Демонстрация виджета: вымышленный магазин",
        "texts": [
            "Нажмите кнопку «Отзыв» в углу.",
            "Добавьте виджет на свой сайт",
            "открывает форму на языке Вашей страницы",
            "вкладка слева в Вашем фирменном цвете",
        ],
        "current": "Русский",
    },
    "sl": {
        "title": "Predstavitev pripomočka: namišljena trgovina",
        "texts": [
            "Kliknite gumb »Mnenje« v kotu.",
            "Dodajte pripomoček na svoje spletno mesto",
            "odpre obrazec v jeziku vaše strani",
            "zavihek na levi v vaši barvi",
        ],
        "current": "Slovenščina",
    },
}


def widget_tag(page) -> dict[str, str]:
    """The data- attributes of the <script> that loads the widget on the page."""
    source = page.get_data(as_text=True)
    tag = re.search(r'<script src="[^"]*/js/widget\.js"([^>]*)>', source).group(1)
    return {
        name: html.unescape(value) for name, value in re.findall(r'(data-[\w-]+)="([^"]*)"', tag)
    }


def language_links(page) -> dict[str, str]:
    """The page's language links: the language's own name -> the address it leads to."""
    source = page.get_data(as_text=True)
    nav = re.search(r'<nav aria-label="[^"]*" class="chat-languages">(.*?)</nav>', source, re.S)
    return {
        name: html.unescape(href)
        for href, name in re.findall(r'<a href="([^"]*)"[^>]*>([^<]+)</a>', nav.group(1))
    }


def current_language(page) -> str:
    source = page.get_data(as_text=True)
    return re.search(r'<a [^>]*aria-current="true">([^<]+)</a>', source).group(1)


@pytest.mark.parametrize("lang", ["pl", "ru", "sl"])
def test_the_demo_page_speaks_the_language_of_its_address(client, lang):
    expected = PAGES[lang]
    for address in (f"/{lang}/widget/demo", f"/widget/demo?lang={lang}"):
        page = client.get(address, headers={"Accept-Language": "en-GB,en;q=0.9"})
        assert page.status_code == 200, address
        assert f'<html lang="{lang}">' in page.get_data(as_text=True)
        text = text_of(page)
        assert text.startswith(expected["title"])  # the <title>
        for words in expected["texts"]:
            assert words in text, (address, words)
        assert "Add the widget to your own site" not in text
        # The widget opens in the page's language, on the form the page names.
        assert widget_tag(page)["data-lang"] == lang
        assert widget_tag(page)["data-form"] == "nps"
        assert current_language(page) == expected["current"]
        # The code to copy still says "auto": a site owner's page chooses for itself.
        assert 'data-lang="auto" data-trigger="button"' in html.unescape(
            page.get_data(as_text=True)
        )


def test_the_old_address_follows_the_browser_or_speaks_english(client):
    english = client.get("/widget/demo")
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert "Add the widget to your own site" in text_of(english)
    assert widget_tag(english)["data-lang"] == "en"
    polish = client.get("/widget/demo", headers={"Accept-Language": "pl-PL,en;q=0.5"})
    assert "Dodaj widżet do swojej strony" in text_of(polish)
    assert widget_tag(polish)["data-lang"] == "pl"
    unknown = client.get("/widget/demo?lang=xx", headers={"Accept-Language": "de-DE,fr;q=0.9"})
    assert widget_tag(unknown)["data-lang"] == "en"
    # The address's language comes before ?lang= and the browser's.
    russian = client.get("/ru/widget/demo?lang=sl", headers={"Accept-Language": "pl"})
    assert widget_tag(russian)["data-lang"] == "ru"
    assert client.get("/de/widget/demo").status_code == 404


def test_the_language_links_keep_the_form_and_the_widgets_look(client):
    page = client.get(
        "/pl/widget/demo?form=goal&trigger=scroll:30&style=tab&position=left"
        "&color=%23f5c542&label=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"
    )
    source = page.get_data(as_text=True)
    assert "<script>alert(1)" not in source  # the label, escaped wherever it is shown
    links = language_links(page)
    assert list(links) == ["English", "Polski", "Русский", "Slovenščina"]
    russian = client.get(links["Русский"])
    assert russian.status_code == 200
    assert "Добавьте виджет на свой сайт" in text_of(russian)
    assert widget_tag(russian) == {
        "data-form": "goal",
        "data-lang": "ru",
        "data-trigger": "scroll:30",
        "data-days": "0",
        "data-style": "tab",
        "data-position": "left",
        "data-color": "#f5c542",
        "data-label": '"><script>alert(1)</script>',
    }
    # Its other examples stay in the chosen language.
    examples = re.findall(r'<li><a href="([^"]*)">', russian.get_data(as_text=True))
    assert examples and all("lang=ru" in href for href in examples)


def test_staff_open_the_demo_in_their_own_language(client, builtin_forms, create_user, login):
    piotr = create_user(email="piotr@example.com", name="Piotr", role=Role.ADMIN, locale="pl")
    login(piotr)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/widget/demo?lang=pl"' in dashboard
    embed = client.get("/admin/forms/nps/embed?lang=sl&style=tab").get_data(as_text=True)
    demo = re.search(r'<a href="(/widget/demo\?[^"]*)"', embed).group(1)
    assert widget_tag(client.get(html.unescape(demo)))["data-lang"] == "sl"
    # "auto" on the embed page: the demo takes the browser's language, as a site would.
    embed = client.get("/admin/forms/nps/embed").get_data(as_text=True)
    assert "lang=" not in re.search(r'<a href="(/widget/demo\?[^"]*)"', embed).group(1)
