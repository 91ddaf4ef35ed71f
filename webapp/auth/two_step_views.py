"""Two-step sign-in on the profile: set it up (QR code, then a current code), new recovery
codes, turn it off; and, when admins require it, nothing but its setup (and logging out)
for a staff member who has not set it up."""

from __future__ import annotations

import math

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user

from webapp.auth import bp
from webapp.auth.forms import (
    ChangePasswordForm,
    NewRecoveryCodesForm,
    ProfileForm,
    TwoStepCodeForm,
    TwoStepOffForm,
)
from webapp.auth.views import _has_remember_cookie, _login_limit, _profile_page
from webapp.extensions import db, limiter
from webapp.htmx_responses import redirect_for_htmx_or_browser
from webapp.services import login_throttle, two_step

# The nonce the key being set up is made from (never the key: the cookie is readable).
_SETUP_NONCE = "two_step_setup"

# What a staff member who must set it up may still open: the setup itself, logging out,
# the language switcher, static files; customers' pages and the token API are not staff
# sessions' business.
_OPEN_WHILE_REQUIRED = frozenset(
    {
        "static",
        "auth.two_step_setup",
        "auth.confirm_two_step_setup",
        "auth.logout",
        "main.set_language",
        "main.healthz",
    }
)
_OPEN_BLUEPRINTS = frozenset({"public", "api"})


@bp.before_app_request
def _send_to_setup_while_required():
    endpoint = request.endpoint
    if endpoint is None or endpoint in _OPEN_WHILE_REQUIRED:
        return None
    if request.blueprint in _OPEN_BLUEPRINTS:
        return None
    if not current_user.is_authenticated or not two_step.must_set_up(current_user):
        return None
    return redirect_for_htmx_or_browser(url_for("auth.two_step_setup"))


def _setup_secret() -> str:
    """The key shown on the setup page: the same one until it is confirmed, so a reload
    does not void a QR code already scanned."""
    nonce = session.get(_SETUP_NONCE)
    if not isinstance(nonce, str) or not 16 <= len(nonce) <= 64:
        nonce = session[_SETUP_NONCE] = two_step.new_setup_nonce()
    return two_step.setup_secret(current_user, nonce, current_app.config["SECRET_KEY"])


def _setup_page(form: TwoStepCodeForm, status: int = 200):
    secret = _setup_secret()
    uri = two_step.setup_uri(secret, current_user.email)
    return (
        render_template(
            "auth/two_step_setup.html",
            form=form,
            qr_code=two_step.qr_code_data_uri(uri),
            grouped_secret=two_step.grouped_secret(secret),
            required=two_step.required_for_staff(),
        ),
        status,
    )


@bp.get("/profile/two-step")
@login_required
def two_step_setup():
    if current_user.two_step_on:
        return redirect(url_for("auth.profile", _anchor="two-step"), code=303)
    return _setup_page(TwoStepCodeForm(formdata=None))


@bp.post("/profile/two-step")
@limiter.limit(_login_limit)
@login_required
def confirm_two_step_setup():
    if current_user.two_step_on:
        return redirect(url_for("auth.profile", _anchor="two-step"), code=303)
    form = TwoStepCodeForm()
    if not form.validate_on_submit():
        return _setup_page(form, 422)
    user = current_user._get_current_object()
    codes = two_step.turn_on(user, _setup_secret(), form.code.data)
    if codes is None:
        form.code.errors.append(
            _(
                "That code is not right, so two-step sign-in is not on yet. Check that the "
                "app shows Loopdesk with your e-mail and type the code it shows now."
            )
        )
        return _setup_page(form, 422)
    db.session.commit()
    session.pop(_SETUP_NONCE, None)
    reply = make_response(render_template("auth/recovery_codes.html", codes=codes, first_time=True))
    return _signed_in_again(user, reply)


def _signed_in_again(user, reply):
    """The account's sign-in stamp changed with its two-step key: every other device is
    signed out; this one gets its session, remember-me and device cookies anew."""
    login_user(user, remember=_has_remember_cookie())
    login_throttle.remember_device(reply, user)
    return reply


def _refused_message(wait: int) -> str:
    return ngettext(
        "Too many wrong codes or passwords for this account. Try again in %(num)d minute.",
        "Too many wrong codes or passwords for this account. Try again in %(num)d minutes.",
        math.ceil(wait / 60),
    )


def _count_failure(user, device: str | None, field) -> None:
    wait = login_throttle.count_failure(user.email, device)
    db.session.commit()  # the audit entry of an account just throttled
    if wait:
        field.errors.append(_refused_message(wait))


def _code_checked(user, typed: str, field) -> bool:
    """Whether `typed` is a current code of `user`'s; a wrong one counts in the login
    throttle (a session left open must not be a way to guess codes without limit)."""
    device = login_throttle.trusted_device(user.email)
    if wait := login_throttle.seconds_refused(user.email, device):
        field.errors.append(_refused_message(wait))
        return False
    if two_step.use_app_code(user, typed):
        return True
    _count_failure(user, device, field)
    if not field.errors:
        field.errors.append(
            _("This code is wrong or was used already. Enter the code your app shows now.")
        )
    return False


def _profile_with(renew_form=None, off_form=None):
    user = current_user._get_current_object()
    return (
        _profile_page(
            ProfileForm(formdata=None, obj=user),
            ChangePasswordForm(user, formdata=None),
            renew_form=renew_form,
            off_form=off_form,
        ),
        422,
    )


@bp.post("/profile/two-step/recovery-codes")
@limiter.limit(_login_limit)
@login_required
def renew_recovery_codes():
    user = current_user._get_current_object()
    if not user.two_step_on:
        return redirect(url_for("auth.profile", _anchor="two-step"), code=303)
    form = NewRecoveryCodesForm()
    if not form.validate_on_submit() or not _code_checked(
        user, form.renew_code.data, form.renew_code
    ):
        return _profile_with(renew_form=form)
    codes = two_step.new_recovery_codes(user)
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes, first_time=False)


@bp.post("/profile/two-step/off")
@limiter.limit(_login_limit)
@login_required
def turn_two_step_off():
    user = current_user._get_current_object()
    if not user.two_step_on:
        return redirect(url_for("auth.profile", _anchor="two-step"), code=303)
    form = TwoStepOffForm()
    if not form.validate_on_submit():
        return _profile_with(off_form=form)
    device = login_throttle.trusted_device(user.email)
    if wait := login_throttle.seconds_refused(user.email, device):  # before the password
        form.off_code.errors.append(_refused_message(wait))
        return _profile_with(off_form=form)
    if not user.check_password(form.off_password.data):
        _count_failure(user, device, form.off_password)
        if not form.off_password.errors:
            form.off_password.errors.append(_("This is not your current password."))
        return _profile_with(off_form=form)
    if not _code_checked(user, form.off_code.data, form.off_code):
        return _profile_with(off_form=form)
    two_step.turn_off(user)
    db.session.commit()
    if two_step.required_for_staff():
        flash(
            _("Two-step sign-in is off. Your administrator requires it: set it up again."),
            "info",
        )
        return _signed_in_again(user, redirect(url_for("auth.two_step_setup"), code=303))
    flash(_("Two-step sign-in is off. Logging in asks for your password only."), "info")
    return _signed_in_again(user, redirect(url_for("auth.profile", _anchor="two-step"), code=303))
