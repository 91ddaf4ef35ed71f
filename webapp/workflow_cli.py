"""`flask --app wsgi workflow …`: check a definition, preview SLA due times and routing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import Flask

from workflow.definition import WorkflowDefinition, load_definition


@click.group("workflow")
def workflow_group() -> None:
    """Check and try out workflow definitions."""


def _definition(file: Path | None) -> WorkflowDefinition:
    if file is None:
        from webapp.services.workflow_versions import active_version, machine_for

        return machine_for(active_version().id).definition
    result = load_definition(file.read_text(encoding="utf-8"))
    if not result.ok:
        for problem in result.problems:
            click.echo(str(problem), err=True)
        raise click.exceptions.Exit(1)
    return result.definition


@workflow_group.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check(file: Path) -> None:
    """Print `ok`, or every problem with its path and line (exit 1)."""
    result = load_definition(file.read_text(encoding="utf-8"))
    if result.ok:
        click.echo("ok")
        return
    for problem in result.problems:
        click.echo(str(problem))
    raise click.exceptions.Exit(1)


def _parse_created(
    text: str, definition: WorkflowDefinition, policy_calendar: str | None
) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:  # a local time in the policy's calendar
        zone = ZoneInfo(definition.calendars[policy_calendar].timezone) if policy_calendar else UTC
        value = value.replace(tzinfo=zone)
    return value


@workflow_group.command("sla")
@click.option(
    "--created", required=True, help="ISO time; without an offset, the calendar's local time."
)
@click.option("--priority", default="normal", show_default=True)
@click.option("--team", default=None, help="Team slug.")
@click.option("--form", default=None)
@click.option("--locale", default=None)
@click.option("--file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
def sla(
    created: str,
    priority: str,
    team: str | None,
    form: str | None,
    locale: str | None,
    file: Path | None,
) -> None:
    """Print the policy chosen and the due times (ISO 8601 with offset), with the reason."""
    from workflow.sla import choose_policy, deadlines, explain_deadline

    definition = _definition(file)
    facts = {"priority": priority, "team": team, "form": form, "locale": locale}
    choice = choose_policy(definition, facts)
    if choice is None:
        click.echo("no SLA policy applies")
        return
    started = _parse_created(created, definition, choice.policy.calendar)
    click.echo(f"policy: {choice.policy.name} ({choice.reason})")
    for metric, deadline in deadlines(choice, started).items():
        local = deadline.due_at.astimezone(ZoneInfo(choice.calendar.timezone))
        click.echo(f"{metric}: {local.isoformat()}")
        click.echo(f"  {explain_deadline(choice, deadline)}")


@workflow_group.command("route")
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="JSON file: the answers, or a full facts object with an 'answers' key.",
)
@click.option("--locale", default=None)
@click.option("--form", default=None)
@click.option("--channel", default="web", show_default=True)
@click.option("--file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
def route_command(
    answers_file: Path, locale: str | None, form: str | None, channel: str, file: Path | None
) -> None:
    """Print the rule that matches and what it sets."""
    from workflow.routing import route

    data = json.loads(answers_file.read_text(encoding="utf-8"))
    facts = _facts_from_json(data, locale=locale, form=form, channel=channel)
    decision = route(_definition(file), facts)
    target = decision.target
    click.echo(f"rule: {decision.rule_name}")
    click.echo(f"why: {decision.reason}")
    click.echo(f"team: {target.team or '-'}")
    click.echo(f"priority: {target.priority or '(unchanged)'}")
    click.echo(f"labels: {', '.join(target.labels) or '-'}")
    click.echo(
        f"assign: {target.assign}"
        + (f" (overflow: {target.overflow_team})" if target.overflow_team else "")
    )


def _facts_from_json(data: dict, *, locale: str | None, form: str | None, channel: str) -> dict:
    """Accept plain answers ({"nps": 3}) or a facts object ({"answers": …, "metadata": …})."""
    from survey_forms.scoring import nps_category

    facts = dict(data) if "answers" in data else {"answers": dict(data)}
    answers = facts["answers"]
    if "score" not in facts:
        nps = answers.get("nps", answers.get("score"))
        if isinstance(nps, int | float) and 0 <= nps <= 10:
            facts["score"] = {"type": "nps", "value": nps, "category": nps_category(int(nps))}
    facts.setdefault("locale", locale)
    facts.setdefault("form", form)
    facts.setdefault("channel", channel)
    email = (facts.get("customer") or {}).get("email") or answers.get("email") or ""
    facts.setdefault("customer", {"email": email, "email_domain": email.rpartition("@")[2]})
    return facts


@workflow_group.command("explain")
@click.argument("number")
def explain_command(number: str) -> None:
    """Say why a ticket's SLA clocks are due when they are."""
    from webapp.services import sla_clock
    from webapp.services.tickets import find_ticket

    ticket = find_ticket(number)
    if ticket is None:
        raise click.UsageError(f"no ticket {number}")
    for line in sla_clock.explain(ticket):
        click.echo(line)


@workflow_group.command("sweep")
def sweep_command() -> None:
    """Fire due SLA warnings and breaches now (the scheduler runs this every minute)."""
    from jobs.reminders import send_due_reminders
    from webapp.services import sla_clock

    alerts = sla_clock.sweep()
    click.echo(f"{len(alerts)} alert(s)")
    for alert in alerts:
        click.echo(f"  ticket {alert.ticket_id}: {alert.metric} {alert.kind}")
    click.echo(f"{send_due_reminders()} reminder(s) sent")


@click.group("reminders")
def reminders_group() -> None:
    """Agents' 'remind me' e-mails."""


@reminders_group.command("send-due")
def send_due_command() -> None:
    """E-mail every due reminder once (the scheduler runs this every minute)."""
    from jobs.reminders import send_due_reminders

    click.echo(f"{send_due_reminders()} reminder(s) sent")


def init_app(app: Flask) -> None:
    app.cli.add_command(workflow_group)
    app.cli.add_command(reminders_group)
