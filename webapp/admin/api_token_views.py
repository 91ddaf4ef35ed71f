"""Admin page for API tokens: create (the token is shown once), see last use, revoke."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.admin import bp
from webapp.extensions import db
from webapp.models import ApiToken, TokenScope
from webapp.security import admin_required
from webapp.services import api_tokens

SCOPE_LABELS = {
    TokenScope.READ: _l("Read only"),
    TokenScope.READ_WRITE: _l("Read and write (notes, labels)"),
}
_REFUSALS = {
    "no_name": _l("Please give the token a name, e.g. the system that will use it."),
    "name_too_long": _l("The name may be at most 100 characters long."),
    "bad_scope": _l("Please choose what the token may do."),
}


def scope_label(scope: str) -> str:
    return str(SCOPE_LABELS.get(scope, scope))


def _page(status: int = 200, values: dict | None = None, error: str | None = None, **extra):
    response = make_response(
        render_template(
            "admin/api_tokens.html",
            tokens=api_tokens.tokens(),
            scopes=SCOPE_LABELS,
            scope_label=scope_label,
            values=values or {"name": "", "scope": TokenScope.READ},
            error=error,
            **extra,
        )
    )
    response.status_code = status
    # The page may hold a new token: never cached, never stored by the browser.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/api-tokens")
@admin_required
def api_token_list():
    return _page()


@bp.post("/api-tokens")
@admin_required
def create_api_token():
    values = {"name": request.form.get("name", ""), "scope": request.form.get("scope", "")}
    try:
        token, value = api_tokens.create_token(values["name"], values["scope"], current_user)
    except api_tokens.TokenRefused as refusal:
        db.session.rollback()
        return _page(422, values, str(_REFUSALS[refusal.code]))
    db.session.commit()
    flash(_("The API token “%(name)s” was created.", name=token.name), "success")
    return _page(201, new_token=token, new_value=value)


@bp.post("/api-tokens/<int:token_id>/revoke")
@admin_required
def revoke_api_token(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if api_tokens.revoke_token(token, current_user):
        db.session.commit()
        flash(
            _("The API token “%(name)s” was revoked: it no longer works.", name=token.name),
            "success",
        )
    else:
        flash(_("The API token “%(name)s” was already revoked.", name=token.name), "info")
    return redirect(url_for("admin.api_token_list"), code=303)
