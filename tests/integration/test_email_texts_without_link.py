"""Own e-mail texts saved before {link} was required never send an e-mail without its link."""

import pytest

from tests.helpers import text_of
from tests.integration.test_conversation_pages import Respondent
from webapp.extensions import db
from webapp.models import EmailTemplateText


@pytest.fixture
def app_config(smtp_config) -> dict:
    return {**smtp_config, "FORM_MIN_SECONDS_FIRST_ANSWER": 0}


def stored_before_the_rule(template: str, locale: str, subject: str, body: str) -> None:
    """An own text as an older version saved it: without the placeholder now required."""
    db.session.add(EmailTemplateText(template=template, locale=locale, subject=subject, body=body))
    db.session.commit()


def received(smtp_server, to: str):
    return next(m for m in smtp_server.messages if m["To"] == to)


def test_a_continue_later_text_without_its_link_sends_the_built_in_one(
    app, client, builtin_forms, smtp_server, run_jobs
):
    stored_before_the_rule(
        "continue_later", "pl", "Wróć do nas", "Dziękujemy! Dokończ ankietę, kiedy zechcesz."
    )
    customer = Respondent(client, "goal", True, lang="pl")
    customer.answer("no")
    client.post(
        "/f/goal/continue-later",
        data={"step": customer.field("step"), "lang": "pl", "email": "jan@firma.pl"},
    )
    run_jobs()
    mail = received(smtp_server, "jan@firma.pl")
    plain = mail.get_body(("plain",)).get_content()
    assert "http://loopdesk.test/f/goal/resume/" in plain
    assert "Dokończ ankietę, kiedy zechcesz" not in plain and mail["Subject"] != "Wróć do nas"
    assert "Tutaj jest" in plain or "Oto" in plain  # the built-in Polish wording


def test_a_password_reset_text_without_its_link_sends_the_built_in_one(
    app, client, post_form, admin, smtp_server, run_jobs
):
    stored_before_the_rule("password_reset", "en", "Password", "Hello {name}, call us.")
    post_form("/forgot-password", {"email": admin.email})
    run_jobs()
    plain = received(smtp_server, admin.email).get_body(("plain",)).get_content()
    assert "/reset-password/" in plain and "call us" not in plain


def test_the_admin_pages_flag_the_text_and_ask_for_the_placeholder(
    app, client, login, post_form, admin, smtp_server, run_jobs
):
    stored_before_the_rule("password_reset", "pl", "Hasło", "Dzień dobry {name}.")
    stored_before_the_rule("staff_invitation", "en", "Welcome", "Welcome {name}: {link}")
    login(admin)
    overview = client.get("/admin/email-templates")
    assert "Some of your texts lack the link their e-mail is sent for." in text_of(overview)
    warning = overview.get_data(as_text=True).split('role="alert"')[1].split("</article>")[0]
    assert '/admin/email-templates/password_reset/pl">Password reset (Polish)</a>: add {link}' in (
        warning
    )
    assert "staff_invitation" not in warning  # its own text has the link
    assert "Own text without {link}: the built-in text is sent" in text_of(overview)
    editor = client.get("/admin/email-templates/password_reset/pl")
    assert "This text lacks {link}, the link this e-mail is sent for." in text_of(editor)
    # Adding the placeholder: the warning goes, and the own text is what gets sent.
    revision = db.session.query(EmailTemplateText).filter_by(locale="pl").one().revision
    saved = post_form(
        "/admin/email-templates/password_reset/pl",
        {
            "subject": "Hasło",
            "body": "Dzień dobry {name}. Nowe hasło: {link}",
            "revision": revision,
        },
    )
    assert saved.status_code == 303
    assert "lack the link" not in text_of(client.get("/admin/email-templates"))
    admin.locale = "pl"
    db.session.commit()
    post_form("/logout")
    post_form("/forgot-password", {"email": admin.email})
    run_jobs()
    plain = received(smtp_server, admin.email).get_body(("plain",)).get_content()
    assert plain.startswith("Dzień dobry Ann Admin. Nowe hasło: http://loopdesk.test/")


def test_the_warning_reads_in_the_admins_language(app, client, login, admin):
    stored_before_the_rule("continue_later", "ru", "Ссылка", "Продолжите позже.")
    admin.locale = "ru"
    db.session.commit()
    login(admin)
    page = text_of(client.get("/admin/email-templates"))
    assert "не хватает ссылки, ради которой отправляется письмо" in page
