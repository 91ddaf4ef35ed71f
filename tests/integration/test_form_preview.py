"""Admins try a form draft exactly as customers will see it, and nothing is stored."""

import html
import re

import pytest
from sqlalchemy import func, select

from tests.helpers import text_of
from webapp.extensions import db
from webapp.models import AuditEntry, OutboxMessage, Response, Role, Ticket
from webapp.services import drafts
from webapp.services.forms import BUILTIN_DIR

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def signed_in(client, builtin_forms, admin, login):
    login(admin)
    return client


def _counts() -> tuple[int, int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Response, Ticket, OutboxMessage, AuditEntry)
    )


def _save_draft(text: str, admin, revision=None) -> int:
    draft = drafts.save("form", "nps", text, revision=revision, base_number=1, actor=admin)
    db.session.commit()
    return draft.revision


def _field(html: str, name: str) -> str | None:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    return match.group(1) if match else None


class Previewer:
    """An admin's browser going through a preview, with or without htmx."""

    def __init__(self, client, post_form, slug="nps", lang=None, htmx=False):
        self.client, self.post_form, self.slug, self.htmx = client, post_form, slug, htmx
        query = f"?lang={lang}" if lang else ""
        self.page = client.get(f"/admin/forms/{slug}/preview{query}")
        assert self.page.status_code == 200
        self.html = self.page.get_data(as_text=True)

    def answer(self, value):
        data = {"question": _field(self.html, "question"), "lang": _field(self.html, "lang")}
        data["value"] = value
        reply = self.post_form(f"/admin/forms/{self.slug}/preview/answer", data, htmx=self.htmx)
        if reply.status_code == 303:
            reply = self.client.get(reply.headers["Location"])
        if reply.status_code in (200, 422):
            self.html = reply.get_data(as_text=True)
        return reply

    @property
    def question(self):
        return _field(self.html, "question")


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_polish_preview_follows_show_if_and_stores_nothing(signed_in, post_form, htmx):
    before = _counts()
    preview = Previewer(signed_in, post_form, lang="pl", htmx=htmx)
    assert '<html lang="pl"' in preview.html
    assert "Preview" in preview.html or "Podgląd" in preview.html
    assert 'class="preview-banner"' in preview.html
    assert preview.question == "score"
    assert "Jak prawdopodobne jest" in preview.html
    # The language switcher stays inside the preview, and leads to the question.
    assert 'href="/admin/forms/nps/preview?lang=ru#composer"' in preview.html
    assert "/f/nps/answer" not in preview.html

    preview.answer("3")  # a detractor is asked what went wrong, never for a testimonial
    assert preview.question == "what_went_wrong"
    assert "Co możemy poprawić?" in preview.html
    preview.answer("Płatność kartą nie działa.")
    assert preview.question == "name"
    preview.answer("Jan")
    assert preview.question == "email"
    reply = preview.answer("jan@example.pl")
    assert reply.status_code == 200
    page = text_of(signed_in.get("/admin/forms/nps/preview?lang=pl"))
    assert "Przykro nam, że Cię zawiedliśmy" in page  # the detractor's ending
    assert "Płatność kartą nie działa." in page
    assert _counts() == before  # no response, ticket, e-mail or audit entry


def test_promoter_gets_the_other_branch_and_piped_ending(signed_in, post_form):
    preview = Previewer(signed_in, post_form)
    preview.answer("10")
    assert preview.question == "testimonial"
    preview.answer("yes")
    assert preview.question == "testimonial_text"
    preview.answer("Great!")
    preview.answer("Ada")
    preview.answer("")
    page = text_of(signed_in.get("/admin/forms/nps/preview"))
    assert "Thank you so much, Ada!" in page


def test_wrong_answer_is_refused_in_the_customers_words(signed_in, post_form):
    preview = Previewer(signed_in, post_form)
    reply = preview.answer("11")
    assert reply.status_code == 422
    assert "Please choose a number from 0 to 10." in preview.html
    assert preview.question == "score"


