from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext, refresh
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from webapp.admin import bp
from webapp.admin.forms import WEEKDAY_LABELS, AgentForm, StaffMemberForm
from webapp.extensions import db
from webapp.htmx_responses import render_page_or_partial
from webapp.i18n import normalise_locale
from webapp.models import OutboxMessage, OutboxStatus, Role, Team, TeamMembership, User, utcnow
from webapp.outbox import relay, send_again
from webapp.people import EmailTaken, create_staff_member
from webapp.security import admin_required, content_security_policy, inline_style_hashes
from webapp.services import audit, away, inbound_mail, sla_clock, staff_admin, two_step
from webapp.services.audit import snapshot
from webapp.services.tickets import TicketConflict

MAIL_PAGE_SIZE = 50
USER_FIELDS = ("name", "email", "role", "locale", "timezone", "languages", "active")


def _staff_page_context(form: StaffMemberForm) -> dict:
    users = db.session.scalars(
        select(User)
        .options(selectinload(User.memberships).selectinload(TeamMembership.team))
        .order_by(User.active.desc(), User.name)
    ).all()
    return {
        "users": users,
        "form": form,
        "two_step_required": two_step.required_for_staff(),
        "staff_without_two_step": two_step.staff_without_two_step(),
    }


def _new_staff_form() -> StaffMemberForm:
    """An empty invitation form; the interface language starts as the admin's own."""
    own = normalise_locale(current_user.locale) or str(get_locale())
    return StaffMemberForm(team_choices=_team_choices(), formdata=None, data={"locale": own})


def _team_choices() -> list[SelectChoice]:
    return [
        SelectChoice(t.id, t.name) for t in db.session.scalars(select(Team).order_by(Team.name))
    ]


@bp.get("/")
@bp.get("/users")
@admin_required
def users():
    form = _new_staff_form()
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
            form = _new_staff_form()
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
    """Deactivate (their open tickets are re-routed by the workflow) or reactivate."""
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        abort(400)
    if user.active:
        try:
            moved = staff_admin.deactivate_agent(user, current_user)
        except TicketConflict:
            db.session.rollback()
            flash(_("A ticket changed while it was being re-routed. Please try again."), "error")
            return _staff_fragment(409)
        db.session.commit()
        flash(
            ngettext(
                "%(name)s can no longer log in. %(num)d open ticket was re-routed.",
                "%(name)s can no longer log in. %(num)d open tickets were re-routed.",
                moved,
                name=user.name,
            ),
            "info",
        )
    else:
        staff_admin.reactivate_agent(user)
        db.session.commit()
        flash(_("%(name)s can log in again.", name=user.name), "success")
    return _staff_fragment()


def _staff_fragment(status: int = 200):
    form = _new_staff_form()
    response = render_page_or_partial(
        "admin/users.html", "admin/_staff.html", **_staff_page_context(form)
    )
    response.status_code = status
    return response


def _agent_form(user: User, formdata=None) -> AgentForm:
    # A post without the language (a page from before it was offered) keeps the current one.
    form = AgentForm(team_choices=_team_choices(), formdata=formdata, data={"locale": user.locale})
    if formdata is None:
        form.name.data, form.role.data, form.timezone.data = user.name, user.role, user.timezone
        form.capacity.data = user.capacity
        form.ticket_access.data = user.ticket_access
        form.languages.data = list(user.languages or [])
        form.teams.data = [m.team_id for m in user.memberships]
        form.public_holidays.data = user.public_holidays or ""
        for day, text in staff_admin.hours_as_text(user.working_hours).items():
            form[f"hours_{day}"].data = text
        period = away.upcoming(user, utcnow())
        if period is not None:
            form.away_from.data = period.first_day.isoformat()
            form.away_until.data = period.last_day.isoformat()
            form.away_note.data = period.note
    return form


def _hours_typed(form: AgentForm) -> dict[str, str]:
    return {day: form[f"hours_{day}"].data or "" for day in WEEKDAY_LABELS}


