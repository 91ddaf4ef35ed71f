"""`flask workflow check | sla | route | explain` as an admin uses them."""

import json
from pathlib import Path

from webapp.extensions import db
from webapp.models import Team
from webapp.services.tickets import NewTicket, create_ticket

DEFAULT = Path(__file__).resolve().parents[2] / "workflow" / "definitions" / "default.yaml"


def test_check_prints_ok(app):
    result = app.test_cli_runner().invoke(args=["workflow", "check", str(DEFAULT)])
    assert result.exit_code == 0
    assert result.output.strip() == "ok"


def test_check_prints_every_problem_and_fails(app, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        DEFAULT.read_text()
        .replace("dest: resolved", "dest: reslved", 1)
        .replace("resolution: 1d", "resolution: 4 hours")
    )
    result = app.test_cli_runner().invoke(args=["workflow", "check", str(broken)])
    assert result.exit_code == 1
    assert "unknown state 'reslved'" in result.output
    assert "'4 hours' is not a duration (use 30m, 4h, 2d)" in result.output


def test_sla_prints_policy_and_due_times_with_offsets(app):
    result = app.test_cli_runner().invoke(
        args=[
            "workflow",
            "sla",
            "--created",
            "2026-11-27T16:30",
            "--priority",
            "high",
            "--file",
            str(DEFAULT),
        ]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "policy: high (priority = high)"
    # Friday 16:30 is after the Warsaw office closes (16:00): Monday 08:00 + 2 h.
    assert "first_response: 2026-11-30T10:00:00+01:00" in lines
    # 1 business day keeps the offset into the day: Friday had run its full 8 h, so Monday 16:00.
    assert "resolution: 2026-11-30T16:00:00+01:00" in lines


def test_route_prints_the_matching_rule(app, tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"nps": 3, "comment": "Za drogo"}))
    result = app.test_cli_runner().invoke(
        args=[
            "workflow",
            "route",
            "--answers",
            str(answers),
            "--locale",
            "pl",
            "--form",
            "nps",
            "--file",
            str(DEFAULT),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "rule: Unhappy customers get a fast call back" in result.output
    assert "why: rule 1 matched: score.category detractor = detractor" in result.output
    assert "team: customer-care" in result.output and "priority: high" in result.output


def test_explain_a_ticket(app):
    db.session.add_all(
        [Team(slug="customer-care", name="Care"), Team(slug="product-quality", name="Q")]
    )
    db.session.commit()
    ticket = create_ticket(NewTicket(subject="Explain me", customer_locale="en"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["workflow", "explain", ticket.number])
    assert result.exit_code == 0, result.output
    assert (
        "first response due" in result.output
        and "policy 'standard' (default policy)" in result.output
    )
