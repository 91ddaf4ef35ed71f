"""Why a ticket went where, in the reader's language.

`workflow.routing` gives its reasons as codes with values (`Pick.notes`, the matched
condition); the timeline and the routing tester word them here. Events written before the
codes were stored keep their English text, which is shown as it was.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from flask_babel import format_number, gettext
from flask_babel import lazy_gettext as _l

from webapp.i18n import language_in_sentence
from webapp.services.away import short_date
from webapp.services.public_holidays import holiday_name
from workflow.definition import RoutingRule, unnamed_policy_name, unnamed_rule_name
from workflow.routing import join_notes

_NOTES = {
    "manual": _l("manual assignment: left for the team to pick up"),
    "no_members": _l("the team has no active members"),
    "at_capacity": _l("every eligible member is at capacity"),
    "least_loaded": _l("%(name)s: least loaded (%(open)s of %(capacity)s open)"),
    "round_robin": _l("%(name)s: next in round-robin order"),
    "speaks": _l("speaks %(language)s"),
    "nobody_speaks": _l("nobody speaks %(language)s, any member"),
    "on_duty": _l("on duty now"),
    "nobody_on_duty": _l("nobody on duty, any member"),
    "overflow": _l("overflow to team %(team)s"),
    "away": _l("%(name)s away until %(until)s"),
    "everyone_away": _l("everyone in the team is away"),
    "holiday": _l("%(name)s off for a public holiday (%(holiday)s)"),
}
# Why an assigned ticket was routed again (`tickets.reroute_ticket`).
_CAUSES = {"deactivated": _l("%(name)s was deactivated by %(by)s")}


def _values(values: Mapping[str, Any]) -> dict[str, Any]:
    shown = dict(values)
    if "locale" in shown:
        shown["language"] = language_in_sentence(str(shown.pop("locale")))
    for key in ("open", "capacity"):
        if isinstance(shown.get(key), int):
            shown[key] = format_number(shown[key])
    if isinstance(shown.get("country"), str) and isinstance(shown.get("day"), str):
        with contextlib.suppress(ValueError):  # the holiday's name in the reader's language
            region = shown.get("region")
            choice = f"{shown['country']}-{region}" if region else shown["country"]
            day = date.fromisoformat(shown["day"])
            shown["holiday"] = holiday_name(choice, day) or shown.get("holiday")
    if isinstance(shown.get("until"), str):  # an agent's last day away, as an ISO date
        with contextlib.suppress(ValueError):
            shown["until"] = short_date(date.fromisoformat(shown["until"]))
    return shown


def _note(code: str, values: Mapping[str, Any], wording: Mapping) -> str | None:
    template = wording.get(code)
    if template is None:
        return None
    try:
        return str(template) % _values(values)
    except (KeyError, TypeError, ValueError):  # values from an older release
        return None


def assignment_text(notes: Sequence[Sequence[Any]] | None) -> str | None:
    """'Ann: least loaded (1 of 5 open); speaks Polish, on duty now' in the reader's language.

    None when a note is unknown, so the caller can fall back to the stored English.
    """
    if not notes:
        return None
    words = []
    for note in notes:
        if not isinstance(note, (list, tuple)) or len(note) != 2:
            return None
        text = _note(str(note[0]), note[1] if isinstance(note[1], Mapping) else {}, _NOTES)
        if text is None:
            return None
        words.append(text)
    return join_notes([(str(code), values) for code, values in notes], words)


def rule_named(name: Any, index: int) -> bool:
    """Whether the admin named the rule at `index` (0-based): the loader calls an unnamed
    one 'rule 2' in English, which must not be shown as if it were a name."""
    return bool(name) and name != unnamed_rule_name(index)


def rule_title(name: Any, index: int) -> str:
    """The rule as the reader knows it: the admin's name, or 'Rule 2' in their language."""
    return str(name) if rule_named(name, index) else gettext("Rule %(n)s", n=index + 1)


def policy_named(name: Any, index: int | None) -> bool:
    """Whether the admin named the SLA policy at `index` (0-based): the loader calls an
    unnamed one 'policy 2' in English, which must not be shown as if it were a name."""
    return bool(name) and (index is None or name != unnamed_policy_name(index))


def policy_title(name: Any, index: int | None) -> str:
    """The SLA policy as the reader knows it: the admin's name, or 'Policy 2' in their
    language. `index` None: its place is unknown, the stored name is all there is."""
    if policy_named(name, index) or index is None:
        return str(name or "")
    return gettext("Policy %(n)s", n=index + 1)


