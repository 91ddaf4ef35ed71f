"""Admins write their own e-mail wording per language; it goes out instead of the built-in."""

import pytest
from sqlalchemy import select

from tests.helpers import text_of
from webapp.extensions import db
from webapp.models import AuditEntry, EmailTemplateText, OutboxMessage

POLISH_TEXT = {
    "subject": "Mamy to! Zgłoszenie {number}",
    "body": "Dzień dobry {name},\n\ndziękujemy. Status: {status_link}\n\nZespół Loopdesk",
    "revision": "0",
}


@pytest.fixture
def app_config(smtp_config) -> dict:
    return {**smtp_config, "FORM_MIN_SECONDS_FIRST_ANSWER": 0}


def _submit_feedback(client, email: str, lang: str) -> None:
    """A customer answers the NPS form to the end: a ticket and its confirmation."""
    from tests.integration.test_conversation_pages import Respondent

    customer = Respondent(client, "nps", True, lang=lang)
    for value in ("2", "Too slow", "Ewa", email):
        customer.answer(value)


def _received(smtp_server, to: str):
    return next(m for m in smtp_server.messages if m["To"] == to)


def test_own_polish_text_is_used_for_the_real_confirmation_other_languages_stay_built_in(
    app, client, login, post_form, admin, builtin_forms, smtp_server, run_jobs
):
    login(admin)
    saved = post_form("/admin/email-templates/ticket_confirmation/pl", POLISH_TEXT)
    assert saved.status_code == 303
    overview = client.get("/admin/email-templates").get_data(as_text=True)
    assert "Own text" in overview and "Built-in (translation missing)" in overview
    post_form("/logout")

    _submit_feedback(app.test_client(), "ewa@example.pl", "pl")
    _submit_feedback(app.test_client(), "eve@example.com", "en")
    run_jobs()
    polish = _received(smtp_server, "ewa@example.pl")
    number = db.session.scalar(
        select(OutboxMessage.subject).where(OutboxMessage.to_address == "ewa@example.pl")
    ).split()[-1]
    assert polish["Subject"] == f"Mamy to! Zgłoszenie {number}"
    plain = polish.get_body(("plain",)).get_content()
    assert "Dzień dobry Ewa," in plain and "Status: http://loopdesk.test/t/" in plain
    html = polish.get_body(("html",)).get_content()
    assert "<p>Dzień dobry Ewa,</p>" in html
    assert '<a href="http://loopdesk.test/t/' in html
    assert "Loopdesk</td>" in html  # inside the usual e-mail layout
    english = _received(smtp_server, "eve@example.com")
    assert "We received your request" in english["Subject"]  # still the built-in text


def test_unknown_or_attribute_placeholders_are_refused(client, login, post_form, admin):
    login(admin)
    for bad in ("{name.__class__}", "{0}", "{customer}", "{name!r}"):
        response = post_form(
            "/admin/email-templates/ticket_confirmation/en",
            {"subject": "Hi", "body": f"Hello {bad}", "revision": "0"},
        )
        assert response.status_code == 422
        assert f"Unknown placeholder {bad}." in text_of(response)
        assert f"Hello {bad}" in text_of(response)  # the text stays in the editor
    assert db.session.scalar(select(EmailTemplateText)) is None


def test_a_placeholder_missing_a_brace_is_refused_not_sent_literally(
    client, login, post_form, admin
):
    """ "{status_link" would reach the customer as those very letters, with no link."""
    login(admin)
    body = "Hvala, {name}.\n\nSpremljajte zahtevek: {status_link"
    response = post_form(
        "/admin/email-templates/ticket_confirmation/sl",
        {"subject": "[{number}] Prejeli smo", "body": body, "revision": "0"},
    )
    assert response.status_code == 422
    assert "“{status_link” has a brace without its pair." in text_of(response)
    assert "{status_link" in response.get_data(as_text=True)  # the text stays in the editor
    subject = post_form(
        "/admin/email-templates/ticket_confirmation/sl",
        {"subject": "number}] Prejeli smo", "body": "Hvala {name}", "revision": "0"},
    )
    assert "“number}” has a brace without its pair." in text_of(subject)
    assert db.session.scalar(select(EmailTemplateText)) is None


