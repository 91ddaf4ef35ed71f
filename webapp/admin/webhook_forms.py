"""The webhook form: name, URL (http/https only) and the events it listens to."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField, URLField, ValidationError
from wtforms.validators import DataRequired, Length

from webapp.form_fields import MultiCheckboxField, TranslatedForm
from webapp.services.webhooks import MAX_URL, WebhookRefused, clean_url, literal_local_address
from workflow.registry import EVENTS, custom_webhook_event

EVENT_DESCRIPTIONS = {
    "ticket.created": _l("A ticket was created"),
    "ticket.transitioned": _l("A ticket moved to another state"),
    "ticket.assigned": _l("A ticket was given to an agent or a team"),
    "label.added": _l("A label was added to a ticket"),
    "note.added": _l("An internal note was written"),
    "reply.sent": _l("A reply was sent to the customer"),
    "sla.warning": _l("An SLA deadline is near"),
    "sla.breached": _l("An SLA deadline was missed"),
    "survey.answered": _l("A customer answered a survey"),
    "ticket.merged": _l("A duplicate ticket was merged into another"),
    "ticket.unmerged": _l("A merge was undone: the duplicate is a ticket of its own again"),
    "ticket.spam": _l("A ticket was marked as spam"),
    "ticket.not_spam": _l("A ticket marked as spam was found not to be spam"),
}
MAX_CUSTOM_EVENTS_TEXT = 2000


def event_choices() -> list[tuple[str, str]]:
    return [(event, EVENT_DESCRIPTIONS.get(event, event)) for event in EVENTS]


class WebhookForm(TranslatedForm):
    name = StringField(
        _l("Webhook name"), validators=[DataRequired(_l("Enter a name.")), Length(max=120)]
    )
    url = URLField(
        _l("Payload URL"),
        validators=[DataRequired(_l("Enter the URL to call.")), Length(max=MAX_URL)],
    )
    events = MultiCheckboxField(_l("Ticket events"))
    custom_events = TextAreaField(
        _l("Workflow events"),
        validators=[Length(max=MAX_CUSTOM_EVENTS_TEXT)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.events.choices = event_choices()

    def validate_url(self, field) -> None:
        try:
            field.data = clean_url(field.data)
        except WebhookRefused as exc:
            raise ValidationError(
                _("Enter a full http:// or https:// address, e.g. https://example.com/hook.")
            ) from exc
        if current_app.config.get("WEBHOOK_LOCAL_NETWORK"):
            return
        address = literal_local_address(field.data)
        if address is not None:
            raise ValidationError(
                _(
                    "%(address)s is an address on this server or a private network: webhooks "
                    "call only public addresses.",
                    address=address,
                )
            )

    def validate_custom_events(self, field) -> None:
        bad = [line for line in self.custom_event_lines() if custom_webhook_event(line) is None]
        if bad:
            raise ValidationError(
                _(
                    "Not a valid event name: %(names)s. Use letters, digits, _ . - "
                    "(e.g. workflow.escalated).",
                    names=", ".join(bad[:3])[:200],
                )
            )

    def custom_event_lines(self) -> list[str]:
        text = self.custom_events.data or ""
        return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]

    def chosen_events(self) -> list[str]:
        """Ticket events ticked plus custom ones written, as `workflow.<name>`."""
        custom = [custom_webhook_event(line) for line in self.custom_event_lines()]
        return [*(self.events.data or []), *(name for name in custom if name)]

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.chosen_events():
            self.events.errors = [*self.events.errors, _("Choose at least one event.")]
            return False
        return True
