"""A customer without an account asks for a link by e-mail and sees all their requests.

The asking page answers the same whether or not we hold requests for the address; the link
reaches only that mailbox (a real SMTP server here), expires, and lists the customer's own
requests: not another customer's, not spam, not a merged duplicate, nothing erased.
"""

from __future__ import annotations

import html
import itertools
import re
import time
from urllib.parse import urlsplit

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from tests.helpers import make_ticket, text_of
from webapp.extensions import db
from webapp.models import OutboxMessage, Ticket, utcnow

_ADDRESSES = (f"10.1.{n // 250}.{n % 250 + 1}" for n in itertools.count())
SENT_PL = "Jeśli mamy zgłoszenia z tego adresu, wysłaliśmy na niego link. Działa przez 7 dni."


@pytest.fixture
def app_config(smtp_config) -> dict:
    return {**smtp_config, "FORM_MIN_SECONDS_FIRST_ANSWER": 0}


def _ask(client, email: str, lang: str = "pl", **extra):
    """Open the asking page and send it from a new client address (the per-client limit
    never bites); the reply to the post."""
    page = client.get(f"/{lang}/requests").get_data(as_text=True)
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    data = {"form_token": token, "lang": lang, "email": email, **extra}
    return client.post("/requests", data=data, environ_base={"REMOTE_ADDR": next(_ADDRESSES)})


def _mails() -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "requests_link")
    ).all()


def _link(message: OutboxMessage) -> str:
    """The link in the e-mail, as a path for the test client."""
    url = urlsplit(re.search(r"https?://\S+/requests/\S+", message.body_text).group(0))
    return f"{url.path}?{url.query}"


def test_a_customer_gets_a_link_in_polish_that_lists_only_their_own_requests(
    client, builtin_forms, smtp_server, run_jobs
):
    first = make_ticket(subject="Płatność nie działa")
    second = make_ticket(subject="Zła faktura <b>VAT</b>", customer_email="JAN@example.pl")
    make_ticket(subject="Cudze zgłoszenie", customer_email="ewa@example.pl")
    spam = make_ticket(subject="Kup teraz")
    spam.spam_at = utcnow()
    duplicate = make_ticket(subject="Nadal nie działa")
    duplicate.merged_into_id = first.id
    db.session.commit()

    asking = client.get("/pl/requests")
    assert asking.status_code == 200 and '<html lang="pl">' in asking.get_data(as_text=True)
    assert "Twoje zgłoszenia" in text_of(asking)
    sent = _ask(client, " Jan@Example.PL ")
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/requests/sent?lang=pl")
    assert SENT_PL in text_of(client.get(sent.headers["Location"]))

    (mail,) = _mails()
    assert mail.to_address == "Jan@Example.PL" and mail.locale == "pl"  # as typed, trimmed
    assert mail.subject == "Twoje zgłoszenia: Twój prywatny link"
    run_jobs()  # a real RQ worker with Redis; in-process it went at the commit
    assert [m["To"] for m in smtp_server.messages].count("Jan@Example.PL") == 1

    page = client.get(_link(mail))
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    raw = page.get_data(as_text=True)
    said = html.unescape(text_of(page))
    assert first.number in said and second.number in said
    assert "Zła faktura <b>VAT</b>" in said and "<b>VAT</b>" not in raw  # escaped
    assert raw.index(second.number) < raw.index(first.number)  # the newest first
    for other in ("Cudze zgłoszenie", "Kup teraz", duplicate.number):
        assert other not in said
    assert f'href="/t/{first.status_token}?lang=pl"' in raw  # each opens its status page
    assert said.count("Status: Przypisane") == 2  # as the customer's status page words it


def test_an_address_without_requests_is_answered_alike_and_gets_nothing(client, builtin_forms):
    make_ticket()
    sent = _ask(client, "nikt@example.pl")
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/requests/sent?lang=pl")
    assert _mails() == []


