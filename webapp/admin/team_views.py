"""Admin pages for teams: list, create, rename, members, delete (admins only)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
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
from webapp.tickets.routing_reasons import policy_title, rule_title
from workflow.definition import WorkflowDefinition
from workflow.team_references import ReferenceKind, TeamReference


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


# --- deleting -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Blocker:
    """One thing that keeps a team from being deleted, and where to change it."""

    text: str
    link: str
    link_text: str


def _unnamed_reference_text(ref: TeamReference, slug: str) -> str:
    """A rule, policy or automation its admin left unnamed, by its place ("Rule 2"), unquoted."""
    index = ref.index or 0
    if ref.kind == ReferenceKind.ROUTING_RULE:
        return _(
            "In the routing rules, %(rule)s sends tickets to this team.",
            rule=rule_title(ref.name, index),
        )
    if ref.kind == ReferenceKind.ROUTING_OVERFLOW:
        return _(
            "In the routing rules, %(rule)s sends tickets to this team when its first team "
            "is full.",
            rule=rule_title(ref.name, index),
        )
    if ref.kind == ReferenceKind.ROUTING_CONDITION:
        return _(
            "In the routing rules, %(rule)s asks for this team in its condition.",
            rule=rule_title(ref.name, index),
        )
    if ref.kind == ReferenceKind.SLA_CONDITION:
        return _(
            "In the SLA policies, %(policy)s applies to tickets of this team (team = %(slug)s).",
            policy=policy_title(ref.name, index),
            slug=slug,
        )
    if ref.kind == ReferenceKind.SLA_BREACH:
        return _(
            "In the SLA policies, %(policy)s moves overdue tickets to this team "
            "(assign_team: %(slug)s).",
            policy=policy_title(ref.name, index),
            slug=slug,
        )
    return _(
        "%(automation)s names this team (%(slug)s).",
        automation=_("Automation %(n)s", n=index + 1),
        slug=slug,
    )


def _reference_text(ref: TeamReference, definition: WorkflowDefinition | None, slug: str) -> str:
    locale = str(get_locale())
    if not ref.named:
        return _unnamed_reference_text(ref, slug)
    if ref.kind == ReferenceKind.ROUTING_RULE:
        return _("The routing rule “%(rule)s” sends tickets to this team.", rule=ref.name)
    if ref.kind == ReferenceKind.ROUTING_OVERFLOW:
        return _(
            "The routing rule “%(rule)s” sends tickets to this team when its first team is full.",
            rule=ref.name,
        )
    if ref.kind == ReferenceKind.ROUTING_CONDITION:
        return _("The condition of the routing rule “%(rule)s” asks for this team.", rule=ref.name)
    if ref.kind == ReferenceKind.DEFAULT_ROUTE:
        return _("The default route sends tickets to this team.")
    if ref.kind == ReferenceKind.SLA_CONDITION:
        return _(
            "The SLA policy “%(policy)s” applies to tickets of this team (team = %(slug)s).",
            policy=ref.name,
            slug=slug,
        )
    if ref.kind == ReferenceKind.SLA_BREACH:
        return _(
            "The SLA policy “%(policy)s” moves overdue tickets to this team "
            "(assign_team: %(slug)s).",
            policy=ref.name,
            slug=slug,
        )
    if ref.kind == ReferenceKind.STATE:
        state = definition.states.get(ref.name) if definition else None
        return _(
            "Entering the state “%(state)s” moves tickets to this team (assign_team: %(slug)s).",
            state=state.label(locale) if state else ref.name,
            slug=slug,
        )
    if ref.kind == ReferenceKind.STATE_TIMER:
        state = definition.states.get(ref.name) if definition else None
        return _(
            "A timer of the state “%(state)s” moves tickets that stay there to this team "
            "(assign_team: %(slug)s).",
            state=state.label(locale) if state else ref.name,
            slug=slug,
        )
    if ref.kind == ReferenceKind.TRANSITION:
        transition = (
            next((t for t in definition.transitions if t.trigger == ref.name), None)
            if definition
            else None
        )
        return _(
            "The transition “%(transition)s” moves tickets to this team (assign_team: %(slug)s).",
            transition=transition.label(locale) if transition else ref.name,
            slug=slug,
        )
    return _("The automation “%(name)s” names this team (%(slug)s).", name=ref.name, slug=slug)


_ROUTING_KINDS = {
    ReferenceKind.ROUTING_RULE,
    ReferenceKind.ROUTING_OVERFLOW,
    ReferenceKind.ROUTING_CONDITION,
    ReferenceKind.DEFAULT_ROUTE,
}


def _reference_blockers(
    refs: list[TeamReference], definition: WorkflowDefinition | None, slug: str
) -> list[Blocker]:
    return [
        Blocker(
            _reference_text(ref, definition, slug),
            url_for("admin.workflow_routing")
            if ref.kind in _ROUTING_KINDS
            else url_for("admin.workflow_editor"),
            _("Routing rules") if ref.kind in _ROUTING_KINDS else _("Workflow editor"),
        )
        for ref in refs
    ]


def _delete_page(team: Team, status: int = 200):
    use = staff_admin.team_use(team)
    blockers = []
    if use.open_tickets:
        blockers.append(
            Blocker(
                ngettext(
                    "%(num)d open ticket is with this team.",
                    "%(num)d open tickets are with this team.",
                    use.open_tickets,
                ),
                url_for("board.index", team=team.slug),
                _("Show them on the board"),
            )
        )
    blockers += _reference_blockers(use.references, use.published, team.slug)
    response = make_response(
        render_template(
            "admin/team_delete.html",
            team=team,
            use=use,
            blockers=blockers,
            draft_blockers=_reference_blockers(use.draft_references, use.draft, team.slug),
        )
    )
    response.status_code = status
    return response


@bp.get("/teams/<int:team_id>/delete")
@admin_required
def confirm_delete_team(team_id: int):
    return _delete_page(db.get_or_404(Team, team_id))


@bp.post("/teams/<int:team_id>/delete")
@admin_required
def delete_team(team_id: int):
    team = db.get_or_404(Team, team_id)
    name = team.name
    try:
        moved = staff_admin.delete_team(team)
    except staff_admin.TeamInUse:
        return _delete_page(team, 409)
    except staff_admin.TeamChanged:
        db.session.rollback()
        flash(_("A ticket joined this team meanwhile, so it was not deleted. Look again."), "error")
        return _delete_page(db.get_or_404(Team, team_id), 409)
    db.session.commit()
    if moved:
        message = ngettext(
            "The team %(name)s was deleted. Its %(num)d finished ticket now has no team.",
            "The team %(name)s was deleted. Its %(num)d finished tickets now have no team.",
            moved,
            name=name,
        )
    else:
        message = _("The team %(name)s was deleted.", name=name)
    flash(message, "info")
    return redirect(url_for("admin.team_list"), code=303)
