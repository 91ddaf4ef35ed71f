"""Customer data requests (GDPR/RODO/ZVOP): find, export and erase what is held for an
e-mail address (admins only).

Every step is a POST: the address stays out of URLs, server logs and the browser history.
"""

from __future__ import annotations

import json

from flask import Response as HttpResponse
from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.admin import bp
from webapp.extensions import db
from webapp.models import SurveyStatus, Ticket
from webapp.security import admin_required
from webapp.services import audit, customer_data, retention
from webapp.services.customer_data import HeldData, InvalidAddress
from webapp.services.workflow_versions import machine_for

SURVEY_STATUS_LABELS = {
    SurveyStatus.SCHEDULED: _l("scheduled"),
    SurveyStatus.SENT: _l("sent"),
    SurveyStatus.ANSWERED: _l("answered"),
    SurveyStatus.CANCELLED: _l("cancelled"),
    SurveyStatus.SKIPPED: _l("not sent"),
}


def _address_or_error() -> tuple[str, str | None, str | None]:
    """(what was typed, the cleaned address or None, an error message or None)."""
    typed = (request.form.get("email") or "").strip()[:320]
    if not typed:
        return typed, None, _("Please type the customer's e-mail address.")
    try:
        return typed, customer_data.clean_address(typed), None
    except InvalidAddress:
        return typed, None, _("This is not an e-mail address. Please check it and try again.")


def _state_label(ticket) -> str:
    state = machine_for(ticket.workflow_version_id).definition.states.get(ticket.state)
    return state.label(str(get_locale())) if state is not None else ticket.state


def _retention(typed: str | None = None, error: str | None = None) -> dict:
    """The data retention section: the period, the last run, what it erased, a preview."""
    status = retention.retention_status()
    return {
        "status": status,
        "typed": typed if typed is not None else (str(status.months) if status.months else ""),
        "error": error,
        "preview": retention.preview(months=status.months) if status.months else None,
        "min": retention.MIN_MONTHS,
        "max": retention.MAX_MONTHS,
    }


def _page(
    typed: str = "",
    held: HeldData | None = None,
    error: str | None = None,
    status=200,
    retention_form: dict | None = None,
):
    lang = str(get_locale())
    responses = []
    if held is not None:
        for response in held.responses:
            definition = held.definition(response)
            title = definition.text(definition.title, lang) if definition else ""
            responses.append((response, title or response.form.slug))
    return (
        render_template(
            "admin/customer_data.html",
            typed=typed,
            held=held,
            error=error,
            responses=responses,
            state_label=_state_label,
            ticket_number=Ticket.number_for,
            survey_status=lambda status: str(SURVEY_STATUS_LABELS.get(status, status)),
            action_label=audit.action_label,
            counts=held.counts() if held is not None else {},
            earlier=customer_data.earlier_requests(held.address) if held is not None else [],
            retention=retention_form or _retention(),
        ),
        status,
    )


@bp.get("/customer-data")
@admin_required
def customer_data_search():
    return _page()


@bp.post("/customer-data")
@admin_required
def customer_data_find():
    typed, address, error = _address_or_error()
    if error:
        return _page(typed, error=error, status=422)
    return _page(typed, customer_data.find_held_data(address))


@bp.post("/customer-data/export")
@admin_required
def customer_data_export():
    typed, address, error = _address_or_error()
    if error:
        return _page(typed, error=error, status=422)
    held = customer_data.find_held_data(address)
    body = json.dumps(customer_data.export_held_data(held), ensure_ascii=False, indent=2)
    customer_data.record_export(held)
    db.session.commit()
    filename = f"customer-data-{customer_data.customer_label(address).split()[-1]}.json"
    reply = HttpResponse(body.encode("utf-8"), mimetype="application/json; charset=utf-8")
    reply.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    reply.headers["Cache-Control"] = "no-store"
    return reply


@bp.post("/customer-data/erase")
@admin_required
def customer_data_erase_check():
    """The second screen: exactly what erasing will do, with the counts, and one button."""
    typed, address, error = _address_or_error()
    if error:
        return _page(typed, error=error, status=422)
    held = customer_data.find_held_data(address)
    if held.empty:
        return _page(typed, held)
    return render_template(
        "admin/customer_data_erase.html", typed=typed, held=held, counts=held.counts()
    )


@bp.post("/customer-data/erase/confirm")
@admin_required
def customer_data_erase():
    typed, address, error = _address_or_error()
    if error:
        return _page(typed, error=error, status=422)
    held = customer_data.find_held_data(address)
    if held.empty:
        flash(_("Nothing is held for this address: there was nothing to erase."), "info")
        return redirect(url_for("admin.customer_data_search"), code=303)
    erasure = customer_data.erase_held_data(held, current_user._get_current_object())
    db.session.commit()
    erasure.after_commit()
    counts = erasure.counts
    flash(
        _(
            "The customer's personal data was erased: %(responses)d responses, %(tickets)d "
            "tickets, %(files)d files, %(emails)d e-mails. Scores and ticket numbers stay "
            "in the reports.",
            responses=counts["responses"],
            tickets=counts["tickets"],
            files=counts["files"],
            emails=counts["emails_sent"] + counts["emails_received"],
        ),
        "success",
    )
    return redirect(url_for("admin.customer_data_search"), code=303)


@bp.post("/customer-data/retention")
@admin_required
def customer_data_retention():
    """Set how long customers' personal data is kept (empty: until they ask)."""
    typed = (request.form.get("months") or "").strip()[:20]
    try:
        months = retention.parse_months(typed)
    except retention.InvalidPeriod:
        error = _(
            "Please type a whole number of months from %(min)d to %(max)d, or leave the box "
            "empty to keep the data until a customer asks.",
            min=retention.MIN_MONTHS,
            max=retention.MAX_MONTHS,
        )
        return _page(retention_form=_retention(typed, error), status=422)
    if retention.change_retention(months, current_user._get_current_object()):
        db.session.commit()
    if months is None:
        flash(
            _("Data retention is off: personal data is kept until a customer asks to erase it."),
            "success",
        )
    else:
        flash(
            ngettext(
                "Data retention is on: a daily job erases customers' personal data %(num)d "
                "month after their last activity.",
                "Data retention is on: a daily job erases customers' personal data %(num)d "
                "months after their last activity.",
                months,
            ),
            "success",
        )
    return redirect(url_for("admin.customer_data_search", _anchor="retention"), code=303)