def test_a_bad_address_is_refused_in_the_customer_s_language_keeping_what_was_typed(
    client, builtin_forms
):
    refused = _ask(client, "jan(at)example.pl")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'value="jan(at)example.pl"' in page and 'aria-invalid="true"' in page
    assert "adres e-mail" in text_of(refused).lower()
    empty = _ask(client, "", lang="ru")
    assert empty.status_code == 422 and '<html lang="ru">' in empty.get_data(as_text=True)
    assert _mails() == []


def test_the_honeypot_sends_nothing_but_reads_as_sent(client, builtin_forms):
    make_ticket()
    filled = _ask(client, "jan@example.pl", website="http://spam.example")
    assert filled.status_code == 303 and "/requests/sent" in filled.headers["Location"]
    assert _mails() == []


@pytest.mark.parametrize("lang", ["pl", "ru", "sl", "en"])
def test_an_address_sent_at_once_is_asked_again_not_dropped(client, app, builtin_forms, lang):
    """The browser filled the address in and the customer pressed Enter straight away:
    quicker than anyone types it. The page keeps the address and asks, in the customer's
    language, to send it again; that second send goes out however soon it comes."""
    make_ticket()
    app.config["FORM_MIN_SECONDS_FIRST_ANSWER"] = 60
    quick = _ask(client, "jan@example.pl", lang=lang)
    assert quick.status_code == 422
    page = quick.get_data(as_text=True)
    assert 'value="jan@example.pl"' in page and f'<html lang="{lang}">' in page
    assert 'aria-invalid="true"' not in page  # nothing is wrong with the address
    said = {
        "pl": "Szybko poszło! Sprawdź adres i wyślij go ponownie.",
        "ru": "Как быстро! Пожалуйста, проверьте адрес и отправьте его ещё раз.",
        "sl": "To je bilo hitro! Preverite naslov in ga pošljite znova.",
        "en": "That was quick! Please check your address and send it again.",
    }[lang]
    assert said in text_of(quick)
    assert _mails() == []
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    again = client.post(
        "/requests",
        data={"form_token": token, "lang": lang, "email": "jan@example.pl"},
        environ_base={"REMOTE_ADDR": next(_ADDRESSES)},
    )
    assert again.status_code == 303 and "/requests/sent" in again.headers["Location"]
    assert len(_mails()) == 1


def test_a_mistyped_address_sent_at_once_is_said_to_be_mistyped_first(client, app, builtin_forms):
    """One round trip, not two: the address's mistake before "That was quick!"."""
    app.config["FORM_MIN_SECONDS_FIRST_ANSWER"] = 60
    refused = _ask(client, "jan@", lang="en")
    assert refused.status_code == 422
    assert "Please enter a valid e-mail address" in text_of(refused)
    assert "That was quick!" not in text_of(refused)


def test_a_mistyped_address_corrected_at_once_is_sent(client, app, builtin_forms):
    """The customer adds the missing "m" of ".com" a second after the refusal: the
    corrected address goes out, not "That was quick!" as a second round trip."""
    make_ticket(customer_email="jan@example.com")
    app.config["FORM_MIN_SECONDS_FIRST_ANSWER"] = 60
    refused = _ask(client, "jan@example.co m", lang="ru")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    corrected = client.post(
        "/requests",
        data={"form_token": token, "lang": "ru", "email": "jan@example.com"},
        environ_base={"REMOTE_ADDR": next(_ADDRESSES)},
    )
    assert corrected.status_code == 303 and "/requests/sent" in corrected.headers["Location"]
    assert len(_mails()) == 1


def test_a_bot_asked_to_send_again_is_still_caught_by_the_honeypot(client, app, builtin_forms):
    make_ticket()
    app.config["FORM_MIN_SECONDS_FIRST_ANSWER"] = 60
    quick = _ask(client, "jan@example.pl").get_data(as_text=True)
    token = re.search(r'name="form_token" value="([^"]+)"', quick).group(1)
    data = {"form_token": token, "email": "jan@example.pl", "website": "http://spam.example"}
    again = client.post("/requests", data=data, environ_base={"REMOTE_ADDR": next(_ADDRESSES)})
    assert again.status_code == 303 and _mails() == []


