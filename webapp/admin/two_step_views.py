"""Two-step sign-in, as admins see it: reset it for an agent who lost their phone, and
require it for all staff (admins only)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.admin import bp
from webapp.extensions import db
from webapp.models import User
from webapp.security import admin_required
from webapp.services import two_step


@bp.get("/users/<int:user_id>/two-step/reset")
@admin_required
def confirm_two_step_reset(user_id: int):
    user = db.get_or_404(User, user_id)
    if refused := _refused_reset(user):
        return refused
    return render_template("admin/two_step_reset.html", user=user)


def _refused_reset(user: User):
    """Back to the agent's page when there is nothing to reset, or it is the admin's own:
    turning their own off asks for their password and a code, on their profile."""
    if user.id == current_user.id:
        flash(
            _("Turn your own two-step sign-in off on your profile, with a code from your app."),
            "info",
        )
        return redirect(url_for("auth.profile", _anchor="two-step"), code=303)
    if not user.two_step_on:
        flash(_("%(name)s does not use two-step sign-in.", name=user.name), "info")
        return redirect(url_for("admin.edit_user", user_id=user.id), code=303)
    return None


@bp.post("/users/<int:user_id>/two-step/reset")
@admin_required
def reset_two_step(user_id: int):
    user = db.get_or_404(User, user_id)
    if refused := _refused_reset(user):  # a second click (or a colleague's) too
        return refused
    two_step.reset_by_admin(user, current_user._get_current_object())
    db.session.commit()
    flash(
        _(
            "Two-step sign-in of %(name)s is reset: they log in with their password "
            "only, and were told by e-mail.",
            name=user.name,
        ),
        "success",
    )
    return redirect(url_for("admin.edit_user", user_id=user.id), code=303)


@bp.post("/users/two-step-required")
@admin_required
def save_two_step_requirement():
    required = request.form.get("two_step_required") in {"y", "on", "1", "true"}
    if two_step.set_required_for_staff(required):
        db.session.commit()
    if required:
        flash(
            _(
                "Two-step sign-in is now required: staff without it are asked to set it up "
                "before anything else."
            ),
            "success",
        )
    else:
        flash(_("Two-step sign-in is no longer required; each person chooses."), "success")
    return redirect(url_for("admin.users", _anchor="two-step-required"), code=303)
