"""An admin who reads Polish sees the workflow and form editors' problems in Polish, with the
names taken from the YAML escaped."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from tests.helpers import text_of as raw_text_of
from webapp.models import Role, WorkflowKind
from webapp.services.workflow_versions import SHIPPED

SHIPPED_TEXT = SHIPPED[WorkflowKind.TICKET].read_text(encoding="utf-8")
NPS = (Path(__file__).resolve().parents[2] / "survey_forms/templates/nps.yaml").read_text()
EVIL = "<script>x</script>"


@pytest.fixture
def polish_admin(builtin_forms, create_user, login):
    admin = create_user(email="ewa@example.pl", name="Ewa", role=Role.ADMIN, locale="pl")
    login(admin)
    return admin


def text_of(response) -> str:
    return html.unescape(raw_text_of(response))


def escaped_only(response) -> None:
    page = response.get_data(as_text=True)
    assert EVIL not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


def test_workflow_problems_are_in_polish_when_checked_saved_and_reviewed(
    client, polish_admin, post_form
):
    broken = SHIPPED_TEXT.replace("dest: closed", f'dest: "{EVIL}"').replace(
        "resolution: 4h", "resolution: soon", 1
    )
    assert broken.count(EVIL) >= 1 and "resolution: soon" in broken
    checked = post_form("/admin/workflow/validate", {"yaml": broken}, htmx=True)
    assert checked.status_code == 200
    text = text_of(checked)
    assert f"nieznany stan '{EVIL}'" in text
    assert "nieosiągalny ze stanu 'new'" in text
    assert "'soon' nie jest czasem trwania (użyj 30m, 4h, 2d)" in text
    assert "wiersz " in text and "unknown state" not in text
    escaped_only(checked)

    saved = post_form(
        "/admin/workflow",
        {"yaml": broken, "revision": "", "base_number": "1", "action": "review"},
    )
    assert saved.status_code == 303
    review = client.get("/admin/workflow/publish")
    assert f"nieznany stan '{EVIL}'" in text_of(review)
    escaped_only(review)


def test_the_routing_editor_says_in_polish_why_it_cannot_edit_the_draft(
    client, polish_admin, post_form
):
    broken = SHIPPED_TEXT.split("routing:")[0] + "routing: 5\n"
    saved = post_form("/admin/workflow", {"yaml": broken, "revision": "", "base_number": "1"})
    assert saved.status_code == 303
    page = text_of(client.get("/admin/workflow/routing"))
    assert "routing: musi być mapowaniem z rules i default" in page


def test_form_problems_are_in_polish_in_the_yaml_editor_and_on_publishing(
    client, polish_admin, post_form
):
    broken = NPS.replace("type: nps", f'type: "{EVIL}"', 1).replace('  pl: "Twoja opinia"\n', "")
    assert EVIL in broken and broken != NPS
    checked = post_form("/admin/forms/nps/validate", {"yaml_text": broken}, htmx=True)
    assert checked.status_code == 200
    text = text_of(checked)
    assert f"nieznany typ pytania '{EVIL}' (użyj: nps, csat, ces," in text
    assert "title.pl brak tłumaczenia" in text
    assert "unknown question type" not in text
    escaped_only(checked)

    saved = post_form("/admin/forms/nps/yaml", {"yaml_text": broken, "revision": ""})
    assert saved.status_code == 303
    builder = client.get("/admin/forms/nps/edit")
    assert f"nieznany typ pytania '{EVIL}'" in text_of(builder)
    escaped_only(builder)


def test_an_english_admin_still_reads_english(client, admin, builtin_forms, login, post_form):
    login(admin)
    broken = SHIPPED_TEXT.replace("dest: closed", f'dest: "{EVIL}"')
    text = text_of(post_form("/admin/workflow/validate", {"yaml": broken}, htmx=True))
    assert f"unknown state '{EVIL}'" in text


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        (
            "pl",
            "Błąd składni YAML w wierszu 6, kolumnie 15: dwukropek ze spacją rozpoczyna tu "
            "wartość, a w tym miejscu żadna wartość nie może się zaczynać; tekst zawierający "
            "„: ” ujmij w cudzysłów albo sprawdź wcięcia",
        ),
        (
            "ru",
            "Синтаксическая ошибка YAML в строке 6, столбце 15: двоеточие с пробелом начинает "
            "здесь значение, а в этом месте значение начинаться не может; заключите текст, "
            "содержащий «: », в кавычки или проверьте отступы",
        ),
    ],
)
def test_broken_yaml_is_explained_in_the_admins_language_with_its_position(
    client, builtin_forms, create_user, login, post_form, locale, said
):
    login(create_user(email="ewa@example.pl", name="Ewa", role=Role.ADMIN, locale=locale))
    broken = NPS.replace('  en: "Your feedback"', "  en: Feedback: yours", 1)
    assert broken.splitlines()[5] == "  en: Feedback: yours"
    checked = text_of(post_form("/admin/forms/nps/validate", {"yaml_text": broken}, htmx=True))
    assert said in checked
    assert "mapping values" not in checked  # PyYAML's English words are not shown

    saved = post_form("/admin/forms/nps/yaml", {"yaml_text": broken, "revision": ""})
    assert saved.status_code in (303, 422)
    workflow = SHIPPED_TEXT.replace("states:", "states: [", 1)
    page = text_of(post_form("/admin/workflow/validate", {"yaml": workflow}, htmx=True))
    assert ("Błąd składni YAML w wierszu" if locale == "pl" else "Синтаксическая ошибка") in page
    assert "did not find" not in page and "while parsing" not in page


def test_a_key_written_twice_is_a_problem_in_the_admins_language_not_a_silent_pick(
    client, polish_admin, post_form
):
    """YAML keeps the later of two equal keys without a word: a state pasted with a second
    `category` would publish as closed although it reads open at first sight."""
    doubled = SHIPPED_TEXT.replace(
        "    category: open\n", "    category: open\n    category: closed\n", 1
    )
    line = doubled.splitlines().index("    category: closed") + 1
    text = text_of(post_form("/admin/workflow/validate", {"yaml": doubled}, htmx=True))
    assert (
        f"wiersz {line}: Nowe states.new.category : ten klucz jest już wpisany w wierszu "
        f"{line - 1}; YAML zachowałby tylko tę późniejszą wartość, więc usuń jeden z nich"
    ) in text
    assert "Brak problemów" not in text

    form = NPS.replace("type: nps", "type: nps\n    type: csat", 1)
    checked = text_of(post_form("/admin/forms/nps/validate", {"yaml_text": form}, htmx=True))
    assert "questions[0].type ten klucz jest już wpisany w wierszu" in checked


def test_the_routing_tester_says_why_a_draft_cannot_route_without_a_dash_for_no_path(
    client, polish_admin, post_form
):
    saved = post_form("/admin/workflow", {"yaml": "- a\n", "revision": "", "base_number": "1"})
    assert saved.status_code == 303
    tested = post_form(
        "/admin/workflow/routing/test",
        {"source": "typed", "form": "nps", "locale": "pl", "answer-score": "2"},
        htmx=True,
    )
    assert tested.status_code == 200
    said = text_of(tested)
    assert (
        "Ta definicja się nie wczytuje, więc nie może kierować zgłoszeń: "
        "dokument musi być mapowaniem ze states i transitions"
    ) in said
    assert "— :" not in said and "—:" not in said
