"""Where a workflow definition names a team (by its slug): what deleting the team would break.

Routing rules and the default route send tickets to a team or overflow to it; SLA policies,
automations and routing rules can test `team` in their conditions; the `assign_team` action
(on breach, on entering a state or on its timer, after a transition, in an automation) moves
tickets to it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workflow.definition import (
    ActionRef,
    RouteTarget,
    WorkflowDefinition,
    unnamed_policy_name,
    unnamed_rule_name,
)


class ReferenceKind(enum.StrEnum):
    ROUTING_RULE = "routing_rule"  # the rule sends tickets to the team
    ROUTING_OVERFLOW = "routing_overflow"  # the rule's overflow goes to the team
    ROUTING_CONDITION = "routing_condition"  # the rule's condition tests the team
    DEFAULT_ROUTE = "default_route"
    SLA_CONDITION = "sla_condition"  # the policy applies to the team's tickets
    SLA_BREACH = "sla_breach"  # a breach moves tickets to the team
    AUTOMATION = "automation"
    STATE = "state"  # entering the state moves tickets to the team
    STATE_TIMER = "state_timer"  # one of the state's timers moves tickets to the team
    TRANSITION = "transition"  # the transition moves tickets to the team


@dataclass(frozen=True)
class TeamReference:
    kind: ReferenceKind
    name: str = ""  # the rule, policy, automation, state or transition trigger
    # A rule's, policy's or automation's place among its kind, from 0. Pages call an
    # unnamed one by it ("Rule 2"), not by the loader's English "rule 2" (or "#3") in
    # quotes as if it were a name. Not part of what the reference is: a named rule that
    # moves in a draft is still the same rule.
    index: int | None = field(default=None, compare=False)
    named: bool = field(default=True, compare=False)  # its admin gave it a name


def team_references(definition: WorkflowDefinition, slug: str) -> list[TeamReference]:
    """Every place in `definition` that names team `slug`, in the order of the document."""
    found: list[TeamReference] = []

    def add(kind: ReferenceKind, name: str = "", index: int | None = None, named=True) -> None:
        reference = TeamReference(kind, name, index, named)
        if reference not in found:
            found.append(reference)

    for name, state in definition.states.items():
        if _assigns(state.on_enter, slug):
            add(ReferenceKind.STATE, name)
        if any(_assigns(timer.do, slug) for timer in state.timers):
            add(ReferenceKind.STATE_TIMER, name)
    for transition in definition.transitions:
        if _assigns(transition.after, slug):
            add(ReferenceKind.TRANSITION, transition.trigger)
    for index, policy in enumerate(definition.policies):
        named = policy.name != unnamed_policy_name(index)
        if condition_names_team(policy.when, slug):
            add(ReferenceKind.SLA_CONDITION, policy.name, index, named)
        if _assigns(policy.on_breach, slug):
            add(ReferenceKind.SLA_BREACH, policy.name, index, named)
    for index, rule in enumerate(definition.rules):
        named = rule.name != unnamed_rule_name(index)
        if rule.target.team == slug:
            add(ReferenceKind.ROUTING_RULE, rule.name, index, named)
        if rule.target.overflow_team == slug:
            add(ReferenceKind.ROUTING_OVERFLOW, rule.name, index, named)
        if condition_names_team(rule.when, slug):
            add(ReferenceKind.ROUTING_CONDITION, rule.name, index, named)
    if _targets(definition.default_route, slug):
        add(ReferenceKind.DEFAULT_ROUTE)
    for index, automation in enumerate(definition.automations):
        if condition_names_team(automation.get("when"), slug) or _assigns(
            automation.get("do") or (), slug
        ):
            name = automation.get("name")
            add(ReferenceKind.AUTOMATION, str(name or f"#{index + 1}"), index, bool(name))
    return found


def condition_names_team(condition: Any, slug: str) -> bool:
    """Whether a condition ({field, op, value} / all / any / not) compares `team` with `slug`."""
    if isinstance(condition, Mapping):
        if condition.get("field") == "team":
            value = condition.get("value")
            values = value if isinstance(value, list | tuple) else [value]
            return slug in values
        return any(condition_names_team(condition.get(key), slug) for key in ("all", "any", "not"))
    if isinstance(condition, list | tuple):
        return any(condition_names_team(item, slug) for item in condition)
    return False


def _assigns(actions: Iterable[ActionRef], slug: str) -> bool:
    return any(action.name == "assign_team" and action.param == slug for action in actions)


def _targets(target: RouteTarget, slug: str) -> bool:
    return slug in (target.team, target.overflow_team)


def teams_written(data: Any) -> list[tuple[str, str]]:
    """(path, slug) of each place a definition's YAML data sends tickets to a team: a routing
    rule's or the default's `team` and `overflow_team`, and every `assign_team` action (in
    on_enter, a state's timers, a transition's `after`, an SLA policy's on_breach, an
    automation's `do`). Paths are the YAML's, so each can be reported at its line."""
    found: list[tuple[str, str]] = []

    def mapping(value: Any) -> Mapping:
        return value if isinstance(value, Mapping) else {}

    def items(value: Any) -> list:
        return value if isinstance(value, list) else []

    def actions(raw: Any, path: str) -> None:
        for index, action in enumerate(items(raw)):
            if isinstance(action, Mapping) and action.get("assign_team") is not None:
                found.append((f"{path}[{index}]", str(action["assign_team"])))

    def target(raw: Any, path: str) -> None:
        for key in ("team", "overflow_team"):
            if mapping(raw).get(key) is not None:
                found.append((f"{path}.{key}", str(raw[key])))

    data = mapping(data)
    for name, state in mapping(data.get("states")).items():
        actions(mapping(state).get("on_enter"), f"states.{name}.on_enter")
        for index, timer in enumerate(items(mapping(state).get("timers"))):
            actions(mapping(timer).get("do"), f"states.{name}.timers[{index}].do")
    for index, transition in enumerate(items(data.get("transitions"))):
        actions(mapping(transition).get("after"), f"transitions[{index}].after")
    for index, policy in enumerate(items(mapping(data.get("sla")).get("policies"))):
        actions(mapping(policy).get("on_breach"), f"sla.policies[{index}].on_breach")
    routing = mapping(data.get("routing"))
    for index, rule in enumerate(items(routing.get("rules"))):
        target(mapping(rule).get("set"), f"routing.rules[{index}].set")
    target(routing.get("default"), "routing.default")
    for index, automation in enumerate(items(data.get("automations"))):
        actions(mapping(automation).get("do"), f"automations[{index}].do")
    return found
