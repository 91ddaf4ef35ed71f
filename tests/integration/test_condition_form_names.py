"""Routing and SLA conditions name forms by their titles and questions by their first words,
in the reader's language, not by slug and id ("the form is “report-problem”", "csat")."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from tests.helpers import make_ticket, text_of
from webapp.admin.form_words import FormNames, describe_condition, short_text
from webapp.extensions import db
from webapp.services import drafts
from webapp.services.workflow_versions import active_version

BROKEN_PAGE = {
    "all": [
        {"field": "form", "op": "=", "value": "report-problem"},
        {"field": "answers.csat", "op": "<=", "value": 2},
    ]
}


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ("en", "the form is “Report a problem” and “How satisfied are you with the…” is at most 2"),
        (
            "pl",
            "formularz jest „Zgłoś problem” i „Jak oceniasz otrzymaną od nas pomoc?” wynosi co "
            "najwyżej 2",
        ),
        ("ru", None),
        ("sl", None),
    ],
)
def test_a_form_and_a_question_are_named_in_the_readers_language(app, builtin_forms, locale, said):
    with app.test_request_context(), force_locale(locale):
        words = describe_condition(BROKEN_PAGE, None, {}, FormNames())
    if said:
        assert words == said
    assert "report-problem" not in words and "csat" not in words
    title = {
        "en": "Report a problem",
        "pl": "Zgłoś problem",
        "ru": "Сообщить о проблеме",
        "sl": "Prijavite težavo",
    }[locale]
    assert title in words


def test_what_no_form_names_keeps_its_slug_or_id(app, builtin_forms):
    """An unknown form or question, or an id two forms ask differently, is said as stored."""
    condition = {
        "any": [
            {"field": "form", "op": "=", "value": "gone"},
            {"field": "answers.nothing", "op": "exists"},
            {"field": "answers.email", "op": "exists"},  # goal, nps and report-problem ask it
        ]
    }
    with app.test_request_context(), force_locale("en"):
        said = describe_condition(condition, None, {}, FormNames())
    assert said == "the form is “gone” or nothing is answered or email is answered"


def test_a_question_is_cut_to_its_first_words():
    assert short_text("What happened?") == "What happened?"
    assert short_text("How likely are you to recommend us to a friend?") == (
        "How likely are you to recommend…"
    )
    assert short_text("Przykro nam. Co mogliśmy zrobić lepiej?") == (
        "Przykro nam. Co mogliśmy zrobić lepiej?"
    )
    assert len(short_text("x" * 500)) <= 48


def test_the_ticket_page_names_the_form_of_the_rule_that_routed_it(client, login, builtin_forms):
    ticket = make_ticket(
        form_slug="report-problem", answers={"category": "bug"}, score=None, subject="Blank page"
    )
    builtin_forms.locale = "pl"
    db.session.commit()
    login(builtin_forms)
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "Pasuje reguła „Broken pages go to product quality”: formularz jest „Zgłoś problem”" in (
        page
    )
    assert "report-problem”" not in page


def test_the_routing_page_loads_form_names_once_whatever_the_rules(
    app, client, login, admin, builtin_forms, count_queries
):
    login(admin)
    version = active_version("ticket")
    rule = (
        "    - name: Rule {n}\n"
        "      when: {{all: [{{field: form, op: '=', value: csat}}, "
        "{{field: answers.comment, op: exists}}]}}\n"
        "      set: {{team: customer-care}}\n"
    )

    def page_with(rules: int) -> tuple[int, str]:
        extra = "".join(rule.format(n=n) for n in range(rules))
        text = version.yaml_text.replace("  rules:\n", "  rules:\n" + extra, 1)
        current = drafts.current("workflow", "ticket")
        drafts.save(
            "workflow",
            "ticket",
            text,
            revision=current.revision if current else None,
            base_number=version.number,
            actor=admin,
        )
        db.session.commit()
        with count_queries() as statements:
            page = client.get("/admin/workflow/routing")
        assert page.status_code == 200
        return len(statements), text_of(page)

    few, text = page_with(1)
    assert "the form is “Feedback on our support” and “Sorry to hear that. What could…” is" in (
        text
    )
    many, _text = page_with(8)
    assert many == few


@pytest.mark.parametrize(
    ("locale", "label"),
    [
        ("en", "“Something isn't working”"),
        ("pl", "„Coś nie działa”"),
        ("ru", "«Что-то не работает»"),
        ("sl", "»Nekaj ne deluje«"),
    ],
)
def test_a_choice_answer_is_named_by_its_label_in_the_readers_language(
    app, builtin_forms, locale, label
):
    condition = {"field": "answers.category", "op": "=", "value": "bug"}
    with app.test_request_context(), force_locale(locale):
        said = describe_condition(condition, None, {}, FormNames())
    assert label in said
    assert "bug" not in said


def test_a_choice_value_no_form_offers_is_said_as_stored(app, builtin_forms):
    condition = {
        "all": [
            {"field": "answers.category", "op": "in", "value": ["bug", "refund"]},
            {"field": "answers.comment", "op": "contains", "value": "bug"},
        ]
    }
    with app.test_request_context(), force_locale("en"):
        said = describe_condition(condition, None, {}, FormNames())
    assert "is one of “Something isn't working”, “refund”" in said
    assert said.endswith("contains “bug”")


def test_inside_a_form_a_choice_is_named_in_the_readers_language(app):
    """The form builder's conditions say a choice as the admin reads it, else the default."""
    from survey_forms.builder import outline

    form = outline(
        {
            "slug": "topics",
            "title": {"en": "Topics"},
            "languages": ["en", "pl"],
            "default_language": "en",
            "questions": [
                {
                    "id": "topic",
                    "type": "single_choice",
                    "text": {"en": "Topic?", "pl": "Temat?"},
                    "choices": [
                        {"value": "bug", "label": {"en": "A bug", "pl": "Błąd"}},
                        {"value": "other", "label": {"en": "Other"}},
                    ],
                }
            ],
        }
    )
    condition = {"field": "answers.topic", "op": "in", "value": ["bug", "other"]}
    with app.test_request_context(), force_locale("pl"):
        said = describe_condition(condition, form)
    assert said == "„Temat?” ma jedną z wartości: „Błąd”, „Other”"
