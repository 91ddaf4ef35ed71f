"""A form link's signed customer_id says who the customer is: the ticket page lists their
other requests by it as by their e-mail, agents see it (verified or not) and search by it,
the API reports it and an erasure clears it. An unsigned id joins nothing."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
import yaml
from sqlalchemy import select

from tests.helpers import api_token, bearer, make_ticket, text_of
from webapp.extensions import db
from webapp.models import Form, Role, Ticket, TokenScope, utcnow
from webapp.services.customer_data import clean_address, erase_held_data, find_held_data
from webapp.services.forms import publish_form, signature

XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
# A form whose link carries customer_id without a signature: the respondent can change it.
UNSIGNED = {
    "slug": "ask",
    "title": {"en": "Ask"},
    "languages": ["en"],
    "default_language": "en",
    "hidden_fields": [{"name": "customer_id"}],
    "questions": [{"id": "question", "type": "short_text", "text": {"en": "Your question?"}}],
    "subject": "question",
    "creates_ticket": True,
}


@pytest.fixture
def app_config() -> dict:
    return {"FORM_MIN_SECONDS_FIRST_ANSWER": 0}


def _answer(client, slug: str, html: str, value: str) -> str:
    def field(name: str) -> str:
        return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)

    data = {"step": field("step"), "question": field("question"), "lang": field("lang")}
    reply = client.post(f"/f/{slug}/answer", data={**data, "value": value})
    if reply.status_code == 303:
        reply = client.get(reply.headers["Location"])
    assert reply.status_code == 200
    return reply.get_data(as_text=True)


def _respond(app, slug: str, query: str, *answers: str) -> Ticket | None:
    """A customer in their own browser follows the form's link and answers; their ticket."""
    browser = app.test_client()
    page = browser.get(f"/f/{slug}?{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for value in answers:
        html = _answer(browser, slug, html, value)
    return db.session.scalar(select(Ticket).order_by(Ticket.id.desc()).limit(1))


def _signed(customer_id: str) -> str:
    form = db.session.scalar(select(Form).where(Form.slug == "nps"))
    sig = signature(form, "customer_id", customer_id)
    return f"customer_id={quote(customer_id)}&customer_id_sig={sig}"


def _detractor(app, query: str, complaint: str) -> Ticket:
    """The NPS form's unhappy customer, who gives neither name nor e-mail."""
    ticket = _respond(app, "nps", query, "3", complaint, "", "")
    assert ticket is not None and ticket.subject == complaint
    return ticket


def _requests_section(page: str) -> str:
    if 'class="customer-requests"' not in page:
        return ""
    start = page.index('class="customer-requests"')
    return page[start : page.index("</details>", start)]


def test_a_verified_customer_id_links_two_tickets_without_e_mails(
    app, client, login, builtin_forms
):
    first = _detractor(app, _signed("C-1042"), "Payment failed")
    other = _detractor(app, _signed("C-7"), "Someone else's problem")
    second = _detractor(app, _signed("C-1042"), "Payment failed again")
    assert (second.customer_email, second.customer_ref, second.customer_ref_verified) == (
        None,
        "C-1042",
        True,
    )
    login(builtin_forms)
    response = client.get(f"/tickets/{second.number}")
    words, requests = text_of(response), _requests_section(response.get_data(as_text=True))
    assert "1 other request from this customer" in words
    assert first.number in requests and other.number not in requests
    assert "Customer ID C-1042 Verified Signed with the form" in words
    # Shown among the customer's facts, so not again under "Where and how".
    assert words.count("C-1042") == 1
    assert "1 other request from this customer" in text_of(client.get(f"/tickets/{first.number}"))
    assert _requests_section(client.get(f"/tickets/{other.number}").text) == ""


def test_an_unsigned_customer_id_is_shown_as_not_verified_and_links_nothing(
    app, client, login, builtin_forms, create_user
):
    publish_form("ask", yaml.safe_dump(UNSIGNED, allow_unicode=True))
    db.session.commit()
    first = _respond(app, "ask", "customer_id=C-1042", "Where is my order?")
    second = _respond(app, "ask", "customer_id=C-1042", "Still no order")
    assert first.id != second.id
    assert (second.customer_ref, second.customer_ref_verified) == ("C-1042", False)
    # A verified ticket with the same id does not adopt the unsigned ones either.
    verified = _detractor(app, _signed("C-1042"), "Payment failed")
    admin = create_user(email="anna@example.com", role=Role.ADMIN, locale="pl")
    login(admin)
    page = client.get(f"/tickets/{second.number}")
    assert "ID klienta C-1042 Niezweryfikowany Bez podpisu" in text_of(page)
    # No "other requests from this customer", on either ticket.
    assert _requests_section(page.get_data(as_text=True)) == ""
    page = client.get(f"/tickets/{verified.number}")
    assert "ID klienta C-1042 Zweryfikowany" in text_of(page)
    assert _requests_section(page.get_data(as_text=True)) == ""


def test_a_badly_signed_customer_id_is_dropped_and_links_nothing(app, client, login, builtin_forms):
    verified = _detractor(app, _signed("C-1042"), "Payment failed")
    forged = _detractor(app, "customer_id=C-1042&customer_id_sig=" + "0" * 64, "Refund me")
    assert forged.customer_ref is None and not forged.customer_ref_verified
    login(builtin_forms)
    for ticket in (verified, forged):
        assert _requests_section(client.get(f"/tickets/{ticket.number}").text) == ""
    assert "Customer ID" not in text_of(client.get(f"/tickets/{forged.number}"))


def test_the_same_e_mail_or_the_same_verified_id_is_one_customer_counted_once(
    client, login, builtin_forms
):
    def ticket(subject, email, ref=None, verified=True, days_ago=1):
        return make_ticket(
            subject=subject,
            customer_email=email,
            customer_ref=ref,
            customer_ref_verified=verified,
            created_at=utcnow() - timedelta(days=days_ago),
        )

    both = ticket("Both", "jan@example.pl", "C-1", days_ago=5)
    by_email = ticket("By e-mail", "JAN@example.pl", days_ago=4)
    by_id = ticket("By id", None, "C-1", days_ago=3)
    by_id_other_address = ticket("By id, other address", "jan@work.example", "C-1", days_ago=2)
    ticket("Unsigned id", None, "C-1", verified=False)
    ticket("Other customer", "ewa@example.pl", "C-2")
    current = ticket("Now", "jan@example.pl", "C-1", days_ago=0)
    login(builtin_forms)
    response = client.get(f"/tickets/{current.number}")
    requests = _requests_section(response.get_data(as_text=True))
    assert "4 other requests from this customer" in text_of(response)
    listed = re.findall(r'href="/tickets/(LD-\d+)"', requests)
    assert listed == [t.number for t in (by_id_other_address, by_id, by_email, both)]


def test_the_page_s_query_count_does_not_grow_with_requests_linked_by_id(
    client, login, builtin_forms, count_queries
):
    current = make_ticket(customer_email=None, customer_ref="C-1", customer_ref_verified=True)
    url = f"/tickets/{current.number}"
    login(builtin_forms)

    def queries() -> int:
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    make_ticket(customer_email=None, customer_ref="C-1", customer_ref_verified=True)
    queries()
    one = queries()
    for n in range(6):
        make_ticket(
            customer_email=f"c{n}@example.pl", customer_ref="C-1", customer_ref_verified=True
        )
    assert queries() == one
    # More than five: the link lists them all on the ticket list, by this ticket's customer.
    assert f'href="/tickets?customer={current.number}"' in client.get(url).get_data(as_text=True)


def test_search_finds_tickets_by_the_customer_id_in_the_list_board_api_and_csv(
    client, login, builtin_forms
):
    verified = make_ticket(subject="Verified", customer_ref="C-1042", customer_ref_verified=True)
    unsigned = make_ticket(subject="Unsigned", customer_ref="C-1042", customer_ref_verified=False)
    make_ticket(subject="Longer id", customer_ref="C-10420", customer_ref_verified=True)
    make_ticket(subject="No id")
    login(builtin_forms)
    listed = text_of(client.get("/tickets?q=C-1042"))
    assert "Verified" in listed and "Unsigned" in listed
    assert "Longer id" not in listed and "No id" not in listed
    board = text_of(client.get("/board?q=+C-1042+"))  # pasted with spaces around it
    assert verified.number in board and unsigned.number in board and "Longer id" not in board
    exported = client.get("/tickets.csv?q=C-1042").text.lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert {(r["ticket"], r["customer_id"], r["customer_id_verified"]) for r in rows} == {
        (verified.number, "C-1042", "true"),
        (unsigned.number, "C-1042", "false"),
    }
    body = client.get(
        "/api/v1/tickets?q=C-1042", headers=bearer(api_token(scope=TokenScope.READ))
    ).get_json()
    assert {(t["number"], t["customer_id"], t["customer_id_verified"]) for t in body["data"]} == {
        (verified.number, "C-1042", True),
        (unsigned.number, "C-1042", False),
    }
    spec = client.get("/api/v1/openapi.json").get_json()
    ticket = spec["components"]["schemas"]["Ticket"]["properties"]
    assert {"customer_id", "customer_id_verified"} <= set(ticket)


def test_erasing_the_customer_s_data_clears_the_customer_id_and_their_tickets_by_it(
    client, login, post_form, builtin_forms, create_user
):
    def ticket(subject, email, ref, verified=True):
        return make_ticket(
            subject=subject,
            customer_email=email,
            customer_ref=ref,
            customer_ref_verified=verified,
            answers={"what_went_wrong": f"{subject}: my card C-1042 was refused"},
        )

    with_address = ticket("Card refused", "jan@example.pl", "C-1042")
    from_widget = ticket("Card refused again", None, "C-1042")
    unsigned = ticket("Someone typed the id", None, "C-1042", verified=False)
    other = ticket("Other customer", "ewa@example.pl", "C-2")
    admin = create_user(email="admin@example.com", role=Role.ADMIN)
    login(admin)
    found = post_form("/admin/customer-data", {"email": "Jan@Example.pl"})
    words = text_of(found)
    assert with_address.number in words and from_widget.number in words
    assert unsigned.number not in words and other.number not in words
    assert "Card refused again Found by its verified customer ID C-1042" in words

    erase_held_data(find_held_data(clean_address("Jan@Example.pl")))
    db.session.commit()
    db.session.expire_all()
    for erased in (with_address, from_widget):
        row = db.session.get(Ticket, erased.id)
        assert (row.customer_email, row.customer_ref, row.customer_ref_verified) == (
            None,
            None,
            False,
        )
        assert row.customer_erased_at is not None
        assert row.facts["answers"]["what_went_wrong"] == "[erased]"
    for kept in (unsigned, other):
        assert db.session.get(Ticket, kept.id).customer_ref is not None
    listed = text_of(client.get("/tickets?q=C-1042"))
    assert unsigned.number in listed
    assert with_address.number not in listed and from_widget.number not in listed
    body = client.get(
        f"/api/v1/tickets/{with_address.number}", headers=bearer(api_token(scope=TokenScope.READ))
    ).get_json()
    assert (body["customer_id"], body["customer_id_verified"]) == (None, False)


def test_a_hostile_customer_id_is_escaped(app, client, login, builtin_forms):
    ticket = _detractor(app, _signed(XSS), "Payment failed")
    assert ticket.customer_ref == XSS and ticket.customer_ref_verified
    _detractor(app, _signed(XSS), "Payment failed again")
    login(builtin_forms)
    for url in (f"/tickets/{ticket.number}", f"/tickets?q={quote(XSS)}"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in page and "onerror=alert(2)>" not in page
        assert "&lt;script&gt;alert(1)" in page


def test_the_embed_page_tells_admins_how_to_sign_the_customer_id(
    client, login, post_form, builtin_forms, create_user
):
    admin = create_user(email="admin@example.com", role=Role.ADMIN)
    login(admin)
    nps = db.session.scalar(select(Form).where(Form.slug == "nps"))
    page = client.get("/admin/forms/nps/embed")
    words = text_of(page)
    assert 'data-customer-id="…" data-customer-id-sig="…"' in page.get_data(as_text=True)
    assert "HMAC-SHA256 (hex) of customer_id=&lt;id&gt;" in words
    assert nps.secret in words
    # A form that takes the id unsigned, and one that takes none, say what to change.
    publish_form("ask", yaml.safe_dump(UNSIGNED, allow_unicode=True))
    db.session.commit()
    ask = client.get("/admin/forms/ask/embed").get_data(as_text=True)
    assert "takes customer_id without a signature" in ask and "data-secret" not in ask
    csat = client.get("/admin/forms/csat/embed").get_data(as_text=True)
    assert "This form takes no customer_id" in csat and "data-secret" not in csat
    # Agents never see a form's secret.
    post_form("/logout")
    login(builtin_forms)
    refused = client.get("/admin/forms/nps/embed")
    assert refused.status_code == 403 and nps.secret not in refused.get_data(as_text=True)


def test_the_retention_period_clears_the_customer_id_of_an_old_ticket(builtin_forms):
    from sqlalchemy import update

    from webapp.services import retention

    old = make_ticket(customer_email=None, customer_ref="C-1042", customer_ref_verified=True)
    recent = make_ticket(customer_email=None, customer_ref="C-1042", customer_ref_verified=True)
    long_ago = utcnow() - timedelta(days=400)
    db.session.execute(
        update(Ticket)
        .where(Ticket.id == old.id)
        .values(
            state="closed",
            created_at=long_ago,
            state_entered_at=long_ago,
            resolved_at=long_ago,
            updated_at=long_ago,
        )
    )
    retention.change_retention(6)
    db.session.commit()
    retention.erase_expired_data()
    db.session.commit()
    db.session.expire_all()
    erased = db.session.get(Ticket, old.id)
    assert erased.customer_erased_at is not None and erased.customer_ref is None
    assert db.session.get(Ticket, recent.id).customer_ref == "C-1042"


def test_answer_again_keeps_the_signed_in_customer_s_id(app, builtin_forms):
    browser = app.test_client()
    html = browser.get(f"/f/nps?order=A-7&{_signed('C-1042')}").get_data(as_text=True)
    for value in ("3", "Payment failed", "", ""):
        html = _answer(browser, "nps", html, value)
    again = re.search(r'href="([^"]*new=1[^"]*)"[^>]*>Answer again', html).group(1)
    html = browser.get(again.replace("&amp;", "&")).get_data(as_text=True)
    for value in ("2", "Payment failed again", "", ""):
        html = _answer(browser, "nps", html, value)
    first, second = db.session.scalars(select(Ticket).order_by(Ticket.id)).all()
    assert second.subject == "Payment failed again"
    assert (second.customer_ref, second.customer_ref_verified) == ("C-1042", True)
    assert second.facts["metadata"]["order"] == "A-7"
    assert first.customer_ref == second.customer_ref