def test_a_page_that_is_not_ours_asks_again_instead_of_sending(client, builtin_forms):
    make_ticket()
    forged = client.post("/requests", data={"form_token": "x", "email": "jan@example.pl"})
    assert forged.status_code == 422
    assert _mails() == []


def test_the_fourth_link_to_one_address_in_a_day_is_refused(client, builtin_forms):
    make_ticket()
    for _ in range(3):
        assert _ask(client, "jan@example.pl", lang="en").status_code == 303
    refused = _ask(client, "JAN@example.pl", lang="en")
    assert refused.status_code == 429
    assert "We have already sent several links to this address today." in text_of(refused)
    assert len(_mails()) == 3


def test_an_expired_or_altered_link_offers_a_new_one(client, builtin_forms, monkeypatch):
    make_ticket()
    with monkeypatch.context() as eight_days_ago:  # the link works for seven
        eight_days_ago.setattr(
            TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 8 * 24 * 3600
        )
        _ask(client, "jan@example.pl", lang="en")
    link = _link(_mails()[0])
    expired = client.get(link)
    assert expired.status_code == 410
    assert "This link has expired." in text_of(expired)
    assert 'name="email"' in expired.get_data(as_text=True)
    # The empty address box is not marked wrong: the word is about the link.
    assert 'aria-invalid="true"' not in expired.get_data(as_text=True)
    token = link.split("/requests/")[1].split("?")[0]
    altered = client.get(link.replace(token, token[:-3] + "abc"))
    assert altered.status_code == 404 and "This link is not valid." in text_of(altered)
    assert 'aria-invalid="true"' not in altered.get_data(as_text=True)
    assert 'aria-describedby="requests-email-note"' in altered.get_data(as_text=True)


def test_after_an_erasure_the_link_lists_nothing(client, builtin_forms):
    ticket = make_ticket(subject="Płatność nie działa")
    _ask(client, "jan@example.pl")
    link = _link(_mails()[0])
    erased = db.session.get(Ticket, ticket.id)
    erased.customer_email, erased.customer_erased_at = None, utcnow()
    db.session.commit()
    page = client.get(link)
    assert page.status_code == 200
    assert "Płatność" not in text_of(page) and ticket.number not in text_of(page)


def test_the_status_page_leads_to_the_list(client, builtin_forms):
    ticket = make_ticket()
    page = client.get(f"/t/{ticket.status_token}").get_data(as_text=True)
    assert 'href="/requests?lang=pl"' in page


def test_the_list_takes_in_requests_by_the_verified_customer_id_of_the_address_s_requests(
    client, builtin_forms, run_jobs
):
    """A signed-in shop customer answered the widget without an address: those requests are
    theirs by the verified customer id their addressed request carries. Never by an unsigned
    id, nor by an id a spam request carried, nor one sent from another address; spam, merged
    and erased stay out as ever."""

    def ticket(subject, email, ref, verified=True, **columns):
        made = make_ticket(
            subject=subject, customer_email=email, customer_ref=ref, customer_ref_verified=verified
        )
        for name, value in columns.items():
            setattr(made, name, value)
        return made

    addressed = ticket("Zamówienie nie dotarło", "jan@example.pl", "C-1")
    by_id = ticket("Widżet: nadal brak zamówienia", None, "C-1")
    from_work = ticket("Z adresu w pracy", "jan@work.example", "C-1")
    ticket("Niepodpisany identyfikator", None, "C-1", verified=False)
    ticket("Podane bez podpisu", "jan@example.pl", "C-9", verified=False)
    ticket("Cudzy C-9", None, "C-9")
    ticket("Reklama", "jan@example.pl", "C-5", spam_at=utcnow())
    ticket("Przez spam", None, "C-5")
    ticket("Spam po identyfikatorze", None, "C-1", spam_at=utcnow())
    ticket("Scalony duplikat", None, "C-1", merged_into_id=by_id.id)
    ticket("Usunięte dane", None, "C-1", customer_erased_at=utcnow())
    db.session.commit()

    assert _ask(client, "jan@example.pl").status_code == 303
    run_jobs()
    (mail,) = _mails()
    said = html.unescape(text_of(client.get(_link(mail))))
    for mine in (addressed, by_id):
        assert mine.number in said and mine.subject in said
    for other in (
        from_work.subject,  # listed for jan@work.example, the address it was sent from
        "Niepodpisany identyfikator",
        "Cudzy C-9",
        "Przez spam",
        "Spam po identyfikatorze",
        "Scalony duplikat",
        "Usunięte dane",
        "Reklama",
    ):
        assert other not in said
    assert "Podane bez podpisu" in said  # the address's own request, its id adds nothing


