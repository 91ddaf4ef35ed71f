"""The routing rule builder's pickers in the admin's words: what a condition row can test,
grouped (the response, answers to questions, the customer, metadata), and the values each
field picks from (forms by title, languages and channels by name, score groups, choices).

Which kind of value a field holds and which comparisons fit it is `survey_forms.routing_fields`;
this module only names things, from the published forms the page has already loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey_forms import routing_fields as rf
from survey_forms.definition import LANGUAGES
from webapp.admin.form_words import group_label, quoted, short_text
from webapp.tickets.codes import CHANNELS, DEVICES
from workflow.routing_rules import Clause

if TYPE_CHECKING:
    from survey_forms.definition import FormDefinition

SCORE_TYPE_LABELS = {  # the scores' own names, the same in every language
    "nps": "NPS",
    "csat": "CSAT",
    "ces": "CES",
    "rating": _l("rating"),
    "goal": _l("goal completion"),
}
FIELD_LABELS = {
    "form": _l("Form"),
    "locale": _l("Customer's language"),
    "channel": _l("Channel"),
    "score.value": _l("Score value"),
    "score.type": _l("Kind of score"),
    "customer.email": _l("Customer's e-mail address"),
    "customer.email_domain": _l("Domain of the customer's e-mail address"),
    "customer.name": _l("Customer's name"),
    "subject": _l("Ticket subject"),
    "metadata.page_url": _l("Page the form was on"),
    "metadata.referrer": _l("Page the customer came from"),
    "metadata.user_agent": _l("Customer's device"),
    "metadata.country": _l("Customer's country"),
}
MAX_METADATA_KEYS = 50


@dataclass
class Catalogue:
    """The field picker's groups, and each entry by its key."""

    groups: list[tuple[str, list[rf.FieldChoice]]]
    by_key: dict[str, rf.FieldChoice]


def _language_name(code: str) -> str:
    try:
        name = Locale.parse(code).get_display_name(get_locale()) or code
    except (UnknownLocaleError, ValueError, TypeError):
        return code
    return name[:1].upper() + name[1:]


def catalogue(
    forms: Iterable[tuple[str, FormDefinition]],
    metadata_keys: Iterable[str] = (),
) -> Catalogue:
    """Every field routing can test, for the picker: `forms` are the published forms,
    `metadata_keys` the keys seen in responses (hidden fields are added from the forms)."""
    forms = list(forms)
    language = str(get_locale() or "")
    titles = [
        (slug, definition.text(definition.title, language) or slug) for slug, definition in forms
    ]
    response = [
        rf.FieldChoice("form", str(FIELD_LABELS["form"]), "pick", tuple(titles)),
        rf.FieldChoice(
            "locale",
            str(FIELD_LABELS["locale"]),
            "pick",
            tuple((code, _language_name(code)) for code in LANGUAGES),
        ),
        rf.FieldChoice(
            "channel",
            str(FIELD_LABELS["channel"]),
            "pick",
            tuple((code, str(label)) for code, label in CHANNELS.items()),
        ),
    ]
    for score_type in rf.SCORE_TYPES:
        response.append(
            rf.FieldChoice(
                rf.category_key(score_type),
                _("Score group (%(kind)s)", kind=SCORE_TYPE_LABELS[score_type]),
                "category",
            )
        )
    response += [
        rf.FieldChoice("score.value", str(FIELD_LABELS["score.value"]), "number", low=0, high=10),
        rf.FieldChoice(
            "score.type",
            str(FIELD_LABELS["score.type"]),
            "pick",
            tuple((code, str(label)) for code, label in SCORE_TYPE_LABELS.items()),
        ),
    ]
    customer = [rf.FieldChoice(name, str(FIELD_LABELS[name])) for name in rf.CUSTOMER_FIELDS]
    return _with_entries(
        [
            (_("The response"), response),
            (_("Answers to questions"), _answer_choices(forms, language)),
            (_("The customer"), customer),
            (_("Metadata"), _metadata_choices(forms, metadata_keys)),
        ]
    )


def _with_entries(groups: list[tuple[str, list[rf.FieldChoice]]]) -> Catalogue:
    by_key = {choice.key: choice for _label, choices in groups for choice in choices}
    return Catalogue(groups, by_key)


def _answer_choices(forms: list, language: str) -> list[rf.FieldChoice]:
    """One entry per question id: by its text and the forms that ask it ("“How likely…”
    (Your feedback)"); an id two forms ask differently is named by the id."""
    found: dict[str, dict[str, Any]] = {}
    for slug, definition in forms:
        title = definition.text(definition.title, language) or slug
        for question in definition.questions:
            if question.type == "file":
                continue
            seen = found.setdefault(
                question.id, {"texts": set(), "forms": [], "types": set(), "choices": {}}
            )
            text = definition.text(question.text, language)
            seen["texts"].add(short_text(text) if text else "")
            seen["forms"].append(title)
            seen["types"].add(question.type)
            for choice in question.choices:
                label = definition.text(choice.label, language) if choice.label else ""
                seen["choices"].setdefault(choice.value, label or choice.value)
    choices = []
    for qid, seen in found.items():
        texts = seen["texts"]
        said = next(iter(texts)) if len(texts) == 1 else ""
        named = quoted(said) if said else qid
        where = ", ".join(dict.fromkeys(seen["forms"]))
        scale = rf.scale_of(seen["types"])
        choices.append(
            rf.FieldChoice(
                f"answers.{qid}",
                f"{named} ({where})",
                rf.answer_kind(seen["types"]),
                tuple(seen["choices"].items()),
                low=scale[0] if scale else None,
                high=scale[1] if scale else None,
            )
        )
    return choices


