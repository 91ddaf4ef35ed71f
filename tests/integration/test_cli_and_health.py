"""Operator commands and the health check."""

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Role, Team, User


def test_create_admin_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-admin", "boss@example.com", "--password", "a-strong-password"]
    )
    assert result.exit_code == 0, result.output
    assert "Administrator boss@example.com created." in result.output
    user = db.session.scalar(select(User).where(User.email == "boss@example.com"))
    assert user.role == Role.ADMIN and user.check_password("a-strong-password")


def test_create_admin_refuses_short_passwords(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "b@example.com", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output


def test_seed_demo_is_idempotent_and_prints_logins(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "admin@loopdesk.test" in first.output and "loopdesk-demo" in first.output
    runner.invoke(args=["seed-demo"])
    assert db.session.scalar(select(func.count(User.id))) == 5
    assert db.session.scalar(select(func.count(Team.id))) == 2
    languages = {u.locale for u in db.session.scalars(select(User))}
    assert {"pl", "ru", "sl"} <= languages
    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "nothing added" in skipped.output


def test_healthz_reports_database_and_redis(client, app):
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.get_json()
    assert report["database"] == "ok"
    if app.config.get("REDIS_URL"):
        assert report["redis"] == "ok"
    else:
        assert report["redis"].startswith("not configured")


def test_healthz_says_when_redis_is_down(client, app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    app.extensions.pop("loopdesk_redis", None)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["redis"].startswith("error")