def test_admin_text_is_escaped_in_the_html_part_and_in_the_preview(
    app, client, login, post_form, admin
):
    evil = '<script>alert(1)</script> <img src=x onerror="alert(2)"> http://x.test/?a=1&b="2"'
    login(admin)
    preview = post_form(
        "/admin/email-templates/public_reply/en/preview",
        {"subject": "Re {number} <b>", "body": "Hi {name},\n\n{text}\n\n{status_link}\n\n" + evil},
        htmx=True,
    )
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "Re LD-1042 &lt;b&gt;" in html
    assert "Hi Jana Novak," in html  # sample data
    assert "sandbox" in html

    post_form(
        "/admin/email-templates/public_reply/en",
        {
            "subject": "Re {number}",
            "body": "Hi {name},\n\n{text}\n\n{status_link}\n\n" + evil,
            "revision": "0",
        },
    )
    from webapp.outbox import queue_email

    message = queue_email(
        "c@example.com",
        "public_reply",
        "en",
        {"number": "LD-7", "name": "<i>Eve</i> {agent}", "text": "<u>ok</u>", "agent": "Ola"},
    )
    assert "<script>" not in message.body_html and "<img" not in message.body_html
    assert "&lt;script&gt;" in message.body_html
    assert "&lt;i&gt;Eve&lt;/i&gt; {agent}" in message.body_html  # values are not re-read
    assert "&lt;u&gt;ok&lt;/u&gt;" in message.body_html
    assert (
        '<a href="http://x.test/?a=1&amp;b=">http://x.test/?a=1&amp;b=</a>&#34;2&#34;'
        in message.body_html
    )
    assert "Hi <i>Eve</i> {agent}," in message.body_text
    db.session.rollback()


def test_a_save_over_someone_elses_newer_save_is_a_conflict(client, login, post_form, admin):
    login(admin)
    post_form(
        "/admin/email-templates/ticket_confirmation/en",
        {**POLISH_TEXT, "body": "First {status_link}"},
    )
    row = db.session.scalar(select(EmailTemplateText))
    assert row.revision == 1
    # Both editors opened revision 1; the colleague saves first.
    post_form(
        "/admin/email-templates/ticket_confirmation/en",
        {**POLISH_TEXT, "body": "Text by a colleague: {status_link}", "revision": "1"},
    )
    mine = post_form(
        "/admin/email-templates/ticket_confirmation/en",
        {**POLISH_TEXT, "body": "My text: {status_link}", "revision": "1"},
    )
    assert mine.status_code == 409
    text = text_of(mine)
    assert "Ann Admin saved this text after you opened it." in text
    assert "Text by a colleague" in text and "My text" in text  # theirs shown, mine kept
    db.session.refresh(row)
    assert (row.body, row.revision) == ("Text by a colleague: {status_link}", 2)


def test_revert_to_built_in(client, login, post_form, admin):
    login(admin)
    post_form("/admin/email-templates/ticket_confirmation/pl", POLISH_TEXT)
    reverted = post_form("/admin/email-templates/ticket_confirmation/pl/revert")
    assert "uses the built-in text again" in text_of(client.get(reverted.location))
    assert db.session.scalar(select(EmailTemplateText)) is None
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["email_text.saved", "email_text.reverted"]


def test_own_survey_text_keeps_the_unsubscribe_link(app, login, post_form, admin):
    login(admin)
    post_form(
        "/admin/email-templates/survey_invitation/en",
        {"subject": "Rate us", "body": "{question}\n\n{survey_links}", "revision": "0"},
    )
    from webapp.outbox import queue_email

    message = queue_email(
        "c@example.com",
        "survey_invitation",
        "en",
        {
            "number": "LD-7",
            "question": "How was it?",
            "scores": [{"value": 1, "url": "http://s/1"}, {"value": 5, "url": "http://s/5"}],
            "unsubscribe_url": "http://loopdesk.test/unsubscribe/tok",
        },
    )
    assert "1: http://s/1\n5: http://s/5" in message.body_text
    assert "Unsubscribe from surveys: http://loopdesk.test/unsubscribe/tok" in message.body_text
    assert 'href="http://loopdesk.test/unsubscribe/tok"' in message.body_html
    from webapp.services.non_essential_mail import list_unsubscribe_headers

    assert "List-Unsubscribe" in list_unsubscribe_headers(message)
    db.session.rollback()


