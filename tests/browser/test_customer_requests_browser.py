"""A Russian customer asks for the link to their requests, opens it from the e-mail, goes
on to one request's status page and replies there with a screenshot, on a phone."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.test_two_step_browser import serious_violations_of
from tests.helpers import make_ticket
from webapp.extensions import db
from webapp.models import OutboxMessage

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


def test_a_customer_asks_for_the_link_and_follows_it_to_a_request(page, live_server, builtin_forms):
    older = make_ticket(
        subject="Не приходит чек", customer_locale="ru", customer_email="ivan@example.ru"
    )
    newer = make_ticket(
        subject="Снова не приходит чек", customer_locale="ru", customer_email="ivan@example.ru"
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/t/{older.status_token}")
    page.get_by_role("link", name="Все Ваши обращения").click()
    expect(page.get_by_role("heading", name="Ваши обращения")).to_be_visible()
    assert not serious_violations_of(page)

    page.get_by_label("Ваш адрес эл. почты").fill("ivan@")
    page.get_by_role("button", name="Отправить мне ссылку").click()
    expect(page.get_by_role("alert")).to_be_visible()  # refused in Russian, typed text kept
    expect(page.get_by_label("Ваш адрес эл. почты")).to_have_value("ivan@")
    page.get_by_label("Ваш адрес эл. почты").fill("ivan@example.ru")
    page.get_by_role("button", name="Отправить мне ссылку").click()
    expect(page.get_by_role("heading", name="Проверьте почтовый ящик")).to_be_visible()

    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "requests_link"))
    link = urlsplit(re.search(r"https?://\S+/requests/\S+", mail.body_text).group(0))
    page.goto(f"{live_server}{link.path}?{link.query}")
    cards = page.locator(".customer-request")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text(newer.number)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone
    assert not serious_violations_of(page)
    cards.nth(1).get_by_role("link").click()
    expect(page.get_by_role("heading", name=f"Ваше обращение {older.number}")).to_be_visible()

    # …and answers there with a screenshot.
    page.get_by_label("Добавить сообщение").fill("Вот скриншот")
    page.get_by_label("Прикрепить файлы (необязательно)").set_input_files(
        [{"name": "скриншот.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_role("button", name="Отправить", exact=True).click()
    expect(page.locator(".bubble.customer").last).to_contain_text("Вот скриншот")
    expect(page.locator(".bubble.customer .attached-file").last).to_contain_text(".png")
    assert not serious_violations_of(page)


def test_an_address_the_browser_filled_in_and_sent_at_once_is_asked_again(
    page, live_server, app, builtin_forms
):
    """Autofill and Enter within a second of loading: the page does not pretend to have sent
    it. It keeps the address, asks in Slovenian to send it again, and Enter then sends it."""
    make_ticket(customer_locale="sl", customer_email="maja@example.si")
    app.config["FORM_MIN_SECONDS_FIRST_ANSWER"] = 30
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server}/sl/requests")
    page.get_by_label("Vaš e-poštni naslov").fill("maja@example.si")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="To je bilo hitro!")).to_be_visible()
    field = page.get_by_label("Vaš e-poštni naslov")
    expect(field).to_have_value("maja@example.si")
    expect(field).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Preverite svoj e-poštni predal")).to_be_visible()
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "requests_link"))
    assert mail is not None and mail.to_address == "maja@example.si"


def test_on_a_narrow_phone_the_introduction_stands_clear_of_the_language_names(
    page, live_server, builtin_forms
):
    """At 320 px in Slovenian the names wrap to a second line; the text under them did not
    start a line lower, so it read as part of the list."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server}/sl/requests")
    names = page.get_by_role("navigation", name="Jezik").bounding_box()
    intro = page.locator(".requests-intro").bounding_box()
    assert intro["y"] - (names["y"] + names["height"]) >= 8
