from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from webapp.email_addresses import EmailAddress
from webapp.form_fields import MultiCheckboxField, TimeZoneField, TranslatedForm
from webapp.people import language_choices, spoken_language_choices
from webapp.services.public_holidays import picker_choices as public_holiday_choices

MIN_PASSWORD = 10


class LoginForm(TranslatedForm):
    email = EmailField(
        _l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me logged in"))


class SetPasswordForm(TranslatedForm):
    """A new password, typed twice: invitations, reset links and the profile share the rules."""

    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("Enter a password.")),
            Length(
                min=MIN_PASSWORD,
                max=200,
                message=_l("Use at least %(min)d characters.", min=MIN_PASSWORD),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[EqualTo("password", message=_l("The two passwords do not match."))],
    )


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_current_password(self, field) -> None:
        if not self.user.check_password(field.data):
            raise ValidationError(_l("This is not your current password."))

    def validate_password(self, field) -> None:
        if field.data and field.data == self.current_password.data:
            raise ValidationError(_l("Choose a password different from the current one."))


class ForgotPasswordForm(TranslatedForm):
    email = EmailField(
        _l("E-mail"),
        filters=[lambda value: value.strip() if value else value],
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            EmailAddress(_l("Enter a valid e-mail address.")),
        ],
    )


class ProfileForm(TranslatedForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter your name.")), Length(max=120)]
    )
    locale = SelectField(_l("Interface language"))
    timezone = TimeZoneField(_l("Time zone"))
    # Checked by the view, which names a code it does not know (services.public_holidays).
    public_holidays = SelectField(_l("Public holidays"), validate_choice=False)
    languages = MultiCheckboxField(_l("Languages you answer customers in"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()
        self.languages.choices = spoken_language_choices()
        self.public_holidays.choices = public_holiday_choices()


class KeyboardShortcutsForm(TranslatedForm):
    """The single-key shortcuts on or off (WCAG 2.1.4: they must be possible to turn off)."""

    keyboard_shortcuts = BooleanField(_l("Use the keyboard shortcuts"))


def _no_surrounding_space(value):
    return value.strip() if isinstance(value, str) else value


class TwoStepCodeForm(TranslatedForm):
    """A current 6-digit code from the authenticator app (setting up, new recovery codes)."""

    code = StringField(
        _l("6-digit code from the app"),
        filters=[_no_surrounding_space],
        validators=[DataRequired(_l("Enter the 6-digit code your app shows."))],
    )


class TwoStepLoginForm(TranslatedForm):
    """The second step of logging in: the app's code, or one recovery code."""

    code = StringField(
        _l("Code from your authenticator app"),
        filters=[_no_surrounding_space],
        validators=[DataRequired(_l("Enter the 6-digit code your app shows."))],
    )


class NewRecoveryCodesForm(TranslatedForm):
    """New recovery codes on the profile: a current code first."""

    renew_code = StringField(
        _l("6-digit code from the app"),
        filters=[_no_surrounding_space],
        validators=[DataRequired(_l("Enter the 6-digit code your app shows."))],
    )


class TwoStepOffForm(TranslatedForm):
    """Turning it off: the password and a current code, so a session left open cannot."""

    off_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )
    off_code = StringField(
        _l("6-digit code from the app"),
        filters=[_no_surrounding_space],
        validators=[DataRequired(_l("Enter the 6-digit code your app shows."))],
    )


class RecoveryCodeLoginForm(TwoStepLoginForm):
    """The second step with one of the recovery codes instead of the app's code."""

    code = StringField(
        _l("Recovery code"),
        filters=[_no_surrounding_space],
        validators=[DataRequired(_l("Enter one of your recovery codes."))],
    )
