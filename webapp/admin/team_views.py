"""Admin pages for teams: list, create, rename, add and remove members (admins only)."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.admin import bp
from webapp.admin.forms import TeamForm
from webapp.extensions import db
from webapp.models import Team, TeamMembership, User
from webapp.record_ids import optional_id
from webapp.security import admin_required
from webapp.services import staff_admin


def _teams_page(form: TeamForm, status: int = 200):
    teams = db.session.scalars(
        select(Team)
        .options(selectinload(Team.memberships).selectinload(TeamMembership.user))
        .order_by(Team.name)
    ).all()
    response = make_response(render_template("admin/teams.html", teams=teams, form=form))
    response.status_code = status
    return response


def _team_page(team: Team, form: TeamForm, status: int = 200, error: str = ""):
    member_ids = {m.user_id for m in team.memberships}
    others = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name)).all()
    response = make_response(
        render_template(
            "admin/team.html",
            team=team,
            form=form,
            members=sorted((m.user for m in team.memberships), key=lambda u: u.name),
            candidates=[u for u in others if u.id not in member_ids],
            error=error,
        )
    )
    response.status_code = status
    return response


@bp.get("/teams")
@admin_required
def team_list():
    return _teams_page(TeamForm(formdata=None))


@bp.post("/teams")
@admin_required
def create_team():
    form = TeamForm()
    if not form.validate_on_submit():
        return _teams_page(form, 422)
    try:
        team = staff_admin.create_team(form.name.data)
    except staff_admin.StaffChangeRefused as refused:
        form.name.errors = [*form.name.errors, *refused.errors.values()]
        return _teams_page(form, 422)
    db.session.commit()
    flash(_("Team %(name)s was created. Add its members here.", name=team.name), "success")
    return redirect(url_for("admin.team_detail", team_id=team.id), code=303)


@bp.get("/teams/<int:team_id>")
@admin_required
def team_detail(team_id: int):
    team = db.get_or_404(Team, team_id)
    form = TeamForm(formdata=None, data={"name": team.name})
    return _team_page(team, form)


@bp.post("/teams/<int:team_id>")
@admin_required
def rename_team(team_id: int):
    team = db.get_or_404(Team, team_id)
    form = TeamForm()
    if not form.validate_on_submit():
        return _team_page(team, form, 422)
    try:
        staff_admin.rename_team(team, form.name.data)
    except staff_admin.StaffChangeRefused as refused:
        form.name.errors = [*form.name.errors, *refused.errors.values()]
        return _team_page(team, form, 422)
    db.session.commit()
    flash(_("The team is now called %(name)s.", name=team.name), "success")
    return redirect(url_for("admin.team_detail", team_id=team.id), code=303)


def _user_from_form() -> User | None:
    user_id = optional_id(request.form.get("user_id"))
    return db.session.get(User, user_id) if user_id else None


@bp.post("/teams/<int:team_id>/members")
@admin_required
def add_team_member(team_id: int):
    team = db.get_or_404(Team, team_id)
    user = _user_from_form()
    if user is None or not user.active:
        form = TeamForm(formdata=None, data={"name": team.name})
        return _team_page(team, form, 422, _("Choose an active agent to add."))
    if staff_admin.add_member(team, user):
        db.session.commit()
        flash(_("%(name)s joined %(team)s.", name=user.name, team=team.name), "success")
    return redirect(url_for("admin.team_detail", team_id=team.id), code=303)


@bp.post("/teams/<int:team_id>/members/<int:user_id>/remove")
@admin_required
def remove_team_member(team_id: int, user_id: int):
    team = db.get_or_404(Team, team_id)
    user = db.get_or_404(User, user_id)
    if staff_admin.remove_member(team, user):
        db.session.commit()
        flash(_("%(name)s left %(team)s.", name=user.name, team=team.name), "info")
    return redirect(url_for("admin.team_detail", team_id=team.id), code=303)
