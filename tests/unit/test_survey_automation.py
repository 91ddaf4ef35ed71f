"""The shipped automation: an NPS 9–10 answer asks for a testimonial and labels a promoter.

Automation conditions read the ticket's facts plus the event's context under `event`,
as `run_automations` builds them.
"""

from pathlib import Path

import pytest

from workflow.conditions import evaluate
from workflow.definition import load_definition

DEFAULT_TEXT = (
    Path(__file__).resolve().parents[2] / "workflow" / "definitions" / "default.yaml"
).read_text(encoding="utf-8")


def survey_rule():
    definition = load_definition(DEFAULT_TEXT).definition
    [rule] = [r for r in definition.automations if r["on"] == "survey.answered"]
    return rule


def facts(**event) -> dict:
    ticket = {"form": "nps", "locale": "pl", "labels": [], "priority": "normal", "score": {}}
    return {**ticket, "event": event}


@pytest.mark.parametrize(
    ("event", "fires"),
    [
        ({"type": "nps", "score": 10, "category": "promoter"}, True),
        ({"type": "nps", "score": 9, "category": "promoter"}, True),
        ({"type": "nps", "score": 8, "category": "passive"}, False),
        ({"type": "nps", "score": 0, "category": "detractor"}, False),
        ({"type": "csat", "score": 5, "category": "satisfied"}, False),
    ],
)
def test_promoters_get_the_testimonial_request(event, fires):
    assert evaluate(survey_rule()["when"], facts(**event)) is fires


def test_the_rule_sends_the_testimonial_and_labels_the_ticket():
    actions = [(a.name, a.param) for a in survey_rule()["do"]]
    assert actions == [("send_template", "testimonial_request"), ("add_label", "promoter")]


def test_an_unquoted_on_key_is_read_as_the_event_not_as_yaml_true():
    text = DEFAULT_TEXT.split("automations:")[0] + (
        "automations:\n"
        "  - on: label.added\n"
        "    when: {field: event.label, op: '=', value: vip}\n"
        "    do: [set_priority: high]\n"
    )
    result = load_definition(text)
    assert result.ok, result.problems
    assert result.definition.automations[0]["on"] == "label.added"


def test_event_fields_are_for_automations_only():
    text = DEFAULT_TEXT.replace(
        'when: {field: form, op: "=", value: report-problem}',
        'when: {field: event.score, op: "=", value: 1}',
    )
    problems = [str(p) for p in load_definition(text).problems]
    assert any("unknown field 'event.score'" in p for p in problems)
