from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length

from webapp.email_addresses import EmailAddress
from webapp.form_fields import MultiCheckboxField, TimeZoneField, TranslatedForm
from webapp.models import Role, TicketAccess
from webapp.people import language_choices, spoken_language_choices
from webapp.services.public_holidays import picker_choices as public_holiday_choices


class StaffMemberForm(TranslatedForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=120)])
    email = EmailField(
        _l("E-mail"),
        filters=[lambda value: value.strip() if value else value],
        validators=[
            DataRequired(_l("Enter an e-mail address.")),
            EmailAddress(_l("Enter a valid e-mail address.")),
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
    timezone = TimeZoneField(_l("Time zone"), default="Europe/Warsaw")
    languages = MultiCheckboxField(_l("Languages spoken"))
    teams = MultiCheckboxField(_l("Teams"), coerce=int)

    def __init__(self, *args, team_choices: list[SelectChoice] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()
        self.languages.choices = spoken_language_choices()
        self.teams.choices = list(team_choices)


WEEKDAY_LABELS = {
    "mon": _l("Monday"),
    "tue": _l("Tuesday"),
    "wed": _l("Wednesday"),
    "thu": _l("Thursday"),
    "fri": _l("Friday"),
    "sat": _l("Saturday"),
    "sun": _l("Sunday"),
}


class AgentForm(TranslatedForm):
    """Edit an agent; working hours are checked by the service with the calendar code."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=120)])
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice(Role.AGENT.value, _l("Agent")),
            SelectChoice(Role.ADMIN.value, _l("Administrator")),
        ],
    )
    locale = SelectField(_l("Interface language"))
    # Any posted zone is accepted here and checked by the service, which names the bad value.
    timezone = TimeZoneField(_l("Time zone"), validate_choice=False)
    capacity = IntegerField(
        _l("Capacity (open tickets at most)"),
        validators=[InputRequired(_l("Enter a number of tickets, e.g. 20."))],
    )
    languages = MultiCheckboxField(_l("Languages spoken"))
    teams = MultiCheckboxField(_l("Teams"), coerce=int)
    ticket_access = RadioField(
        _l("Tickets they see"),
        choices=[
            SelectChoice(TicketAccess.ALL.value, _l("Every ticket")),
            SelectChoice(TicketAccess.TEAMS.value, _l("Only their teams' tickets")),
        ],
        default=TicketAccess.ALL.value,
        validate_choice=False,  # a page from before the choice was offered keeps it (view)
    )
    # Checked by the service, which names a code it does not know (services.public_holidays).
    public_holidays = SelectField(_l("Public holidays"), validate_choice=False)
    hours_mon = StringField(WEEKDAY_LABELS["mon"], validators=[Length(max=200)])
    hours_tue = StringField(WEEKDAY_LABELS["tue"], validators=[Length(max=200)])
    hours_wed = StringField(WEEKDAY_LABELS["wed"], validators=[Length(max=200)])
    hours_thu = StringField(WEEKDAY_LABELS["thu"], validators=[Length(max=200)])
    hours_fri = StringField(WEEKDAY_LABELS["fri"], validators=[Length(max=200)])
    hours_sat = StringField(WEEKDAY_LABELS["sat"], validators=[Length(max=200)])
    hours_sun = StringField(WEEKDAY_LABELS["sun"], validators=[Length(max=200)])
    # Away / out of office: whole days in the agent's zone, checked by services.away.
    away_from = StringField(_l("First day away"), validators=[Length(max=20)])
    away_until = StringField(_l("Last day away"), validators=[Length(max=20)])
    away_note = StringField(_l("Note for colleagues"), validators=[Length(max=120)])

    def __init__(self, *args, team_choices: list[SelectChoice] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()
        self.languages.choices = spoken_language_choices()
        self.teams.choices = list(team_choices)
        self.public_holidays.choices = public_holiday_choices()

    def hour_fields(self) -> list:
        return [self[f"hours_{day}"] for day in WEEKDAY_LABELS]


class TeamForm(TranslatedForm):
    name = StringField(
        _l("Team name"), validators=[DataRequired(_l("Enter a team name.")), Length(max=120)]
    )


class EmailTextForm(TranslatedForm):
    subject = StringField(
        _l("Subject"), validators=[DataRequired(_l("Enter a subject.")), Length(max=300)]
    )
    body = TextAreaField(
        _l("Text"), validators=[DataRequired(_l("Enter the text.")), Length(max=20_000)]
    )
    revision = IntegerField(default=0)


class CannedReplyForm(TranslatedForm):
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=120)]
    )
    locale = SelectField(_l("Language"))
    body = TextAreaField(
        _l("Text"), validators=[DataRequired(_l("Enter the text.")), Length(max=10_000)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()
