"""Loopdesk web application: the factory that binds extensions, blueprints and commands."""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.config import PROJECT_ROOT, from_environment
from webapp.record_ids import BoundedIntConverter


def create_app(config: dict | None = None) -> Flask:
    """Create a configured Loopdesk app; `config` overrides the environment."""
    instance_path = os.environ.get("LOOPDESK_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    overrides = dict(config or {})
    app.config.from_mapping(
        from_environment(app.instance_path, generate_secret=not overrides.get("SECRET_KEY"))
    )
    app.config.from_mapping(overrides)

    proxies = int(os.environ.get("LOOPDESK_PROXY_COUNT", "0"))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    _init_extensions(app)
    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    _register_blueprints(app)

    from webapp import cli, errors, templating, workflow_cli

    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    workflow_cli.init_app(app)
    if app.config.get("IN_PROCESS_SCHEDULER") and not app.config.get("REDIS_URL"):
        # `make run` without Redis: the periodic jobs run in a thread of the web process.
        from jobs.schedule import start_in_process

        start_in_process(app)
    return app


def _init_extensions(app: Flask) -> None:
    from webapp import db_health, i18n, outbox, security
    from webapp.extensions import csrf, db, htmx, limiter, mail, migrate
    from webapp.services import sla_clock, webhooks

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            db_health.ping_idle_connections(engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    outbox.init_app(app)
    webhooks.init_app(app)
    sla_clock.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from webapp.admin import bp as admin_bp
    from webapp.api import bp as api_bp
    from webapp.auth import bp as auth_bp
    from webapp.board import bp as board_bp
    from webapp.inbox import bp as inbox_bp
    from webapp.main import bp as main_bp
    from webapp.public import bp as public_bp
    from webapp.tickets import bp as tickets_bp
    from webapp.tickets import codes, routing_reasons, timer_words
    from webapp.tickets.presenters import automation_ran, metric_label, sla_status_label

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(tickets_bp)
    app.register_blueprint(board_bp)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(public_bp)
    app.jinja_env.globals.update(
        automation_ran=automation_ran,
        metric_label=metric_label,
        sla_status_label=sla_status_label,
        assignment_text=routing_reasons.assignment_text,
        decision_text=routing_reasons.decision_text,
        routed_reason=routing_reasons.routed_reason,
        routed_assignment=routing_reasons.routed_assignment,
        policy_named=routing_reasons.policy_named,
        policy_title=routing_reasons.policy_title,
        rule_named=routing_reasons.rule_named,
        rule_title=routing_reasons.rule_title,
        timer_moved=timer_words.timer_moved,
        timer_ran=timer_words.timer_ran,
        timer_skipped=timer_words.timer_skipped,
        timer_words=timer_words.timer_words,
        **codes.TEMPLATE_GLOBALS,
    )