def test_restart_and_a_new_draft_revision_start_over(signed_in, post_form, admin):
    preview = Previewer(signed_in, post_form)
    preview.answer("9")
    assert Previewer(signed_in, post_form).question == "testimonial"
    reply = post_form("/admin/forms/nps/preview/restart", {"lang": "en"})
    assert reply.status_code == 303
    assert Previewer(signed_in, post_form).question == "score"

    Previewer(signed_in, post_form).answer("9")
    text = (BUILTIN_DIR / "nps.yaml").read_text(encoding="utf-8")
    _save_draft(text.replace("How likely are you", "How likely, really, are you"), admin)
    fresh = Previewer(signed_in, post_form)
    assert fresh.question == "score"  # the draft changed: its preview starts again
    assert "How likely, really, are you" in fresh.html
    assert "the draft (revision 1)" in fresh.html


def test_invalid_draft_shows_its_problems(signed_in, admin):
    text = (BUILTIN_DIR / "nps.yaml").read_text(encoding="utf-8")
    _save_draft(text.replace("type: nps", "type: npx"), admin)
    reply = signed_in.get("/admin/forms/nps/preview")
    assert reply.status_code == 200
    page = html.unescape(text_of(reply))
    assert "cannot be previewed" in page
    assert "questions[0].type" in page and "unknown question type 'npx'" in page
    assert 'name="question"' not in reply.get_data(as_text=True)


def test_preview_escapes_everything(signed_in, post_form, admin):
    text = (BUILTIN_DIR / "nps.yaml").read_text(encoding="utf-8")
    text = text.replace(
        '"How likely are you to recommend us to a friend or colleague?"', f"'{XSS}'"
    )
    _save_draft(text, admin)
    preview = Previewer(signed_in, post_form)
    assert XSS not in preview.html
    assert "&lt;script&gt;alert(" in preview.html
    preview.answer("8")
    preview.answer(XSS)  # piped and shown back as the customer's bubble
    page = signed_in.get("/admin/forms/nps/preview").get_data(as_text=True)
    assert XSS not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_agents_and_strangers_cannot_preview(client, builtin_forms, agent, login, post_form):
    assert client.get("/admin/forms/nps/preview").status_code == 302  # to the login page
    login(agent)
    assert client.get("/admin/forms/nps/preview").status_code == 403
    assert post_form("/admin/forms/nps/preview/answer", {"question": "score"}).status_code == 403
    assert post_form("/admin/forms/nps/preview/restart").status_code == 403


def test_unknown_form_is_404(signed_in):
    assert signed_in.get("/admin/forms/nope/preview").status_code == 404


def _banner(page: str) -> str:
    return text_of_html(re.search(r'<div class="preview-banner".*?</div>', page, re.S).group(0))


def text_of_html(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-javascript"])
def test_a_polish_admin_gets_the_preview_controls_in_polish_and_the_form_in_its_language(
    client, builtin_forms, create_user, login, post_form, htmx
):
    admin = create_user(email="olga@example.com", name="Olga", role=Role.ADMIN, locale="pl")
    login(admin)
    preview = Previewer(client, post_form, htmx=htmx)  # the form's default language: English
    banner = _banner(preview.html)
    assert "Podgląd — wersja 1 (brak wersji roboczej)." in banner
    assert "Odpowiedzi nie są zapisywane" in banner
    assert "Wróć do formularza" in banner and "Uruchom podgląd od nowa" in banner
    assert "Back to the form" not in banner and "Answers are not saved" not in banner
    assert 'class="preview-banner" role="region" aria-label="Podgląd" lang="pl"' in preview.html
    # The customer's part stays in the previewed language, controls included.
    assert '<html lang="en"' in preview.html
    assert "How likely are you to recommend us" in preview.html
    assert "Skip to the question" in preview.html

    preview = Previewer(client, post_form, lang="ru", htmx=htmx)
    assert '<html lang="ru"' in preview.html
    assert "Насколько вероятно" in preview.html and "Перейти к вопросу" in preview.html
    assert "Wróć do formularza" in _banner(preview.html)
    for value in ("2", "Долго", "Иван", "ivan@example.ru"):
        preview.answer(value)
    end = text_of_html(preview.html)
    assert "Podgląd: w tym miejscu klient otrzymałby numer referencyjny" in end
    assert "Uruchom podgląd od nowa" in end
    assert "Restart preview" not in end and "Перезапустить" not in end