def test_a_mistyped_address_shows_its_mailbox_only_the_request_sent_to_it(
    client, builtin_forms, run_jobs
):
    """A signed-in customer (verified C-1) once typed a stranger's address: that mailbox got
    the one request's confirmation, and its list must not add the customer's other requests,
    sent from their own address. Their own list shows only theirs and the addressless one."""
    own = make_ticket(
        subject="Moje zamówienie",
        customer_email="jan@example.pl",
        customer_ref="C-1",
        customer_ref_verified=True,
    )
    mistyped = make_ticket(
        subject="Literówka w adresie",
        customer_email="jna@example.pl",
        customer_ref="C-1",
        customer_ref_verified=True,
    )
    db.session.commit()
    assert _ask(client, "jna@example.pl").status_code == 303
    run_jobs()
    (mail,) = _mails()
    said = html.unescape(text_of(client.get(_link(mail))))
    assert mistyped.subject in said
    assert own.subject not in said and own.number not in said
    assert _ask(client, "jan@example.pl").status_code == 303
    run_jobs()
    theirs = html.unescape(text_of(client.get(_link(_mails()[-1]))))
    assert own.subject in theirs and mistyped.subject not in theirs


def test_a_request_known_only_by_its_id_does_not_get_a_link_sent(client, builtin_forms):
    """The link names a request with the address: the list is built from that address."""
    make_ticket(customer_email=None, customer_ref="C-1", customer_ref_verified=True)
    assert _ask(client, "jan@example.pl").status_code == 303
    assert _mails() == []


@pytest.mark.parametrize(
    ("lang", "one", "many_21"),
    [
        ("pl", "Otwórz swoje zgłoszenie, aby zobaczyć wiadomości i odpowiedzieć.", None),
        (
            "ru",
            "Откройте своё обращение, чтобы увидеть сообщения и ответить.",
            "21 обращение, сначала новые. Откройте любое,",
        ),
        (
            "sl",
            "Odprite svoj zahtevek, da vidite sporočila in odgovorite.",
            "21 zahtevkov, najnovejši najprej. Odprite enega,",
        ),
        ("en", "Open your request to see its messages and to reply.", None),
    ],
)
def test_one_request_is_not_said_as_a_list_to_choose_from(
    client, builtin_forms, lang, one, many_21
):
    """With one request the list said "1 обращение, сначала новые" (the newest first) and, in
    Russian, "Откройте его" (open it) for 21 requests too, which share that plural form."""
    from webapp.services.customer_requests import _signer

    ticket = make_ticket(customer_locale=lang)
    page = text_of(client.get(f"/requests/{_signer().dumps(ticket.id)}?lang={lang}"))
    assert one in page, page
    assert "newest" not in page and "сначала новые" not in page and "najnow" not in page
    if many_21:
        for _ in range(20):
            make_ticket(customer_locale=lang)
        page = text_of(client.get(f"/requests/{_signer().dumps(ticket.id)}?lang={lang}"))
        assert many_21 in page, page
