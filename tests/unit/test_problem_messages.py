"""Definition problems are English templates with their values apart: the CLI and logs read
English, the web layer translates the template and fills in the values."""

from __future__ import annotations

import pytest

from survey_forms.definition import load_form
from workflow.calendars import calendar_problems
from workflow.conditions import condition_problems
from workflow.definition import load_definition
from workflow.durations import DurationError, parse_duration
from workflow.yaml_documents import N_, Problem, read_yaml

WORKFLOW = """\
initial: new
states:
  new: {label: New}
  done: {label: Done, category: resolved, final: true}
transitions:
  - {trigger: finish, source: new, dest: dnoe}
"""

FORM = """\
slug: shop
title: {en: Shop, pl: Sklep}
languages: [en, pl]
questions:
  - id: score
    type: stars
    text: {en: "How was it?", pl: "Jak było?"}
"""


def test_n_marks_a_message_and_returns_it_unchanged():
    assert N_("unknown state '%(state)s'") == "unknown state '%(state)s'"


def test_a_workflow_problem_carries_a_template_its_values_and_reads_as_english():
    result = load_definition(WORKFLOW)
    problem = next(p for p in result.problems if p.path == "transitions[0].dest")
    assert problem.message == "unknown state '%(state)s'"
    assert problem.params == {"state": "dnoe"}
    assert problem.text == "unknown state 'dnoe'"
    assert str(problem) == "transitions[0].dest: unknown state 'dnoe' (line 6)"


def test_a_form_problem_carries_a_template_its_values_and_reads_as_english():
    result = load_form(FORM)
    problem = next(p for p in result.problems if p.path == "questions[0].type")
    assert problem.message == "unknown question type '%(type)s' (use %(types)s)"
    assert problem.params["type"] == "stars"
    assert "nps, csat, ces" in problem.params["types"]  # a list goes in already joined
    assert problem.text.startswith("unknown question type 'stars' (use nps, csat, ces,")
    assert str(problem).startswith("questions[0].type: unknown question type 'stars'")


def test_a_template_with_a_literal_percent_sign_reads_as_english():
    text = WORKFLOW + "sla:\n  policies:\n    - {name: p, first_response: 1h, warn_at: 120%}\n"
    problem = next(p for p in load_definition(text).problems if p.path.endswith("warn_at"))
    assert problem.text == "'120%' is not a share of the target (use e.g. 75%)"


def test_an_action_parameter_problem_names_the_action():
    text = WORKFLOW.replace("dest: dnoe", "dest: done, after: [{set_priority: asap}]")
    problem = next(p for p in load_definition(text).problems if "after" in p.path)
    assert problem.params["action"] == "set_priority"
    assert problem.text == "set_priority needs one of low, normal, high, urgent"


def test_a_parser_complaint_is_said_in_our_words_with_its_position():
    problem = read_yaml("states:\n  new: {label: [unclosed\n", 1024)
    assert isinstance(problem, Problem)
    # the list opened at line 2, column 16 is what is never closed
    assert problem.params == {"line": 2, "column": 16}
    assert problem.text == (
        "YAML syntax error at line 2, column 16: a list in square brackets [ ] is not closed, "
        "or its items are not separated by commas"
    )


# What an admin typing YAML runs into, and what they are told (PyYAML's words never shown).
YAML_MISTAKES = [
    ("title: Hi: there\n", 1, 10, "a colon followed by a space starts a value here"),
    ("a:\n  b: 1\n c: 2\n", 3, 2, "this line is not indented like the lines around it"),
    ("a: 1\n- b\n", 2, 1, "this line is not indented like the lines around it"),
    ('a: 1\nb: "open\nc: 2\n', 2, 4, "the quotation mark opened here is never closed"),
    ("a: {b: 1\n", 1, 4, "a mapping in curly braces { } is not closed"),
    ("a:\n\tb: 1\n", 2, 1, "a tab indents this line; YAML indents with spaces only"),
    ("a: @home\n", 1, 4, "a value cannot start with “@”; put the value in quotes"),
    ("ą: żółw\nb: `x`\n", 2, 4, "a value cannot start with “`”"),
    ('a: "C:\\q"\n', 1, 7, "a backslash in double quotes starts an escape YAML does not know"),
    ("a: 1\n---\nb: 2\n", 2, 1, "a second document starts here (a line with ---)"),
    ("a: ]\n", 1, 4, "a value is expected here"),
    ("[1, 2] x\n", 1, 8, "more text follows where the value has ended"),
    ("a: & 1\n", 1, 5, "& and * start names in YAML"),
    ("a: !secret 1\n", 1, 4, "tags such as !name are not supported"),
    ("b: {[1]: 2}\n", 1, 5, "a key must be a single value, not a list or a mapping"),
    ("a: 1\nb: x\x01\n", 2, 5, "the character U+0001 is not allowed in YAML; remove it"),
    ("%YAML 1.1\n%YAML 1.1\n---\na: 1\n", 2, 1, "the text cannot be read as YAML from here"),
]


@pytest.mark.parametrize(("text", "line", "column", "said"), YAML_MISTAKES)
def test_each_kind_of_yaml_mistake_is_explained_at_its_line_and_column(text, line, column, said):
    problem = read_yaml(text, 4096)
    assert isinstance(problem, Problem)
    assert problem.text.startswith(f"YAML syntax error at line {line}, column {column}: {said}")
    assert "%(" not in problem.message or problem.params  # a template with its values


def test_helpers_give_structured_problems_and_english_text_alike():
    calendar = {"timezone": "Mars/Base", "weekly_hours": {"mon": [["09:00", "09:00"]]}}
    problems = calendar_problems(calendar)
    assert [p.path for p in problems] == ["timezone", "weekly_hours.mon[0]"]
    assert str(problems[0]) == "timezone: unknown timezone 'Mars/Base'"
    (condition,) = condition_problems({"field": "locale", "op": "~", "value": 1}, "when")
    assert condition.path == "when.op" and condition.params["op"] == "~"
    with pytest.raises(DurationError) as caught:
        parse_duration("soon")
    assert caught.value.template == "'%(text)s' is not a duration (use 30m, 4h, 2d)"
    assert str(caught.value) == "'soon' is not a duration (use 30m, 4h, 2d)"


def test_problems_compare_and_hash_by_what_they_say():
    one = Problem("initial", N_("unknown state '%(state)s'"), params={"state": "a"})
    same = Problem("initial", N_("unknown state '%(state)s'"), params={"state": "a"})
    other = Problem("initial", N_("unknown state '%(state)s'"), params={"state": "b"})
    assert one == same and hash(one) == hash(same)
    assert one != other and len({one, same, other}) == 2
    assert Problem("", "no values").text == "no values"


def test_a_key_written_twice_in_one_mapping_is_reported_at_the_later_one():
    doubled = WORKFLOW.replace("  new: {label: New}", "  new: {label: New, label: Nowe}")
    problems = [str(p) for p in load_definition(doubled).problems]
    assert problems[0] == (
        "states.new.label: this key is already written at line 3; YAML would keep only this "
        "later value, so remove one of the two (line 3)"
    )
    # The same key in different mappings is not written twice.
    assert not any("written at line" in p for p in problems[1:])
    assert not any("written at line" in str(p) for p in load_definition(WORKFLOW).problems)
    form = FORM.replace("title: {en: Shop, pl: Sklep}", "title: {en: Shop, pl: Sklep}\nslug: b")
    assert any(p.path == "slug" and p.line == 3 for p in load_form(form).problems)
