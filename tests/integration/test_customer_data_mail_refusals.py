"""The customer-data page shows why an e-mail to the address failed: the mail server's
refusal, as the Sent mail page shows it (escaped, in the admin's language); once the address
is erased, neither page shows it. Real SMTP server that refuses GONE with a 550."""

from __future__ import annotations

import pytest

from tests.helpers import text_of
from tests.integration import refusing_smtp
from tests.integration.refusing_smtp import GONE, GONE_REPLY
from webapp.extensions import db
from webapp.models import OutboxMessage, OutboxStatus, Role
from webapp.outbox import queue_email

smtp_server = refusing_smtp.smtp_server
app_config = refusing_smtp.app_config

PAGE = "/admin/customer-data"
ESCAPED_REPLY = GONE_REPLY.replace("<", "&lt;").replace(">", "&gt;")
SERVERS_WORDS = "Recipient address rejected: User unknown"
LANGUAGE_WORDS = {
    # locale: (status "Failed", "Refused by the mail server:", the erased marker, nothing held)
    "en": ("Failed", "Refused by the mail server:", "[erased]", "Nothing is held"),
    "pl": ("Błąd", "Odmowa serwera pocztowego:", "[usunięto]", "nic nie jest przechowywane"),
    "ru": ("Ошибка", "Отказ почтового сервера:", "[удалено]", "ничего не хранится"),
    "sl": ("Neuspešno", "Zavrnitev poštnega strežnika:", "[izbrisano]", "ni shranjeno nič"),
}


def _note(to: str) -> OutboxMessage:
    context = {"name": "Kim", "inviter": "Ana", "link": "http://loopdesk.test/x"}
    return queue_email(to, "staff_invitation", "en", context)


@pytest.mark.parametrize("locale", sorted(LANGUAGE_WORDS))
def test_the_customer_data_page_shows_the_servers_refusal_until_the_address_is_erased(
    app, client, login, post_form, create_user, smtp_server, run_jobs, locale
):
    gone, kim = _note(GONE), _note("kim@example.com")
    db.session.commit()
    run_jobs()
    db.session.refresh(gone)
    db.session.refresh(kim)
    assert (gone.status, gone.last_error) == (OutboxStatus.FAILED, GONE_REPLY)
    assert kim.status == OutboxStatus.SENT
    failed, refused, erased, nothing = LANGUAGE_WORDS[locale]
    login(create_user(email="boss@example.com", name="Boss", role=Role.ADMIN, locale=locale))

    found = post_form(PAGE, {"email": GONE.upper()})
    assert found.status_code == 200
    shown = text_of(found)
    assert f"{failed} {refused} {ESCAPED_REPLY}" in shown  # under the message's status
    assert GONE_REPLY not in found.get_data(as_text=True)  # the server's words, escaped

    # A message that went out has no refusal under it.
    other = text_of(post_form(PAGE, {"email": "kim@example.com"}))
    assert kim.subject in other and refused not in other
    assert SERVERS_WORDS not in other

    post_form(f"{PAGE}/erase/confirm", {"email": GONE})
    db.session.expire_all()
    assert db.session.get(OutboxMessage, gone.id).to_address == ""
    after = text_of(post_form(PAGE, {"email": GONE}))
    assert nothing in after
    assert SERVERS_WORDS not in after and refused not in after
    # The Sent mail page still gives the server's words, the address in them erased.
    for path in ("/admin/mail?status=failed", f"/admin/mail/{gone.id}"):
        page = client.get(path)
        assert page.status_code == 200, path
        text = text_of(page)
        assert SERVERS_WORDS in text, path
        assert GONE not in page.get_data(as_text=True), path
        assert f"550 5.1.1 &lt;{erased}&gt;:" in text, path
        if locale != "en":
            assert "[erased]" not in text, path