def _editor_fields(page: str) -> tuple[str, str]:
    """The Subject and Text the editor shows, as the browser would send them back."""
    import html as html_lib
    import re

    subject = re.search(r'<input[^>]*name="subject"[^>]*value="([^"]*)"', page).group(1)
    body = re.search(r'<textarea[^>]*name="body"[^>]*>\r?\n?(.*?)</textarea>', page, re.S).group(1)
    return html_lib.unescape(subject), html_lib.unescape(body)


def test_a_built_in_language_opens_with_its_wording_and_the_preview_of_it(client, login, admin):
    login(admin)
    page = client.get("/admin/email-templates/ticket_confirmation/pl")
    subject, body = _editor_fields(page.get_data(as_text=True))
    assert subject == "[{number}] Otrzymaliśmy Twoje zgłoszenie"
    assert body.startswith("Dzień dobry, {name},\n\nDziękujemy za wiadomość.")
    assert "Pierwszej odpowiedzi możesz się spodziewać najpóźniej: {first_response_due}." in body
    assert "{status_link}" in body
    shown = text_of(page)
    assert "Press “Preview”" not in shown  # the preview is there at once, with sample data
    assert "[LD-1042] Otrzymaliśmy Twoje zgłoszenie" in shown
    assert "Dzień dobry, Jana Novak," in shown
    assert "najpóźniej: 12 maja 2025 14:00 (CEST)." in shown  # the sample moment, in Polish
    assert db.session.scalar(select(EmailTemplateText)) is None  # opening it saved nothing


def test_every_built_in_text_is_valid_with_counts_moments_and_links_as_placeholders(app):
    from webapp.services import email_texts
    from webapp.services.email_builtin_texts import builtin_text

    formatted = ("link", "status_link", "first_response_due", "days", "failures", "survey_links")
    with app.test_request_context():
        for template, editable in email_texts.EDITABLE.items():
            for locale in ("en", "pl", "ru", "sl"):
                subject, body = builtin_text(template, locale)
                email_texts.validate(template, subject, body)  # only the e-mail's placeholders
                assert "9000000" not in body and "2037" not in body, (template, locale)
                used = set(email_texts._TOKEN.findall(subject + body))
                for key in set(formatted) & set(editable.placeholders):
                    assert key in used, (template, locale, key)


def test_saving_the_built_in_text_unchanged_creates_no_own_text(client, login, post_form, admin):
    login(admin)
    page = client.get("/admin/email-templates/continue_later/sl").get_data(as_text=True)
    subject, body = _editor_fields(page)
    saved = post_form(
        "/admin/email-templates/continue_later/sl",
        {"subject": subject, "body": body.replace("\n", "\r\n"), "revision": "0"},
    )
    assert saved.status_code == 303
    assert "Nothing was saved: this is the built-in text" in text_of(client.get(saved.location))
    assert db.session.scalar(select(EmailTemplateText)) is None
    assert db.session.scalar(select(AuditEntry)) is None


def test_changing_one_word_of_the_built_in_text_saves_the_rest_as_it_was(
    client, login, post_form, admin
):
    login(admin)
    page = client.get("/admin/email-templates/continue_later/en").get_data(as_text=True)
    subject, body = _editor_fields(page)
    assert "It works for {days} days." in body
    post_form(
        "/admin/email-templates/continue_later/en",
        {
            "subject": subject,
            "body": body.replace("private link", "personal link"),
            "revision": "0",
        },
    )
    from webapp.outbox import queue_email

    message = queue_email(
        "c@example.com",
        "continue_later",
        "en",
        {"form_title": "Product feedback", "days": 7, "link": "http://loopdesk.test/r/abc"},
    )
    assert message.subject == "Continue where you left off: Product feedback"
    assert "Here is your personal link to continue “Product feedback”. It works for 7 days." in (
        message.body_text
    )
    assert "http://loopdesk.test/r/abc" in message.body_text
    db.session.rollback()