def _metadata_choices(forms: list, seen: Iterable[str]) -> list[rf.FieldChoice]:
    choices = [
        rf.FieldChoice(
            f"metadata.{key}",
            str(FIELD_LABELS[f"metadata.{key}"]),
            "pick" if key == "user_agent" else "text",
            tuple((code, str(label)) for code, label in DEVICES.items())
            if key == "user_agent"
            else (),
        )
        for key in rf.METADATA_FIELDS
    ]
    keys = set(rf.METADATA_FIELDS)
    hidden = [h.name for _slug, definition in forms for h in definition.hidden_fields]
    for name in hidden:
        if name not in keys:
            keys.add(name)
            choices.append(
                rf.FieldChoice(f"metadata.{name}", _("Hidden field “%(name)s”", name=name))
            )
    for key in list(seen)[:MAX_METADATA_KEYS]:
        if key not in keys:
            keys.add(key)
            choices.append(rf.FieldChoice(f"metadata.{key}", _("Metadata “%(key)s”", key=key)))
    return choices


# -- one row -------------------------------------------------------------------------------


def row_view(clause: Clause, entries: Catalogue, operator_labels: Mapping[str, Any]) -> dict:
    """What a condition row shows: the picker entry, the operators and the value control."""
    key = rf.key_of(clause, entries.by_key)
    choice = entries.by_key.get(key)
    kind = choice.kind if choice else "text"
    op = rf.row_op(clause)
    ops = rf.operators_for(kind, op)
    shown_op = op if op in ops else ops[0]
    widget = rf.value_widget(kind, shown_op)
    if widget == "number" and clause.value.strip() and not _is_number(clause.value):
        widget = "text"  # a number box would show (and send back) nothing
    options: list[tuple[str, str]] = []
    ticked: list[str] = []
    unknown = _("%(value)s (not one of the choices)")
    if widget == "select":
        options = rf.with_current(value_options(choice, shown_op), clause.value, unknown)
        if not options:  # nothing to pick (no form published yet): an empty select sends nothing
            widget = "text"
    elif widget == "checkboxes":
        ticked = rf.listed(clause.value)
        options = rf.with_all_current(value_options(choice, shown_op), ticked, unknown)
        if not options:  # nothing to tick: the codes are typed
            widget = "text"
    listed = ""
    if widget == "text" and shown_op in ("in", "not_in") and choice is not None:
        # A list is typed: say which codes mean what ("Polish (pl), Russian (ru)").
        listed = ", ".join(f"{label} ({value})" for value, label in value_options(choice, "="))
    return {
        "key": key,
        "choice": choice,
        "other": key == rf.OTHER,
        "typed": clause.field if key == rf.OTHER else "",
        "path": choice.path if choice else "",
        "ops": [(value, str(_operator_label(value, operator_labels, choice))) for value in ops],
        "op": shown_op,
        "widget": widget,
        "options": options,
        "ticked": ticked,
        "value": clause.value,
        "listed": listed,
        "low": choice.low if choice else None,
        "high": choice.high if choice else None,
    }


LIST_OPERATOR_LABELS = {"in": _l("is one of"), "not_in": _l("is none of")}


def _operator_label(op: str, labels: Mapping[str, Any], choice: rf.FieldChoice | None) -> Any:
    """An operator's words; "is one of" without "(comma-separated)" where values are ticked."""
    if (
        op in LIST_OPERATOR_LABELS
        and choice is not None
        and rf.value_widget(choice.kind, op) == "checkboxes"
        and value_options(choice, op)
    ):
        return LIST_OPERATOR_LABELS[op]
    return labels.get(op, op)


def ticks_values(clause: Clause, entries: Catalogue) -> bool:
    """Whether a row's values are ticked (so "none ticked" is said as such)."""
    return row_view(clause, entries, {})["widget"] == "checkboxes"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def value_options(choice: rf.FieldChoice | None, op: str) -> list[tuple[str, str]]:
    """The values a picked field chooses from (score groups by the operator)."""
    if choice is None:
        return []
    if choice.kind == "category":
        score_type = choice.key.partition(":")[2]
        return [(value, group_label(score_type, value)) for value in rf.category_values(score_type)]
    if choice.kind == "yes_no":
        return [("yes", _("yes")), ("no", _("no"))]
    return list(choice.options)


def first_value(choice: rf.FieldChoice | None, op: str) -> str:
    options = value_options(choice, op)
    return options[0][0] if options else ""
