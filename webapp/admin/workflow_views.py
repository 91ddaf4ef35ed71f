"""Admin pages for the ticket workflow: YAML editor with live check and diagram, publishing,
versions (diff, roll back) and an overview of SLA policies and calendars (admins only)."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from htmx_flask import request as htmx_request

from webapp.admin import bp
from webapp.admin.form_words import FormNames, describe_condition
from webapp.extensions import db
from webapp.models.types import utcnow
from webapp.record_ids import optional_id
from webapp.security import admin_required
from webapp.services import drafts, workflow_studio
from webapp.services.local_time import BadLocalTime, local_input_value, parse_local_datetime
from webapp.services.workflow_versions import SHIPPED_COMMENT, PublishRefused, active_version
from webapp.tickets.presenters import describe_target
from webapp.timezone_choices import zone_in_words

MAX_COMMENT = 500


# A target as admins read it ('3 business days'): the same words agents see on tickets.
target_text = describe_target


def _admin():
    """The signed-in admin as a model row (not the request-bound proxy) for the services."""
    return current_user._get_current_object()


def _locale() -> str:
    return str(get_locale() or "en")


def _posted_text() -> str:
    return (request.form.get("yaml") or "").replace("\r\n", "\n")


def _comment() -> str:
    return (request.form.get("comment") or "").strip()[:MAX_COMMENT]


def _check_context(text: str) -> dict:
    check = workflow_studio.check(text, _locale())
    last_good = None if check.drawn else workflow_studio.last_good(_locale())
    return {"check": check, "last_good": last_good}


def _editor_page(text: str, revision, base_number, status: int = 200, **extra):
    current = workflow_studio.editor_text()
    db.session.commit()  # the shipped default may just have been installed
    response = make_response(
        render_template(
            "admin/workflow_editor.html",
            text=text,
            revision=revision,
            base_number=base_number,
            current=current,
            oob=False,
            **_check_context(text),
            **extra,
        )
    )
    response.status_code = status
    return response


@bp.get("/workflow")
@admin_required
def workflow_editor():
    current = workflow_studio.editor_text()
    return _editor_page(current.text, current.revision, current.base_number)


@bp.post("/workflow")
@admin_required
def workflow_save():
    text = _posted_text()
    revision = optional_id(request.form.get("revision"))
    base_number = optional_id(request.form.get("base_number"))
    try:
        draft = workflow_studio.save_draft(text, revision, base_number, _admin())
    except drafts.DraftRefused as refused:
        db.session.rollback()
        return _editor_page(text, revision, base_number, 422, error=str(refused))
    except drafts.EditConflict as conflict:
        db.session.rollback()
        theirs = conflict.current
        return _editor_page(
            text,
            theirs.revision if theirs else None,
            base_number,
            409,
            conflict=conflict,
        )
    db.session.commit()
    if request.form.get("action") == "review":
        return redirect(url_for("admin.workflow_publish"), 303)
    flash(_("The draft was saved (revision %(revision)s).", revision=draft.revision), "success")
    return redirect(url_for("admin.workflow_editor"), 303)


@bp.post("/workflow/validate")
@admin_required
def workflow_validate():
    text = _posted_text()
    if not htmx_request.htmx:  # without JavaScript: the whole page, the text kept
        current = workflow_studio.editor_text()
        return _editor_page(
            text,
            optional_id(request.form.get("revision")),
            optional_id(request.form.get("base_number")) or current.base_number,
        )
    response = make_response(
        render_template("admin/workflow_check.html", oob=True, **_check_context(text))
    )
    response.headers.add("Vary", "HX-Request")
    return response


@bp.post("/workflow/discard")
@admin_required
def workflow_discard():
    if workflow_studio.discard_draft(_admin()):
        db.session.commit()
        flash(_("The draft was discarded; the editor shows the active version."), "success")
    return redirect(url_for("admin.workflow_editor"), 303)


def _publish_page(status: int = 200, **extra):
    current = workflow_studio.editor_text()
    db.session.commit()  # the shipped default may just have been installed
    check = workflow_studio.check(current.text, _locale()) if current.draft else None
    text_diff = (
        workflow_studio.workflow_diff(current.active.yaml_text, current.text, _locale())
        if current.draft
        else None
    )
    response = make_response(
        render_template(
            "admin/workflow_publish.html",
            current=current,
            check=check,
            text_diff=text_diff,
            **extra,
        )
    )
    response.status_code = status
    return response


@bp.route("/workflow/publish", methods=["GET", "POST"])
@admin_required
def workflow_publish():
    """GET shows what would change (the confirm step); POST publishes the reviewed draft."""
    if request.method == "GET":
        return _publish_page()
    comment = _comment()
    try:
        published = workflow_studio.publish_draft(
            optional_id(request.form.get("revision")), comment, _admin()
        )
    except workflow_studio.StaleReview:
        db.session.rollback()
        return _publish_page(
            409,
            error=_("The draft changed since you reviewed it. Check the differences again."),
            comment=comment,
        )
    except PublishRefused:
        db.session.rollback()
        return _publish_page(
            422, error=_("The draft has problems; fix them before publishing."), comment=comment
        )
    db.session.commit()
    flash(
        _(
            "Version %(number)s is active; older tickets keep the version they started on.",
            number=published.version.number,
        ),
        "success",
    )
    _flash_deadlines_moved(published.deadlines_moved)
    return redirect(url_for("admin.workflow_versions"), 303)


def _flash_deadlines_moved(moved: int | None) -> None:
    """Tell the admin what a calendar change did to open tickets (nothing when none changed)."""
    if moved is None:
        return
    if moved:
        message = ngettext(
            "The business calendars changed: the deadlines of %(num)d open ticket moved.",
            "The business calendars changed: the deadlines of %(num)d open tickets moved.",
            moved,
        )
    else:
        message = _("The business calendars changed; no open ticket's deadline moved.")
    flash(message, "info")


@bp.get("/workflow/versions")
@admin_required
def workflow_versions():
    versions = workflow_studio.versions()
    db.session.commit()
    return render_template(
        "admin/workflow_versions.html", versions=versions, version_comment=_version_comment
    )


def _version_comment(version) -> str:
    """What the version list says of a version: its comment, or for the default Loopdesk
    installed itself, that, in the admin's language (it was stored in English)."""
    if version.comment == SHIPPED_COMMENT:
        return _("The default workflow that comes with Loopdesk")
    return version.comment or ""


@bp.get("/workflow/versions/diff")
@admin_required
def workflow_version_diff():
    versions = workflow_studio.versions()
    db.session.commit()
    numbers = [v.number for v in versions]
    old_number = optional_id(request.args.get("old"))
    new_number = optional_id(request.args.get("new"))
    old = workflow_studio.version_by_number(old_number) if old_number else None
    new = workflow_studio.version_by_number(new_number) if new_number else None
    if old is None or new is None:
        response = make_response(
            render_template(
                "admin/workflow_versions.html",
                versions=versions,
                version_comment=_version_comment,
                error=_("Choose two existing versions to compare."),
            )
        )
        response.status_code = 422 if request.args else 200
        return response
    return render_template(
        "admin/workflow_version_diff.html",
        old=old,
        new=new,
        numbers=numbers,
        text_diff=workflow_studio.workflow_diff(old.yaml_text, new.yaml_text, _locale()),
    )


@bp.route("/workflow/versions/<int:number>/rollback", methods=["GET", "POST"])
@admin_required
def workflow_rollback(number: int):
    old = workflow_studio.version_by_number(number)
    if old is None:
        abort(404)
    active = active_version()
    if request.method == "GET":
        db.session.commit()
        return render_template(
            "admin/workflow_rollback.html",
            old=old,
            active=active,
            text_diff=workflow_studio.workflow_diff(active.yaml_text, old.yaml_text, _locale()),
        )
    comment = _comment() or _("Rolled back to version %(number)s", number=old.number)
    try:
        published = workflow_studio.roll_back(old, comment, _admin())
    except PublishRefused as refused:
        db.session.rollback()
        response = make_response(
            render_template(
                "admin/workflow_rollback.html",
                old=old,
                active=active,
                text_diff=workflow_studio.workflow_diff(active.yaml_text, old.yaml_text, _locale()),
                problems=refused.problems,
            )
        )
        response.status_code = 422
        return response
    db.session.commit()
    flash(
        _(
            "Version %(old)s was published again as version %(number)s.",
            old=old.number,
            number=published.version.number,
        ),
        "success",
    )
    _flash_deadlines_moved(published.deadlines_moved)
    return redirect(url_for("admin.workflow_versions"), 303)


def _sla_previews(definition, created_at: datetime) -> list:
    return workflow_studio.sla_preview(definition, created_at, _locale()) if definition else []


@bp.get("/workflow/sla")
@admin_required
def workflow_sla():
    timezone = current_user.timezone or "UTC"
    definition, source, current = workflow_studio.sla_source(request.args.get("source", "draft"))
    db.session.commit()
    raw_at = request.args.get("at", "")
    error = None
    created_at: datetime = utcnow()
    previews = None
    if raw_at:
        try:
            created_at = parse_local_datetime(raw_at, timezone)
            previews = _sla_previews(definition, created_at)  # business time ends in 9998
        except (BadLocalTime, OverflowError, ValueError):
            error = _("Enter a date and time such as 2026-11-27 16:00.")
            created_at = utcnow()
    if previews is None:
        previews = _sla_previews(definition, created_at)
    calendars = workflow_studio.calendar_rows(definition, _locale()) if definition else []
    teams = workflow_studio.team_names()
    forms = FormNames()  # form titles and question texts, loaded once if a policy names one
    response = make_response(
        render_template(
            "admin/workflow_sla.html",
            definition=definition,
            source=source,
            current=current,
            previews=previews,
            calendars=calendars,
            created_at=created_at,
            at_value=local_input_value(created_at, timezone),
            timezone=timezone,
            timezone_words=zone_in_words(timezone, _locale(), created_at),
            error=error,
            target_text=target_text,
            say=lambda condition: describe_condition(condition, None, teams, forms),
        )
    )
    if error:
        response.status_code = 422
    return response
