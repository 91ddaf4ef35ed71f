"""A form's responses: read them one by one, filter them, take them away as CSV, and open a
ticket for one the form's rule let pass, or for several ticked at once."""

from __future__ import annotations

from flask import Response as HttpResponse
from flask import abort, flash, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from webapp.admin import bp
from webapp.extensions import db
from webapp.htmx_responses import redirect_for_htmx_or_browser, render_page_or_partial
from webapp.models import Form, Response, utcnow
from webapp.record_ids import optional_id
from webapp.security import admin_required
from webapp.services import form_responses
from webapp.services import forms as form_service
from webapp.services.form_responses import ResponseFilters


def _form_and_definition(slug: str):
    form, version_id = form_service.find_form_and_active_version(slug)
    if form is None:
        abort(404)
    return form, form_service.definition_for(version_id) if version_id else None


@bp.get("/forms/<slug>/responses")
@admin_required
def form_responses_page(slug: str):
    form, definition = _form_and_definition(slug)
    filters = ResponseFilters.from_args(request.args, definition)
    before = form_responses.parse_before(request.args.get("before"))
    page = form_responses.response_page(form, filters, definition, before)
    context = {
        "form": form,
        "definition": definition,
        "filters": filters,
        "groups": form_responses.groups_of(definition),
        "page": page,
        "more_url": _more_url(form, filters, page),
    }
    if before is not None:  # "Older responses": only the rows, appended under the others
        return render_page_or_partial(
            "admin/form_responses.html", "admin/_form_response_rows.html", **context
        )
    return render_page_or_partial(
        "admin/form_responses.html", "admin/_form_responses_list.html", **context
    )


def _more_url(form: Form, filters: ResponseFilters, page) -> str | None:
    if not page.has_more:
        return None
    return url_for(
        "admin.form_responses_page", slug=form.slug, before=page.last_id, **filters.as_args()
    )


@bp.get("/forms/<slug>/responses.csv")
@admin_required
def form_responses_csv(slug: str):
    form, definition = _form_and_definition(slug)
    if definition is None:
        abort(404)
    filters = ResponseFilters.from_args(request.args, definition)
    name = f"{form.slug}-responses-{utcnow():%Y-%m-%d}.csv"
    # Streamed a batch of responses at a time, so memory stays flat however many there
    # are; the request context goes along, so answers are worded in the admin's language.
    chunks = form_responses.csv_chunks(form, filters, definition)
    return HttpResponse(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


TICKET_REFUSALS = {
    "has_ticket": _l("This response has a ticket already."),
    "unfinished": _l("Only a completed response can become a ticket."),
    "spam": _l("This response was marked as spam (or its sender is blocked)."),
    "erased": _l("The customer's data was erased: there is nothing left to follow up."),
}


@bp.post("/forms/<slug>/responses/<int:response_id>/ticket")
@admin_required
def open_ticket_for_response(slug: str, response_id: int):
    """Follow up a response the form's rule let pass: a ticket as the rule would have made
    it (routed, on the SLA clock); then the ticket's page."""
    form, _definition = _form_and_definition(slug)
    response = db.session.get(Response, response_id)
    if response is None or response.form_id != form.id:
        abort(404)
    try:
        ticket = form_service.open_ticket_for(
            response, current_user, tell_customer=request.form.get("tell_customer") == "1"
        )
        db.session.commit()
    except form_service.TicketRefused as refusal:
        db.session.rollback()
        flash(str(TICKET_REFUSALS[refusal.code]), "error")
        return redirect_for_htmx_or_browser(
            url_for("admin.form_responses_page", slug=slug) + f"#response-{response_id}"
        )
    message = _("%(number)s was opened from this response.", number=ticket.number)
    if request.form.get("tell_customer") == "1" and ticket.customer_email:
        message += " " + _("The customer was told by e-mail.")
    flash(message, "success")
    return redirect_for_htmx_or_browser(url_for("tickets.show", number=ticket.number))


def _skipped_message(code: str, count: int, existing: list[str]) -> str:
    if code == "has_ticket":
        return ngettext(
            "%(num)d response was skipped: it has a ticket already (%(numbers)s).",
            "%(num)d responses were skipped: they have a ticket already (%(numbers)s).",
            count,
            numbers=", ".join(existing),
        )
    if code == "unfinished":
        return ngettext(
            "%(num)d response was skipped: only a completed response can become a ticket.",
            "%(num)d responses were skipped: only a completed response can become a ticket.",
            count,
        )
    if code == "spam":
        return ngettext(
            "%(num)d response was skipped: it was marked as spam (or its sender is blocked).",
            "%(num)d responses were skipped: they were marked as spam (or their senders are "
            "blocked).",
            count,
        )
    return ngettext(
        "%(num)d response was skipped: the customer's data was erased.",
        "%(num)d responses were skipped: the customers' data was erased.",
        count,
    )


@bp.post("/forms/<slug>/responses/tickets")
@admin_required
def open_tickets_for_responses(slug: str):
    """Follow up several ticked responses in one step: a ticket for each, as for one (routed,
    on the SLA clock, each committed on its own); those that cannot have one are skipped and
    the admin is told which and why. Back to the responses, under the same filters."""
    form, definition = _form_and_definition(slug)
    filters = ResponseFilters.from_args(request.form, definition)
    back = url_for("admin.form_responses_page", slug=slug, **filters.as_args())
    ids = {i for i in map(optional_id, request.form.getlist("response")) if i is not None}
    if not ids:
        flash(_("Tick the responses to open tickets for."), "warning")
        return redirect_for_htmx_or_browser(back)
    if len(ids) > form_service.MAX_TICKETS_AT_ONCE:
        flash(
            ngettext(
                "At most %(num)d response at a time: tick fewer.",
                "At most %(num)d responses at a time: tick fewer.",
                form_service.MAX_TICKETS_AT_ONCE,
            ),
            "warning",
        )
        return redirect_for_htmx_or_browser(back)
    done = form_service.open_tickets_for(
        form, sorted(ids), current_user, tell_customer=request.form.get("tell_customer") == "1"
    )
    if done.opened:
        message = ngettext(
            "%(num)d ticket was opened: %(numbers)s.",
            "%(num)d tickets were opened: %(numbers)s.",
            len(done.opened),
            numbers=", ".join(done.opened),
        )
        if done.told:
            message += " " + ngettext(
                "%(num)d customer was told by e-mail.",
                "%(num)d customers were told by e-mail.",
                done.told,
            )
        flash(message, "success")
    for code, skipped in done.skipped.items():
        flash(_skipped_message(code, len(skipped), done.existing), "warning")
    if not done.opened and not done.skipped:  # none of them this form's (an old page)
        flash(_("Tick the responses to open tickets for."), "warning")
    return redirect_for_htmx_or_browser(back)
