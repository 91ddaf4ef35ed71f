"""`flask --app wsgi …` commands for admins and operators."""

from __future__ import annotations

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Role, User


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default=None, help="Display name (default: the part before @).")
@click.password_option(help="Password (prompted when omitted).")
def create_admin(email: str, name: str | None, password: str) -> None:
    """Create an administrator account, or make an existing account an admin."""
    from webapp.people import create_staff_member, find_user_by_email

    if len(password) < 10:
        raise click.UsageError("Use a password of at least 10 characters.")
    user = find_user_by_email(email)
    if user is None:
        user = create_staff_member(
            email=email, name=name or email.split("@")[0], role=Role.ADMIN, password=password
        )
        action = "created"
    else:
        user.role = Role.ADMIN
        user.active = True
        user.set_password(password)
        action = "updated"
    db.session.commit()
    click.echo(f"Administrator {user.email} {action}.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed a database without any accounts.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo data (idempotent) and print the demo logins."""
    from webapp.demo import demo_logins, seed_demo

    has_users = db.session.scalar(select(func.count(User.id))) > 0
    if if_empty and has_users:
        click.echo("Demo data: the database already has accounts, nothing added.")
    else:
        click.echo("Demo data loaded." if seed_demo() else "Demo data: already there.")
    base = current_app.config["LOOPDESK_BASE_URL"]
    click.echo(f"\n  Loopdesk is at {base}\n  Demo logins (e-mail / password / role):")
    for email, password, role in demo_logins():
        click.echo(f"    {email:<24} {password:<16} {role}")
    click.echo("")


@click.command("reseal-secrets")
def reseal_secrets() -> None:
    """Seal every stored secret (two-step keys) under the current SECRET_KEY.

    Run it after changing SECRET_KEY and before removing the old key from
    LOOPDESK_SECRET_KEY_FALLBACKS: what only the old key opens would be lost.
    """
    from webapp.secret_box import SealBroken, needs_resealing, reseal

    resealed, broken = 0, []
    for user in db.session.scalars(select(User).where(User.two_step_secret.is_not(None))):
        if not needs_resealing(user.two_step_secret):
            continue
        try:
            user.two_step_secret = reseal(user.two_step_secret)
            resealed += 1
        except SealBroken:
            broken.append(user.email)
    db.session.commit()
    click.echo(f"Two-step keys resealed under the current SECRET_KEY: {resealed}.")
    if broken:
        click.echo(
            "No key at hand opens the two-step key of: "
            + ", ".join(broken)
            + ". They sign in with a recovery code, or an admin resets their two-step sign-in."
        )


@click.group("outbox")
def outbox_group() -> None:
    """Inspect and relay the outbox."""


@outbox_group.command("relay")
def outbox_relay() -> None:
    """Hand every pending message to the job queue (safe to run any time)."""
    from webapp.outbox import relay_pending

    click.echo(f"relayed {relay_pending()} message(s)")


@click.group("mail")
def mail_group() -> None:
    """Customers' e-mail replies."""


@mail_group.command("receive")
def mail_receive() -> None:
    """Read one e-mail on standard input (an MTA's pipe) and add it to its ticket.

    Exits 0 when the message was handled or deliberately ignored (a stranger, an
    auto-reply, no ticket, seen before); 75 (EX_TEMPFAIL) when it could not be handled now,
    e.g. the database is down, so that the MTA keeps it and tries again.
    """
    import sys

    from webapp.services.inbound_mail import receive_email

    raw = sys.stdin.buffer.read()
    try:
        received = receive_email(raw, via="pipe")
    except Exception as exc:  # anything but the message's own faults: let the MTA retry
        current_app.logger.exception("receiving an e-mail failed")
        click.echo(f"temporary failure: {type(exc).__name__}", err=True)
        sys.exit(75)
    click.echo(received.outcome)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run an RQ worker with the scheduler for this app's queue (needs REDIS_URL)."""
    from jobs import get_queue, redis_connection
    from jobs.worker import AppContextWorker

    if not current_app.config.get("REDIS_URL"):
        raise click.UsageError("REDIS_URL is not set: without Redis, jobs run in the web process.")
    app = current_app._get_current_object()
    worker = AppContextWorker([get_queue()], connection=redis_connection(), app=app)
    worker.work(with_scheduler=True, burst=burst)


@click.command("cron")
def cron() -> None:
    """Run RQ's cron scheduler: enqueue every periodic job at its interval (needs REDIS_URL).

    One is enough; a second one is harmless (every periodic job claims what it handles).
    """
    from jobs import redis_connection
    from jobs.schedule import cron_scheduler

    if not current_app.config.get("REDIS_URL"):
        raise click.UsageError(
            "REDIS_URL is not set: without Redis, `make run` runs the schedule in-process."
        )
    cron_scheduler(redis_connection(), current_app.config["RQ_QUEUE"]).start()


@click.group("jobs")
def jobs_group() -> None:
    """Periodic jobs."""


@jobs_group.command("run-due")
@click.option("--at", "at", default=None, help="Pretend it is this moment (ISO 8601, UTC).")
def run_due(at: str | None) -> None:
    """Run every periodic job once, now, in this process (e.g. from a system cron)."""
    from jobs.schedule import run_all_once

    for name, result in run_all_once(at).items():
        click.echo(f"{name}: {result}")


def init_app(app: Flask) -> None:
    commands = (
        create_admin,
        seed_demo_command,
        reseal_secrets,
        outbox_group,
        mail_group,
        worker,
        cron,
        jobs_group,
    )
    for command in commands:
        app.cli.add_command(command)
