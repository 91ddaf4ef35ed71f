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


def test_a_parser_explanation_stays_a_value_not_part_of_the_template():
    problem = read_yaml("states:\n  new: {label: [unclosed\n", 1024)
    assert isinstance(problem, Problem)
    assert problem.message == "YAML syntax error at line %(line)s, column %(column)s: %(problem)s"
    assert problem.params["line"] == 3 and problem.params["problem"]
    assert str(problem).startswith("YAML syntax error at line 3, column")


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