def decision_text(
    rule_index: int | None,
    matched: str | None,
    when: Mapping | None = None,
    teams: Mapping[str, str] | None = None,
    forms: Any = None,
) -> str:
    """'Rule 2 matched: the priority is “Urgent”' (the expression as stored when the
    condition is not known)."""
    if rule_index is None:
        return gettext("No rule matched: default route")
    why = condition_words(when, teams, forms) if when is not None else matched
    return gettext("Rule %(number)s matched: %(why)s", number=rule_index + 1, why=why or "")


def condition_words(
    condition: Any, teams: Mapping[str, str] | None = None, forms: Any = None
) -> str:
    """A routing or SLA condition in the reader's words ("the language is “Polish”").

    `forms`: a `form_words.FormNames` (one per page), so forms and questions are named by
    their titles and texts, not by slug and id."""
    from webapp.admin.form_words import describe_condition  # the one describer

    return describe_condition(condition, None, teams, forms)


def facts_in_words(
    condition: Any,
    facts: Mapping[str, Any],
    teams: Mapping[str, str] | None = None,
    forms: Any = None,
) -> str:
    """What a ticket has in each field a condition reads, in the reader's words:
    'the language is “Polish”; the score is 8' (the routing tester shows it under a rule)."""
    said = []
    for name in _fields_in_order(condition):
        value = _fact(facts, name)
        if value in (None, "", []):
            fact: dict[str, Any] = {"field": name, "op": "exists", "value": False}
        else:
            fact = {"field": name, "op": "=", "value": value}
        said.append(condition_words(fact, teams, forms))
    return "; ".join(dict.fromkeys(said))


def _fact(facts: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of the facts; None when a step is absent."""
    current: Any = facts
    for part in path.split("."):
        if not isinstance(current, Mapping):
            return None
        current = current.get(part)
    return current


def _fields_in_order(condition: Any) -> list[str]:
    """The fields a condition reads, each once, in the order they are written."""
    if not isinstance(condition, Mapping):
        return []
    for key in ("all", "any"):
        if isinstance(condition.get(key), list):
            nested = [_fields_in_order(item) for item in condition[key]]
            return list(dict.fromkeys(name for names in nested for name in names))
    if "not" in condition:
        return _fields_in_order(condition["not"])
    name = condition.get("field")
    return [name] if isinstance(name, str) else []


def _rule_condition(data: Mapping[str, Any], rules: Sequence[RoutingRule]) -> Any:
    """The condition of the rule that matched: stored with the event, or (events written
    before it was) the same-named rule of the ticket's workflow version."""
    if data.get("when") is not None:
        return data["when"]
    index = data.get("rule_index")
    if isinstance(index, int) and 0 <= index < len(rules) and rules[index].name == data.get("rule"):
        return rules[index].when
    return None


def routed_reason(
    data: Mapping[str, Any],
    teams: Mapping[str, str] | None = None,
    rules: Sequence[RoutingRule] = (),
    forms: Any = None,
) -> str:
    """The routing decision of a `routed` event, with what caused a re-route first.

    `teams`: team names by routing name; `rules`: the ticket's workflow's routing rules;
    `forms`: a `form_words.FormNames`, loaded once for the page.
    """
    if "matched" not in data:  # written before reasons were stored as codes
        return str(data.get("reason") or "")
    name, index = data.get("rule"), data.get("rule_index")
    condition = _rule_condition(data, rules) if index is not None else None
    if isinstance(index, int) and rule_named(name, index):
        # Agents know rules by the names admins gave them, then what the rule tests.
        if condition is not None:
            text = gettext(
                "Rule “%(name)s” matched: %(why)s",
                name=name,
                why=condition_words(condition, teams, forms),
            )
        else:
            text = gettext("Rule “%(name)s” matched", name=name)
    else:
        text = decision_text(index, data.get("matched"), condition, teams, forms)
    cause = data.get("cause")
    if isinstance(cause, (list, tuple)) and len(cause) == 2 and isinstance(cause[1], Mapping):
        said = _note(str(cause[0]), cause[1], _CAUSES)
        if said:
            text = f"{said}; {text}"
    return text


def routed_assignment(data: Mapping[str, Any]) -> str:
    """Who routing picked and why, or the stored English when it has no codes."""
    return assignment_text(data.get("assignment_notes")) or str(data.get("assignment") or "")
