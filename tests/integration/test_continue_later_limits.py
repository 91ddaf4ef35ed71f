""" "Continue later" cannot be used to fill a stranger's mailbox.

Every request comes from another client address, as from someone rotating addresses: only
the per-recipient limit (3 per day by default) stops them. Mails are counted where they
are written, in the outbox, and where they arrive, at a real SMTP server.
"""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from tests.helpers import text_of
from tests.integration.test_conversation_pages import Respondent
from webapp.extensions import db
from webapp.models import OutboxMessage
from webapp.services.non_essential_mail import opt_out

LIMIT_PL = (
    "Wysłaliśmy już kilka linków na ten adres. Spróbuj ponownie później albo dokończ "
    "formularz teraz: dotychczasowe odpowiedzi są zapisane."
)
_ADDRESSES = (f"10.0.{n // 250}.{n % 250 + 1}" for n in itertools.count())


@pytest.fixture
def app_config(smtp_config) -> dict:
    return {**smtp_config, "FORM_MIN_SECONDS_FIRST_ANSWER": 0}


def _ask_for_a_link(client, customer: Respondent, email: str, lang: str = "pl"):
    """Ask for a link from a new client address each time (the per-address limit never bites)."""
    return client.post(
        f"/f/{customer.slug}/continue-later",
        data={"step": customer.field("step"), "lang": lang, "email": email},
        environ_base={"REMOTE_ADDR": next(_ADDRESSES)},
    )


def _outbox() -> list[str]:
    return db.session.scalars(select(OutboxMessage.to_address).order_by(OutboxMessage.id)).all()


def test_the_fourth_link_to_one_address_is_refused_in_polish_keeping_the_progress(
    client, builtin_forms, smtp_server, run_jobs
):
    customer = Respondent(client, "goal", False, lang="pl")
    customer.answer("no")
    question = customer.question
    for typed in ("jan@firma.pl", "Jan@Firma.pl ", "jan@firma.pl"):  # one mailbox, as typed
        assert _ask_for_a_link(client, customer, typed).status_code == 303
    refused = _ask_for_a_link(client, customer, "JAN@firma.pl")
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert '<html lang="pl">' in html
    assert f'id="continue-email-error" class="field-error" role="alert">{LIMIT_PL}</p>' in html
    assert 'value="JAN@firma.pl" aria-invalid="true"' in html  # the typed address kept
    assert '<details class="continue-later" open>' in html
    assert f'name="question" value="{question}"' in html  # the conversation goes on from here
    assert "Nie" in text_of(refused)  # the answer given so far is still in the transcript
    assert [to.lower() for to in _outbox()] == ["jan@firma.pl"] * 3
    run_jobs()  # RQ's worker; without Redis they went out when committed
    assert [m["To"].lower() for m in smtp_server.messages] == ["jan@firma.pl"] * 3

    # Another address is not affected, and the conversation still goes on.
    assert _ask_for_a_link(client, customer, "ewa@firma.pl").status_code == 303
    assert _outbox()[-1] == "ewa@firma.pl"
    assert customer.answer("Cena").status_code in (200, 303)


def test_in_english_the_refusal_is_in_english(client, builtin_forms):
    customer = Respondent(client, "nps", False, lang="en")
    customer.answer("9")
    for _ in range(3):
        assert _ask_for_a_link(client, customer, "me@example.com", "en").status_code == 303
    refused = _ask_for_a_link(client, customer, "me@example.com", "en")
    assert refused.status_code == 429
    assert "We have already sent several links to this address." in text_of(refused)


@pytest.mark.parametrize(
    "app_config",
    [{"CONTINUE_LATER_MAILS_PER_ADDRESS": "1 per day", "FORM_MIN_SECONDS_FIRST_ANSWER": 0}],
    ids=["one a day"],
)
def test_the_limit_is_a_setting(client, builtin_forms):
    customer = Respondent(client, "goal", False, lang="pl")
    customer.answer("no")
    assert _ask_for_a_link(client, customer, "jan@firma.pl").status_code == 303
    assert _ask_for_a_link(client, customer, "jan@firma.pl").status_code == 429
    assert _outbox() == ["jan@firma.pl"]


def test_an_opted_out_address_gets_no_mail_and_the_page_does_not_say_why(client, builtin_forms):
    opt_out("Jan@firma.pl")
    db.session.commit()
    customer = Respondent(client, "goal", False, lang="pl")
    customer.answer("no")
    sent = _ask_for_a_link(client, customer, "jan@firma.pl")
    assert sent.status_code == 303
    assert "Wysłaliśmy link na adres jan@firma.pl" in text_of(client.get(sent.headers["Location"]))
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
