"""Customer-facing messages for refused answers, in the respondent's language."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey_forms.conversation import AnswerError
from webapp.i18n import answer_day, answer_number

_SIMPLE = {
    "required": _l("Please answer this question."),
    "choice": _l("Please choose one of the options."),
    "text": _l("Please type your answer."),
    "email": _l("Please enter a valid e-mail address, like name@example.com."),
    "number": _l("Please enter a number."),
    "date": _l("Please enter a date."),
    "consent_required": _l("Please tick the box to continue."),
    "file": _l("Please choose a file."),
    "empty": _l("The file is empty."),
    "not_asked": _l(
        "Your answers changed in the meantime, so that question no longer applies."
        " Please go on from here."
    ),
    "too_large": _l("The file is larger than 5 MB."),
    "file_type": _l("Please upload an image (PNG, JPEG, GIF, WebP) or a PDF."),
    "too_many": _l("Please attach at most 5 files to one message."),
}


def answer_error_message(error: AnswerError) -> str:
    p = error.params
    if error.code == "scale":
        return _("Please choose a number from %(low)d to %(high)d.", low=p["low"], high=p["high"])
    if error.code == "too_long":
        return _("Please keep it under %(max)d characters.", max=p["max"])
    if error.code == "min":
        return _("Please enter %(min)s or more.", min=answer_number(p["min"]))
    if error.code == "max":
        return _("Please enter %(max)s or less.", max=answer_number(p["max"]))
    if error.code == "date_min":
        return _("Please choose %(min)s or later.", min=answer_day(p["min"]))
    if error.code == "date_max":
        return _("Please choose %(max)s or earlier.", max=answer_day(p["max"]))
    return str(_SIMPLE.get(error.code, _l("Please check your answer.")))
