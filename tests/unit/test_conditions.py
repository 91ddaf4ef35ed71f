import pytest

from workflow.conditions import condition_problems, evaluate, explain, fields_used

FACTS = {
    "locale": "pl",
    "form": "nps",
    "answers": {"score": "3", "comment": "Checkout is BROKEN", "topics": ["price", "speed"]},
    "score": {"category": "detractor", "value": 3},
    "customer": {"email_domain": "example.pl"},
    "metadata": {"plan": "pro"},
}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"field": "locale", "op": "=", "value": "PL"}, True),
        ({"field": "locale", "op": "!=", "value": "pl"}, False),
        (
            {"field": "answers.score", "op": "<=", "value": 6},
            True,
        ),  # "3" from a form compares as a number
        ({"field": "answers.score", "op": ">", "value": 6}, False),
        ({"field": "score.value", "op": ">=", "value": 3}, True),
        ({"field": "score.value", "op": "<", "value": 3}, False),
        ({"field": "locale", "op": "in", "value": ["pl", "sl"]}, True),
        ({"field": "locale", "op": "not_in", "value": ["pl", "sl"]}, False),
        ({"field": "answers.comment", "op": "contains", "value": "broken"}, True),
        ({"field": "answers.topics", "op": "contains", "value": "speed"}, True),
        ({"field": "answers.topics", "op": "contains", "value": "support"}, False),
        ({"field": "metadata.plan", "op": "exists"}, True),
        ({"field": "metadata.coupon", "op": "exists"}, False),
        ({"field": "metadata.coupon", "op": "=", "value": "x"}, False),
        ({"field": "metadata.coupon", "op": "!=", "value": "x"}, True),
        (
            {"field": "answers.comment", "op": "<", "value": 5},
            False,
        ),  # not comparable: false, no error
        (
            {
                "all": [
                    {"field": "locale", "op": "=", "value": "pl"},
                    {"field": "score.category", "op": "=", "value": "detractor"},
                ]
            },
            True,
        ),
        (
            {
                "any": [
                    {"field": "locale", "op": "=", "value": "ru"},
                    {"field": "form", "op": "=", "value": "nps"},
                ]
            },
            True,
        ),
        ({"not": {"field": "locale", "op": "=", "value": "pl"}}, False),
        (None, True),
    ],
)
def test_evaluate(condition, expected):
    assert evaluate(condition, FACTS) is expected


def test_explain_names_fields_values_and_operators():
    condition = {
        "all": [
            {"field": "answers.score", "op": "<=", "value": 6},
            {"field": "locale", "op": "=", "value": "pl"},
        ]
    }
    assert explain(condition, FACTS) == "answers.score 3 <= 6 and locale pl = pl"


def test_explain_any_shows_the_branch_that_matched():
    condition = {
        "any": [
            {"field": "locale", "op": "=", "value": "ru"},
            {"field": "form", "op": "=", "value": "nps"},
        ]
    }
    assert explain(condition, FACTS) == "form nps = nps"


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("locale = pl", "when: a condition must be a mapping"),
        ({"field": "locale", "op": "~", "value": 1}, "when.op: '~' is not an operator"),
        ({"field": "locale", "op": "="}, "when.value: missing for operator '='"),
        ({"op": "=", "value": 1}, "when.field: missing"),
        ({"field": "locale", "op": "in", "value": "pl"}, "when.value: operator 'in' needs a list"),
        ({"all": []}, "when.all: must be a non-empty list"),
        ({"all": [{"field": "x", "op": "=", "value": 1}]}, "when.all[0].field: unknown field 'x'"),
        ({"field": "locale", "op": "=", "value": 1, "extra": 2}, "when: unknown key(s) extra"),
    ],
)
def test_validation_reports_each_problem_with_its_path(condition, message):
    problems = [str(p) for p in condition_problems(condition, "when", {"locale", "answers"})]
    assert any(p.startswith(message) for p in problems), problems


def test_valid_condition_has_no_problems_and_lists_its_fields():
    condition = {
        "any": [
            {"field": "answers.q1", "op": "exists"},
            {"not": {"field": "locale", "op": "=", "value": "pl"}},
        ]
    }
    assert condition_problems(condition, "when", {"locale", "answers"}) == []
    assert fields_used(condition) == {"answers.q1", "locale"}
