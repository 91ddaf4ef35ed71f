from __future__ import annotations

import math

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, refresh
from flask_login import current_user, login_required, login_user, logout_user
from flask_login.config import COOKIE_NAME

from webapp.auth import bp, pending_sign_in
from webapp.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    KeyboardShortcutsForm,
    LoginForm,
    NewRecoveryCodesForm,
    ProfileForm,
    RecoveryCodeLoginForm,
    SetPasswordForm,
    TwoStepLoginForm,
    TwoStepOffForm,
)
from webapp.extensions import db, limiter
from webapp.i18n import LOCALE_COOKIE, adopt_chosen_locale, normalise_locale, override_locale
from webapp.main.views import safe_next
from webapp.models import User
from webapp.people import (
    send_password_reset,
    user_for_login,
    user_from_password_token,
    user_from_reset_token,
)
from webapp.services import audit, away, login_throttle, staff_admin, two_step


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        # Refused before the password is looked at, the right one too: the throttle must
        # not tell a guesser which guess was right. Unknown addresses are throttled alike.
        # A browser this account logged in from before (its device cookie) is counted on
        # its own, so guessers elsewhere cannot lock the owner out.
        device = login_throttle.trusted_device(form.email.data)
        if wait := login_throttle.seconds_refused(form.email.data, device):
            return _refused(form, wait)
        user = user_for_login(form.email.data, form.password.data)
        if user is not None and user.two_step_on:
            # Not logged in yet, and the failures stay counted: the code is guessed against
            # the same limit, which a right password alone must not clear.
            pending_sign_in.start(user, form.remember.data, request.args.get("next"))
            return redirect(url_for("auth.login_code"), code=303)
        if user is not None:
            login_throttle.forget_failures(form.email.data, device)
            return _complete_login(user, form.remember.data, request.args.get("next"))
        wait = login_throttle.count_failure(form.email.data, device)
        db.session.commit()  # the audit entry of an account (or address) just throttled
        if wait:  # this failure reached the limit: say so now, not at the next attempt
            return _refused(form, wait)
        # One message for every failure: do not reveal which accounts exist.
        form.password.errors.append(_("Wrong e-mail or password."))
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


