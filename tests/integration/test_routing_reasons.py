"""Routing reasons on the timeline read in the agent's language, old events as written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from webapp.tickets.routing_reasons import (
    assignment_text,
    routed_assignment,
    routed_reason,
    rule_title,
)
from workflow.definition import RouteTarget, RoutingRule
from workflow.routing import Candidate, pick_assignee

NOON = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_a_pick_is_worded_in_each_language(app):
    team = [Candidate(1, "Ola", ("pl",), None, 2, 10), Candidate(2, "Ivan", ("ru",), None, 0, 10)]
    pick = pick_assignee("least_loaded", team, locale="ru", now=NOON).overflowed_to("care-2")
    assert (
        pick.reason == "overflow to care-2: Ivan: least loaded (0/10 open); speaks ru, on duty now"
    )
    with app.test_request_context(), force_locale("ru"):
        assert assignment_text(pick.notes) == (
            "передано в резервную команду care-2: Ivan: наименее загружен (открыто 0 из 10); "
            "говорит на языке «русский», сейчас на смене"
        )
    with app.test_request_context(), force_locale("sl"):
        assert "najmanj obremenjen (odprtih 0 od 10)" in assignment_text(pick.notes)


def test_a_reroute_says_why_first(app):
    data = {
        "rule_index": None,
        "matched": None,
        "reason": "Anna was deactivated by Ann; no rule matched: default route",
        "cause": ["deactivated", {"name": "Anna", "by": "Ann"}],
        "assignment_notes": [["manual", {}]],
    }
    with app.test_request_context(), force_locale("pl"):
        assert routed_reason(data) == (
            "Ann dezaktywował(a) konto Anna; Żadna reguła nie pasuje: trasa domyślna"
        )
        assert routed_assignment(data) == "przydział ręczny: zespół sam wybierze osobę"


def test_events_from_before_the_codes_keep_their_english(app):
    old = {
        "reason": "rule 2 matched: locale sl = sl",
        "assignment": "Maja: next in round-robin order",
    }
    with app.test_request_context(), force_locale("pl"):
        assert routed_reason(old) == "rule 2 matched: locale sl = sl"
        assert routed_assignment(old) == "Maja: next in round-robin order"
        # Codes this release does not know fall back to the English too.
        assert routed_assignment({**old, "assignment_notes": [["teleported", {}]]}) == (
            "Maja: next in round-robin order"
        )


def test_agents_read_the_rule_by_its_name(app):
    data = {
        "rule": "Unhappy customers get a fast call back",
        "rule_index": 0,
        "matched": "score.category detractor = detractor",
        "reason": "rule 1 matched: score.category detractor = detractor",
    }
    with app.test_request_context(), force_locale("pl"):
        assert routed_reason(data) == ("Pasuje reguła „Unhappy customers get a fast call back”")


RULES = (
    RoutingRule("rule 1", {"field": "team", "op": "=", "value": "care"}, RouteTarget()),
    RoutingRule("Russian speakers", {"field": "locale", "op": "=", "value": "ru"}, RouteTarget()),
)


def test_the_matched_condition_is_said_in_words(app):
    """Values read as agents know them: the team's name, the language's name."""
    data = {
        "rule": "rule 1",
        "rule_index": 0,
        "matched": "team care = care",
        "when": {"all": [{"field": "team", "op": "=", "value": "care"}]},
    }
    with app.test_request_context(), force_locale("pl"):
        said = routed_reason(data, {"care": "Obsługa klienta"})
        assert said == "Pasuje reguła 1: zespół jest „Obsługa klienta”"
    with app.test_request_context(), force_locale("sl"):
        assert "ekipa je »Podpora«" in routed_reason(data, {"care": "Podpora"})


def test_an_event_from_before_the_condition_was_stored_reads_the_rule(app):
    """Older events name the rule; the ticket's workflow version still has its condition."""
    data = {"rule": "Russian speakers", "rule_index": 1, "matched": "locale ru = ru"}
    with app.test_request_context(), force_locale("pl"):
        assert routed_reason(data, {}, RULES) == (
            "Pasuje reguła „Russian speakers”: język jest „rosyjski”"
        )
    with app.test_request_context(), force_locale("ru"):
        assert routed_reason(data, {}, RULES) == (
            "Сработало правило «Russian speakers»: язык — «русский»"
        )
    # A rule renamed or moved since: the name alone, never another rule's condition.
    with app.test_request_context(), force_locale("pl"):
        moved = {**data, "rule_index": 0}
        assert routed_reason(moved, {}, RULES) == "Pasuje reguła „Russian speakers”"


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ("en", "Rule 1 matched: the team is “Care”"),
        ("pl", "Pasuje reguła 1: zespół jest „Care”"),
        ("ru", "Сработало правило 1: команда — «Care»"),
    ],
)
def test_a_rule_without_a_name_is_called_by_its_number(app, locale, said):
    """The loader's English 'rule 1' is no name: readers see 'Rule 1' in their language."""
    data = {"rule": "rule 1", "rule_index": 0, "matched": "team care = care"}
    with app.test_request_context(), force_locale(locale):
        assert routed_reason(data, {"care": "Care"}, RULES) == said
        assert (
            rule_title("rule 1", 0) == {"en": "Rule 1", "pl": "Reguła 1", "ru": "Правило 1"}[locale]
        )
        assert rule_title("Russian speakers", 1) == "Russian speakers"
