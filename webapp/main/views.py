from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Response, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import format_time, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select, text

from webapp.extensions import db
from webapp.htmx_responses import render_page_or_partial
from webapp.i18n import (
    LOCALE_COOKIE,
    LOCALE_COOKIE_MAX_AGE,
    date_interval,
    language_name_for_viewer,
    normalise_locale,
)
from webapp.main import bp
from webapp.models import OutboxMessage, Team, User, utcnow
from webapp.security import staff_required
from webapp.services import away, report_themes
from webapp.services import reports as report_service
from webapp.services.dashboard import INSIGHT_DAYS, feedback_overview, work_counts
from webapp.services.report_export import report_csv
from webapp.services.report_themes_cache import counted_themes
from webapp.tickets.codes import channel_label
from webapp.timezone_choices import zone_in_words


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for("main.dashboard"))


@bp.get("/dashboard")
@staff_required
def dashboard():
    now = utcnow()
    context = {
        "work": work_counts(current_user, now),
        "forms": feedback_overview(str(get_locale()), now, viewer=current_user),
        "insight_days": INSIGHT_DAYS,
        "away_last_day": away.last_day_away(current_user, now),
    }
    if current_user.is_admin:
        context["counts"] = {
            "agents": db.session.scalar(select(func.count(User.id)).where(User.active.is_(True))),
            "teams": db.session.scalar(select(func.count(Team.id))),
            "messages": db.session.scalar(select(func.count(OutboxMessage.id))),
        }
    return render_template("main/dashboard.html", **context)


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after a form: no open redirects."""
    if not target:
        return url_for("main.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("main.index")
    return target


@bp.post("/language")
def set_language():
    """Remember the chosen language in a cookie and, for staff, in their profile."""
    locale = normalise_locale(request.form.get("language")) or "en"
    if current_user.is_authenticated:
        current_user.locale = locale
        db.session.commit()
    response = redirect(safe_next(request.form.get("next")), code=303)
    response.set_cookie(
        LOCALE_COOKIE, locale, max_age=LOCALE_COOKIE_MAX_AGE, samesite="Lax", httponly=True
    )
    return response


@bp.get("/healthz")
def healthz():
    """Liveness and dependencies, for load balancers and `make run` users."""
    report: dict = {"status": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
        report["database"] = "ok"
    except Exception as exc:  # report, do not raise: this endpoint must answer
        report["database"] = f"error: {type(exc).__name__}"
        report["status"] = "degraded"
        db.session.rollback()
    if current_app.config.get("REDIS_URL"):
        from jobs import redis_connection

        try:
            redis_connection().ping()
            report["redis"] = "ok"
        except Exception as exc:
            report["redis"] = f"error: {type(exc).__name__}"
            report["status"] = "degraded"
    else:
        report["redis"] = "not configured (jobs run in-process)"
    return jsonify(report), 200 if report["status"] == "ok" else 503


@bp.get("/reports")
@staff_required
def reports():
    """Tickets answered and resolved in time, ratings after resolution, per team and week;
    feedback by language and channel; the labels on the period's tickets. What customers
    write about takes longest to count: the page asks for it once it is shown
    (`reports_themes`)."""
    days = report_service.period_of(request.args.get("days"))
    report = report_service.build_report(
        utcnow(),
        days,
        _("No team"),
        _("All teams"),
        current_user.timezone,
        str(get_locale()),
        with_themes=False,
        unassigned_name=_("Unassigned"),
    )
    zone = zone_in_words(current_user.timezone or "UTC", str(get_locale()), utcnow())
    return render_template(
        "main/reports.html",
        report=report,
        agents=report_service.agent_rows_for(report, current_user),
        periods=report_service.PERIODS,
        week_zone=zone,
        labels_shown=report_service.LABELS_SHOWN,
    )


@bp.get("/insights")
@staff_required
def insights():
    """The product map and older bookmarks call the reports "insights": same page, same
    period (`?days=`)."""
    return redirect(url_for("main.reports", **request.args.to_dict()), code=301)


@bp.get("/reports/themes")
@staff_required
def reports_themes():
    """What customers write about in the period: the Reports page's last section, fetched
    after the page by htmx; without JavaScript, a page of its own that the section links to."""
    days = report_service.period_of(request.args.get("days"))
    now = utcnow()
    themes = counted_themes(now, days, str(get_locale()))
    return render_page_or_partial(
        "main/report_themes.html",
        "main/_report_themes.html",
        themes=themes,
        days=days,
        since=now - timedelta(days=days),
        periods=report_service.PERIODS,
        themes_shown=report_themes.THEMES_SHOWN,
        counted_at=format_time(themes.counted_at, "short") if themes.counted_at else None,
    )


@bp.get("/reports.csv")
@staff_required
def reports_csv():
    """The report of the period as one CSV file, its tables told apart by `section`."""
    days = report_service.period_of(request.args.get("days"))
    now = utcnow()
    report = report_service.build_report(
        now,
        days,
        _("No team"),
        _("All teams"),
        current_user.timezone,
        str(get_locale()),
        unassigned_name=_("Unassigned"),
    )
    text = report_csv(
        report,
        agents=report_service.agent_rows_for(report, current_user),
        week_name=lambda week: date_interval(week.start, week.end),
        language_name=lambda code: language_name_for_viewer(code) if code else "",
        channel_name=channel_label,
    )
    name = f"report-{days}-days-{now:%Y-%m-%d}.csv"
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
