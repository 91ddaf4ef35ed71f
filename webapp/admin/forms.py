from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, Length
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.models import Role
from webapp.people import TIMEZONE_CHOICES, language_choices


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StaffMemberForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=120)])
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Enter an e-mail address.")),
            Email(_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
    )
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice(Role.AGENT.value, _l("Agent")),
            SelectChoice(Role.ADMIN.value, _l("Administrator")),
        ],
    )
    locale = SelectField(_l("Interface language"))
    timezone = SelectField(_l("Time zone"), choices=TIMEZONE_CHOICES, default="Europe/Warsaw")
    languages = MultiCheckboxField(_l("Languages spoken"))
    teams = MultiCheckboxField(_l("Teams"), coerce=int)

    def __init__(self, *args, team_choices: list[SelectChoice] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()
        self.languages.choices = language_choices()
        self.teams.choices = list(team_choices)
