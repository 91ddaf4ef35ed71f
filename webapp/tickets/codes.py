"""Codes stored on tickets, worded for the agent reading them.

A ticket keeps machine codes: the channel it came through (`web`), the device class
(`mobile`), its score's category (`detractor`) and, on the timeline, which e-mail went
out (`resolved`, `ticket_routed`). The workspace shows them in the agent's language;
a code this release does not know is shown as stored.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CHANNELS = {
    "web": _l("Form on our page"),
    "widget": _l("Widget on a website"),
    "email": _l("Link in an e-mail"),
}

DEVICES = {
    "desktop": _l("Computer"),
    "mobile": _l("Phone"),
    "tablet": _l("Tablet"),
    "bot": _l("Automated client (bot)"),
}

SCORE_CATEGORIES = {
    "detractor": _l("detractor"),
    "passive": _l("passive"),
    "promoter": _l("promoter"),
    "unsatisfied": _l("unsatisfied"),
    "neutral": _l("neutral"),
    "satisfied": _l("satisfied"),
    "difficult": _l("difficult"),
    "easy": _l("easy"),
    "completed": _l("found what they came for"),
    "not_completed": _l("did not find what they came for"),
}

# The e-mail behind an `email_queued` / `email_skipped` event: an e-mail template's name,
# or the kind of notice a workflow action sends (the `notify_*` parameter).
MAILS = {
    "ticket_confirmation": _l("confirmation of the request"),
    "status_changed": _l("status update"),
    "waiting_on_you": _l("question to the customer"),
    "still_waiting": _l("reminder that we still wait for the customer's answer"),
    "resolved": _l("resolution notice"),
    "ticket_assigned": _l("assignment notice"),
    "customer_replied": _l("notice of the customer's reply"),
    "ticket_reopened": _l("notice of the reopening"),
    "sla_breached": _l("SLA breach alert"),
    "sla_warning": _l("SLA warning"),
    "ticket_routed": _l("new request notice"),
    "survey_invitation": _l("satisfaction survey"),
    "survey_reminder": _l("reminder of the satisfaction survey"),
    "testimonial_request": _l("request for a review"),
    "merged": _l("notice that two requests were joined"),
    # The colleagues' notices of a merge and of its undo (services/merging.py).
    "merged_from": _l("notice of the merge"),
    "merged_into": _l("notice of the merge"),
    "unmerged_from": _l("notice that the merge was undone"),
    "unmerged": _l("notice that the merge was undone"),
}


def _worded(table: dict, code) -> str:
    text = table.get(str(code or ""))
    return str(text) if text is not None else str(code or "—")


def channel_label(code) -> str:
    return _worded(CHANNELS, code)


def device_label(code) -> str:
    return _worded(DEVICES, code)


def score_category_label(code) -> str:
    return _worded(SCORE_CATEGORIES, code)


def mail_label(code) -> str:
    return _worded(MAILS, code)


TEMPLATE_GLOBALS = {
    "channel_label": channel_label,
    "device_label": device_label,
    "score_category_label": score_category_label,
    "mail_label": mail_label,
}
