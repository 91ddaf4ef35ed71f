"""Where a workflow definition names a team: what deleting the team would break."""

from __future__ import annotations

import yaml

from webapp.models import WorkflowKind
from webapp.services.workflow_versions import SHIPPED
from workflow.definition import load_definition_or_raise
from workflow.team_references import ReferenceKind, TeamReference, team_references

SHIPPED_TEXT = SHIPPED[WorkflowKind.TICKET].read_text(encoding="utf-8")


def test_the_shipped_workflow_names_its_two_teams_in_rules_overflow_sla_and_default():
    definition = load_definition_or_raise(SHIPPED_TEXT)
    assert team_references(definition, "product-quality") == [
        TeamReference(ReferenceKind.SLA_CONDITION, "product quality"),
        TeamReference(ReferenceKind.ROUTING_RULE, "Broken pages go to product quality"),
        TeamReference(ReferenceKind.ROUTING_RULE, "Slovenian feedback"),
    ]
    care = team_references(definition, "customer-care")
    assert TeamReference(ReferenceKind.DEFAULT_ROUTE) in care
    assert TeamReference(ReferenceKind.ROUTING_OVERFLOW, "Slovenian feedback") in care
    assert team_references(definition, "nobody") == []


def test_assign_team_actions_and_conditions_anywhere_are_found():
    data = yaml.safe_load(SHIPPED_TEXT)
    data["transitions"][0]["after"].append({"assign_team": "vip"})
    data["states"]["resolved"]["on_enter"].append({"assign_team": "vip"})
    data["states"]["waiting_on_customer"]["timers"][0]["do"].append({"assign_team": "vip"})
    data["automations"].append(
        {
            "name": "VIP labels",
            "on": "label.added",
            "when": {"not": {"field": "team", "op": "=", "value": "vip"}},
            "do": ["raise_priority"],
        }
    )
    data["routing"]["rules"][0]["when"] = {"all": [{"field": "team", "op": "!=", "value": "vip"}]}
    definition = load_definition_or_raise(yaml.safe_dump(data))
    kinds = [(r.kind, r.name) for r in team_references(definition, "vip")]
    assert kinds == [
        (ReferenceKind.STATE, "resolved"),
        (ReferenceKind.STATE_TIMER, "waiting_on_customer"),
        (ReferenceKind.TRANSITION, "assign"),
        (ReferenceKind.ROUTING_CONDITION, "Unhappy customers get a fast call back"),
        (ReferenceKind.AUTOMATION, "VIP labels"),
    ]


def test_unnamed_rules_policies_and_automations_carry_their_place():
    data = yaml.safe_load(SHIPPED_TEXT)
    data["routing"]["rules"].insert(1, {"when": {"field": "team", "op": "=", "value": "vip"}})
    data["automations"].append({"on": "label.added", "do": [{"assign_team": "vip"}]})
    definition = load_definition_or_raise(yaml.safe_dump(data))
    rule, automation = team_references(definition, "vip")
    assert (rule.kind, rule.index, rule.named) == (ReferenceKind.ROUTING_CONDITION, 1, False)
    index = len(data["automations"]) - 1
    assert (automation.kind, automation.index, automation.named) == (
        ReferenceKind.AUTOMATION,
        index,
        False,
    )
    named = team_references(load_definition_or_raise(SHIPPED_TEXT), "product-quality")
    assert all(reference.named for reference in named)