def _agent_page(user: User, form: AgentForm, status: int = 200, general_error: str = ""):
    response = make_response(
        render_template(
            "admin/agent_form.html",
            user=user,
            form=form,
            general_error=general_error,
            open_ticket_count=len(staff_admin.open_tickets_of(user)),
            hour_notes=staff_admin.working_hours_notes(_hours_typed(form)),
        )
    )
    response.status_code = status
    return response


@bp.get("/users/<int:user_id>")
@admin_required
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    return _agent_page(user, _agent_form(user))


@bp.post("/users/<int:user_id>")
@admin_required
def update_user(user_id: int):
    """Save the edit form; any invalid field keeps everything typed and changes nothing."""
    user = db.get_or_404(User, user_id)
    form = _agent_form(user, formdata=request.form)
    if not form.validate_on_submit():
        return _agent_page(user, form, 422)
    changes = staff_admin.AgentChanges(
        name=form.name.data,
        role=Role(form.role.data),
        locale=form.locale.data,
        timezone=form.timezone.data or "",
        languages=form.languages.data,
        capacity=form.capacity.data,
        hours_text=_hours_typed(form),
        team_ids=form.teams.data,
        ticket_access=request.form.get("ticket_access", user.ticket_access),
        public_holidays=request.form.get("public_holidays"),  # absent: as it is
        # A page from before the away period was offered leaves it as it is.
        away=(
            (form.away_from.data or "", form.away_until.data or "", form.away_note.data or "")
            if "away_until" in request.form
            else None
        ),
    )
    try:
        staff_admin.update_agent(user, changes, current_user)
    except staff_admin.StaffChangeRefused as refused:
        db.session.rollback()
        user = db.get_or_404(User, user_id)
        general = []
        for key, message in refused.errors.items():
            if key in form:
                form[key].errors = [*form[key].errors, message]
            else:
                general.append(message)
        return _agent_page(user, form, 422, " ".join(general))
    db.session.commit()
    if user.id == current_user.id:
        refresh()  # their own language may have changed: confirm it in the new one
    flash(_("The changes to %(name)s were saved.", name=user.name), "success")
    if staff_admin.working_hours_notes(changes.hours_text):
        flash(_("Some working hours run past midnight: see the note under each such day."), "info")
    return redirect(url_for("admin.edit_user", user_id=user.id), code=303)


@bp.get("/mail")
@admin_required
def mail():
    status = request.args.get("status") or None
    if status is not None and status not in set(OutboxStatus):
        status = None
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)  # no bigint overflow
    # Newest first by when written: history recorded afterwards (the demo's) has later ids.
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
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
        failed_alerts=sla_clock.count_failed_alerts(),
        left_in_mailbox=inbound_mail.left_in_mailbox(),
    )


@bp.get("/mail/<int:message_id>")
@admin_required
def mail_message(message_id: int):
    """The message as it was sent. Its HTML part is a srcdoc frame, which lives under this
    page's policy: the policy lets through that e-mail's own inline styles, and only those."""
    message = db.get_or_404(OutboxMessage, message_id)
    from webapp.models import TicketFile

    attached = (
        db.session.scalars(
            select(TicketFile).where(TicketFile.id.in_(message.attachments)).order_by(TicketFile.id)
        ).all()
        if message.attachments
        else []
    )
    response = make_response(
        render_template("admin/mail_message.html", message=message, attached=attached)
    )
    response.headers["Content-Security-Policy"] = content_security_policy(
        style_hashes=inline_style_hashes(message.body_html or "")
    )
    return response


@bp.post("/mail/<int:message_id>/retry")
@admin_required
def retry_mail(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if send_again(message):  # not one erased on request: it has no recipient
        db.session.commit()
        relay([message.id])
        db.session.refresh(message)
        flash(_("The message was queued again."), "success")
    return redirect(url_for("admin.mail_message", message_id=message.id), code=303)