def _complete_login(user: User, remember: bool, next_url: str | None):
    """Log `user` in (password, and code where asked for, given) and go on to `next_url`.

    With two-step sign-in required for all staff, someone without it goes to its setup.
    """
    login_user(user, remember=remember)
    adopt_chosen_locale(user)
    db.session.commit()
    if two_step.must_set_up(user):
        refresh()  # the account's language, adopted just now
        flash(_("Your administrator requires two-step sign-in: set it up to continue."), "info")
        reply = redirect(url_for("auth.two_step_setup"), code=303)
    else:
        flash(_("Welcome back, %(name)s.", name=user.name), "success")
        reply = redirect(safe_next(next_url), code=303)
    login_throttle.remember_device(reply, user)
    return reply


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login_code():
    """The second step: the code from the app (or a recovery code) after the password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    waiting = pending_sign_in.pending()
    if waiting is None:
        pending_sign_in.forget()
        flash(_("That sign-in took too long or is no longer valid. Please log in again."), "info")
        return redirect(url_for("auth.login"), code=303)
    user = waiting.user
    recovery = request.args.get("recovery") == "1"
    form = RecoveryCodeLoginForm() if recovery else TwoStepLoginForm()
    status = 200
    if form.validate_on_submit():
        device = login_throttle.trusted_device(user.email)
        if wait := login_throttle.seconds_refused(user.email, device):
            return _code_refused(form, recovery, wait)
        used = two_step.use_code(user, form.code.data)
        if used is not None:
            pending_sign_in.forget()
            login_throttle.forget_failures(user.email, device)
            if used == "recovery":
                left = two_step.recovery_codes_left(user)
                audit.record(  # the account's owner and admins can tell if it was not them
                    "user.recovery_code_used",
                    user,
                    user.name,
                    after={"recovery_codes_left": left},
                    actor=user,
                )
                flash(
                    ngettext(
                        "You used a recovery code: %(num)d is left. Make new ones on your "
                        "profile if you are running out.",
                        "You used a recovery code: %(num)d are left. Make new ones on your "
                        "profile if you are running out.",
                        left,
                    ),
                    "warning",
                )
            return _complete_login(user, waiting.remember, waiting.next_url)
        wait = login_throttle.count_failure(user.email, device)
        db.session.commit()
        if wait:
            return _code_refused(form, recovery, wait)
        form.code.errors.append(
            _("This recovery code is wrong or was used already.")
            if recovery
            else _("This code is wrong or was used already. Enter the code your app shows now.")
        )
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template("auth/login_code.html", form=form, recovery=recovery), status


def _code_refused(form, recovery: bool, wait: int):
    minutes = math.ceil(wait / 60)
    return (
        render_template(
            "auth/login_code.html", form=form, recovery=recovery, refused_minutes=minutes
        ),
        429,
    )


def _refused(form: LoginForm, wait: int):
    """The login page that says logins to this account are paused for `wait` seconds."""
    minutes = math.ceil(wait / 60)
    return render_template("auth/login.html", form=form, refused_minutes=minutes), 429


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def set_password(token: str):
    user = user_from_password_token(token)
    if user is None:
        return render_template("auth/link_expired.html"), 410
    _speak_the_accounts_language(user)
    return _choose_password(user, _("Your password is set. Welcome to Loopdesk!"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def forgot_password():
    if current_user.is_authenticated:
        return redirect(url_for("auth.profile", _anchor="password"))
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        send_password_reset(form.email.data)
        db.session.commit()
        # The same answer whether or not the account exists (or is deactivated).
        flash(
            _(
                "If %(email)s belongs to a Loopdesk account, a link to choose a new password "
                "is on its way. The link works for one hour.",
                email=form.email.data,
            ),
            "info",
        )
        return redirect(url_for("auth.login"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    user = user_from_reset_token(token)
    if user is None:
        return render_template("auth/link_expired.html", reset=True), 410
    _speak_the_accounts_language(user)
    return _choose_password(
        user, _("Your new password is saved, and you are logged in."), reset=True
    )


def _speak_the_accounts_language(user: User) -> None:
    """The page behind a link speaks the account's language, the one its e-mail came in
    (an admin chose it for an invited agent), not the browser's; a language the visitor
    picked with the switcher on this device still wins."""
    if normalise_locale(request.cookies.get(LOCALE_COOKIE)) is None:
        locale = normalise_locale(user.locale)
        if locale:
            override_locale(locale)
            refresh()  # forget a locale worked out earlier in this request


def _choose_password(user: User, done: str, reset: bool = False):
    """The page behind an invitation or reset link: a new password, then logged in as `user`.

    Setting it changes the password hash, which is what makes the link single-use.
    """
    form = SetPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        adopt_chosen_locale(user)  # a language picked on this page stays after logging in
        db.session.commit()
        logout_user()
        if user.two_step_on:
            # The link proves the mailbox, not the phone: the code is still asked for, and
            # wrong codes guessed before stay counted.
            pending_sign_in.start(user)
            flash(
                _("Your new password is saved. Enter the code from your app to log in."), "success"
            )
            return redirect(url_for("auth.login_code"), code=303)
        login_throttle.forget_failures(user.email)  # the link proved who it is
        login_user(user)
        flash(done, "success")
        reply = redirect(url_for("main.index"), code=303)
        login_throttle.remember_device(reply, user)  # the old password's ones no longer count
        return reply
    status = 422 if request.method == "POST" else 200
    return render_template("auth/set_password.html", form=form, user=user, reset=reset), status


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    holiday_errors: dict[str, str] = {}
    holiday_choice = staff_admin.read_public_holidays(
        request.form.get("public_holidays"), current_user, holiday_errors
    )  # a page from before the choice was offered (nothing posted) keeps it
    form_valid = form.validate_on_submit()
    if holiday_errors:
        form.public_holidays.errors = [*form.public_holidays.errors, *holiday_errors.values()]
    elif form_valid:
        away_days = away.away_days(current_user)  # the same days in the new zone
        current_user.name = form.name.data.strip()
        current_user.locale = form.locale.data
        current_user.timezone = form.timezone.data
        current_user.languages = form.languages.data
        current_user.public_holidays = holiday_choice
        away.set_away(current_user, away_days)
        db.session.commit()
        refresh()  # the language may have changed: confirm it in the new one
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("auth.profile"), code=303)
    status = 422 if request.method == "POST" else 200
    password_form = ChangePasswordForm(current_user, formdata=None)
    return _profile_page(form, password_form), status


@bp.post("/profile/password")
@limiter.limit(_login_limit)
@login_required
def change_own_password():
    user = current_user._get_current_object()
    password_form = ChangePasswordForm(user)
    if password_form.validate_on_submit():
        user.set_password(password_form.password.data)
        db.session.commit()
        # The session and a remember-me cookie name the old password, which no longer
        # logs anyone in: this device gets them anew, other devices have to log in again.
        login_user(user, remember=_has_remember_cookie())
        flash(_("Your password is changed."), "success")
        reply = redirect(url_for("auth.profile"), code=303)
        login_throttle.remember_device(reply, user)  # the same goes for device cookies
        return reply
    return _profile_page(ProfileForm(formdata=None, obj=user), password_form), 422


@bp.post("/profile/keyboard-shortcuts")
@login_required
def save_keyboard_shortcuts():
    form = KeyboardShortcutsForm()
    if not form.validate_on_submit():  # CSRFProtect has refused a missing token already
        return redirect(url_for("auth.profile", _anchor="keyboard-shortcuts"), code=303)
    current_user.keyboard_shortcuts = form.keyboard_shortcuts.data
    db.session.commit()
    if current_user.keyboard_shortcuts:
        flash(_("Keyboard shortcuts are on. Press ? to see them."), "success")
    else:
        flash(_("Keyboard shortcuts are off: letter keys no longer do anything."), "success")
    return redirect(url_for("auth.profile", _anchor="keyboard-shortcuts"), code=303)


def _profile_page(
    form: ProfileForm,
    password_form: ChangePasswordForm,
    renew_form: NewRecoveryCodesForm | None = None,
    off_form: TwoStepOffForm | None = None,
) -> str:
    shortcuts_form = KeyboardShortcutsForm(formdata=None, obj=current_user)
    return render_template(
        "auth/profile.html",
        form=form,
        password_form=password_form,
        shortcuts_form=shortcuts_form,
        renew_form=renew_form or NewRecoveryCodesForm(formdata=None),
        off_form=off_form or TwoStepOffForm(formdata=None),
        recovery_codes_left=(
            two_step.recovery_codes_left(current_user) if current_user.two_step_on else 0
        ),
    )


def _has_remember_cookie() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies
