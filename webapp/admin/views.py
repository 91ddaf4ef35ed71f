from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from webapp.admin import bp
from webapp.admin.forms import StaffMemberForm
from webapp.extensions import db
from webapp.htmx_responses import render_page_or_partial
from webapp.models import OutboxMessage, OutboxStatus, Role, Team, TeamMembership, User
from webapp.outbox import relay
from webapp.people import EmailTaken, create_staff_member
from webapp.security import admin_required
from webapp.services import audit
from webapp.services.audit import snapshot

MAIL_PAGE_SIZE = 50
USER_FIELDS = ("name", "email", "role", "locale", "timezone", "languages", "active")


def _staff_page_context(form: StaffMemberForm) -> dict:
    users = db.session.scalars(
        select(User)
        .options(selectinload(User.memberships).selectinload(TeamMembership.team))
        .order_by(User.active.desc(), User.name)
    ).all()
    return {"users": users, "form": form}


def _team_choices() -> list[SelectChoice]:
    return [
        SelectChoice(t.id, t.name) for t in db.session.scalars(select(Team).order_by(Team.name))
    ]


@bp.get("/")
@bp.get("/users")
@admin_required
def users():
    form = StaffMemberForm(team_choices=_team_choices(), formdata=None)
    return render_template("admin/users.html", **_staff_page_context(form))


@bp.post("/users")
@admin_required
def create_user():
    form = StaffMemberForm(team_choices=_team_choices())
    status = 200
    if form.validate_on_submit():
        try:
            user = create_staff_member(
                email=form.email.data,
                name=form.name.data,
                role=Role(form.role.data),
                locale=form.locale.data,
                timezone=form.timezone.data,
                languages=form.languages.data,
                team_ids=form.teams.data,
                invited_by=current_user,
            )
        except EmailTaken:
            form.email.errors.append(_("An account with this e-mail address already exists."))
            status = 422
        else:
            db.session.flush()
            teams = sorted(m.team.name for m in user.memberships)
            audit.record(
                "user.created", user, user.name, after=snapshot(user, USER_FIELDS, teams=teams)
            )
            db.session.commit()
            flash(
                _(
                    "%(name)s was added. An invitation was e-mailed to %(email)s.",
                    name=user.name,
                    email=user.email,
                ),
                "success",
            )
            form = StaffMemberForm(team_choices=_team_choices(), formdata=None)
    else:
        status = 422
    response = render_page_or_partial(
        "admin/users.html", "admin/_staff.html", **_staff_page_context(form)
    )
    response.status_code = status
    return response


@bp.post("/users/<int:user_id>/active")
@admin_required
def toggle_user_active(user_id: int):
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        abort(400)
    user.active = not user.active
    audit.record(
        "user.reactivated" if user.active else "user.deactivated",
        user,
        user.name,
        before={"active": not user.active},
        after={"active": user.active},
    )
    db.session.commit()
    if user.active:
        flash(_("%(name)s can log in again.", name=user.name), "success")
    else:
        flash(_("%(name)s can no longer log in.", name=user.name), "info")
    form = StaffMemberForm(team_choices=_team_choices(), formdata=None)
    return render_page_or_partial(
        "admin/users.html", "admin/_staff.html", **_staff_page_context(form)
    )


@bp.get("/mail")
@admin_required
def mail():
    status = request.args.get("status") or None
    if status is not None and status not in set(OutboxStatus):
        status = None
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)  # no bigint overflow
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status:
        query = query.where(OutboxMessage.status == status)
    rows = db.session.scalars(
        query.offset((page - 1) * MAIL_PAGE_SIZE).limit(MAIL_PAGE_SIZE + 1)
    ).all()
    return render_page_or_partial(
        "admin/mail.html",
        "admin/_mail_rows.html",
        messages=rows[:MAIL_PAGE_SIZE],
        has_more=len(rows) > MAIL_PAGE_SIZE,
        page=page,
        status=status,
        statuses=list(OutboxStatus),
    )


@bp.get("/mail/<int:message_id>")
@admin_required
def mail_message(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template("admin/mail_message.html", message=message)


@bp.post("/mail/<int:message_id>/retry")
@admin_required
def retry_mail(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if message.status in (OutboxStatus.FAILED, OutboxStatus.NOT_SENT, OutboxStatus.RETRYING):
        audit.record(
            "mail.retried",
            message,
            f"{message.to_address}: {message.subject}",
            before={"status": message.status},
            after={"status": OutboxStatus.PENDING.value},
        )
        message.status = OutboxStatus.PENDING
        message.last_error = None
        db.session.commit()
        relay([message.id])
        db.session.refresh(message)
        flash(_("The message was queued again."), "success")
    return redirect(url_for("admin.mail_message", message_id=message.id), code=303)
