"""Admin pages for webhooks: list, create/edit, secret, test ping, delivery log (admins only)."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from webapp.admin import bp
from webapp.admin.webhook_forms import WebhookForm
from webapp.extensions import db
from webapp.htmx_responses import render_page_or_partial
from webapp.models import DeliveryStatus, Webhook, WebhookDelivery
from webapp.security import admin_required
from webapp.services import audit, webhooks
from webapp.services.webhooks import delivery_error_text, disabled_reason_text
from workflow.registry import EVENTS

DELIVERY_PAGE_SIZE = 50
MAX_PAGE = 100_000  # a bigger offset overflows PostgreSQL's bigint: no 500 on a silly link
_DELIVERY_STATUS_LABELS = {
    DeliveryStatus.PENDING: _l("Waiting"),
    DeliveryStatus.QUEUED: _l("Queued"),
    DeliveryStatus.SENDING: _l("Sending"),
    DeliveryStatus.DELIVERED: _l("Delivered"),
    DeliveryStatus.RETRYING: _l("Will retry"),
    DeliveryStatus.FAILED: _l("Failed"),
}


def delivery_status_label(status: str) -> str:
    return str(_DELIVERY_STATUS_LABELS.get(status, status))


def _audited(webhook: Webhook) -> dict:
    return audit.snapshot(webhook, ("name", "url", "events", "active"))


def _webhook_or_404(webhook_id: int) -> Webhook:
    return db.get_or_404(Webhook, webhook_id)


def _form_page(form: WebhookForm, webhook: Webhook | None, status: int = 200):
    response = make_response(
        render_template(
            "admin/webhook_form.html",
            form=form,
            webhook=webhook,
            disabled_reason_text=disabled_reason_text,
        )
    )
    response.status_code = status
    return response


# The webhook whose secret the next view of its secret page shows: set by the POST that made
# the secret, taken by the GET it redirects to, so a reload neither repeats the POST nor shows
# the secret again. Only the id is kept (sessions are signed cookies, readable by the browser).
_SECRET_TO_SHOW = "webhook_secret_to_show"  # noqa: S105  (a session key)


def _show_secret_once(webhook: Webhook, created: bool):
    session[_SECRET_TO_SHOW] = {"id": webhook.id, "created": created}
    return redirect(url_for("admin.webhook_secret", webhook_id=webhook.id), code=303)


@bp.get("/webhooks")
@admin_required
def webhook_list():
    hooks = db.session.scalars(select(Webhook).order_by(Webhook.name, Webhook.id)).all()
    return render_template(
        "admin/webhooks.html",
        webhooks=hooks,
        last_deliveries=webhooks.last_deliveries(hook.id for hook in hooks),
        delivery_status_label=delivery_status_label,
        disabled_reason_text=disabled_reason_text,
    )


@bp.get("/webhooks/new")
@admin_required
def new_webhook():
    return _form_page(WebhookForm(formdata=None), None)


@bp.post("/webhooks")
@admin_required
def create_webhook():
    form = WebhookForm()
    if not form.validate_on_submit():
        return _form_page(form, None, 422)
    try:
        webhook = webhooks.create_webhook(
            form.name.data, form.url.data, form.chosen_events(), current_user
        )
    except webhooks.WebhookRefused:
        form.name.errors = [_("Check the name, the URL and the events.")]
        return _form_page(form, None, 422)
    db.session.flush()
    audit.record("webhook.created", webhook, webhook.name, after=_audited(webhook))
    db.session.commit()
    flash(_("The webhook “%(name)s” was created.", name=webhook.name), "success")
    return _show_secret_once(webhook, created=True)


@bp.get("/webhooks/<int:webhook_id>")
@admin_required
def edit_webhook(webhook_id: int):
    webhook = _webhook_or_404(webhook_id)
    form = WebhookForm(formdata=None, name=webhook.name, url=webhook.url)
    form.events.data = [e for e in webhook.events or [] if e in EVENTS]
    form.custom_events.data = "\n".join(e for e in webhook.events or [] if e not in EVENTS)
    return _form_page(form, webhook)


@bp.post("/webhooks/<int:webhook_id>")
@admin_required
def update_webhook(webhook_id: int):
    webhook = _webhook_or_404(webhook_id)
    form = WebhookForm()
    if not form.validate_on_submit():
        return _form_page(form, webhook, 422)
    before = _audited(webhook)
    try:
        webhooks.update_webhook(webhook, form.name.data, form.url.data, form.chosen_events())
    except webhooks.WebhookRefused:
        db.session.rollback()
        form.name.errors = [_("Check the name, the URL and the events.")]
        return _form_page(form, webhook, 422)
    after = _audited(webhook)
    if after != before:
        audit.record("webhook.updated", webhook, webhook.name, before=before, after=after)
    db.session.commit()
    flash(_("The webhook “%(name)s” was saved.", name=webhook.name), "success")
    return redirect(url_for("admin.webhook_list"), code=303)


@bp.post("/webhooks/<int:webhook_id>/delete")
@admin_required
def delete_webhook(webhook_id: int):
    webhook = _webhook_or_404(webhook_id)
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm that the webhook should be deleted."), "error")
        return redirect(url_for("admin.edit_webhook", webhook_id=webhook.id), code=303)
    name = webhook.name
    audit.record("webhook.deleted", webhook, name, before=_audited(webhook))
    webhooks.delete_webhook(webhook)
    db.session.commit()
    flash(_("The webhook “%(name)s” and its delivery log were deleted.", name=name), "info")
    return redirect(url_for("admin.webhook_list"), code=303)


@bp.post("/webhooks/<int:webhook_id>/enable")
@admin_required
def enable_webhook(webhook_id: int):
    webhook = _webhook_or_404(webhook_id)
    before = _audited(webhook)
    webhooks.enable(webhook)
    audit.record("webhook.enabled", webhook, webhook.name, before=before, after=_audited(webhook))
    db.session.commit()
    flash(_("The webhook “%(name)s” is on again.", name=webhook.name), "success")
    return redirect(url_for("admin.webhook_list"), code=303)


@bp.post("/webhooks/<int:webhook_id>/secret")
@admin_required
def rotate_webhook_secret(webhook_id: int):
    webhook = _webhook_or_404(webhook_id)
    webhooks.rotate_secret(webhook)
    audit.record("webhook.secret_rotated", webhook, webhook.name)
    db.session.commit()
    return _show_secret_once(webhook, created=False)


@bp.get("/webhooks/<int:webhook_id>/secret")
@admin_required
def webhook_secret(webhook_id: int):
    """The secret just made, shown this once: never cached; a second view gets the webhook."""
    webhook = _webhook_or_404(webhook_id)
    to_show = session.get(_SECRET_TO_SHOW)
    if not isinstance(to_show, dict) or to_show.get("id") != webhook.id:
        flash(
            _(
                "A webhook's secret is shown only once, when it is made. If it was not copied, "
                "make a new secret."
            ),
            "info",
        )
        return redirect(url_for("admin.edit_webhook", webhook_id=webhook.id), code=303)
    session.pop(_SECRET_TO_SHOW)
    response = make_response(
        render_template(
            "admin/webhook_secret.html", webhook=webhook, created=bool(to_show.get("created"))
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/webhooks/<int:webhook_id>/ping")
@admin_required
def ping_webhook(webhook_id: int):
    webhook = _webhook_or_404(webhook_id)
    if not webhook.active:
        flash(_("Switch the webhook on before sending it a test."), "error")
    else:
        webhooks.send_ping(webhook)
        db.session.commit()
        flash(_("A test ping was sent. Its result appears below."), "success")
    return redirect(url_for("admin.webhook_deliveries", webhook_id=webhook.id), code=303)


@bp.get("/webhooks/<int:webhook_id>/deliveries")
@admin_required
def webhook_deliveries(webhook_id: int):
    webhook = _webhook_or_404(webhook_id)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    rows, has_more = webhooks.deliveries_page(webhook, page, DELIVERY_PAGE_SIZE)
    return render_page_or_partial(
        "admin/webhook_deliveries.html",
        "admin/_webhook_delivery_rows.html",
        webhook=webhook,
        deliveries=rows,
        has_more=has_more,
        page=page,
        **_row_helpers(),
    )


@bp.post("/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/retry")
@admin_required
def retry_webhook_delivery(webhook_id: int, delivery_id: int):
    """Send a failed or waiting delivery now, through the job queue (in-process without Redis).

    An htmx request gets the delivery's row back, with the message as a toast.
    """
    delivery = db.get_or_404(WebhookDelivery, delivery_id)
    if delivery.webhook_id != webhook_id:
        abort(404)
    before = {"status": delivery.status, "attempts": delivery.attempts}
    if webhooks.retry_delivery(delivery):
        label = f"{delivery.webhook.name}: {delivery.event}"
        after = {"status": DeliveryStatus.PENDING.value}
        if delivery.attempts != before["attempts"]:
            after["attempts"] = delivery.attempts
        audit.record(
            "webhook.delivery_retried", delivery.webhook, label, before=before, after=after
        )
        db.session.commit()
        webhooks.relay_deliveries([delivery.id])
        if before["status"] == DeliveryStatus.FAILED:
            flash(
                _(
                    "The delivery was queued again, with a fresh set of automatic retries; "
                    "its result appears in the log."
                ),
                "success",
            )
        else:
            flash(_("The delivery was queued again; its result appears in the log."), "success")
    elif not delivery.webhook.active:
        db.session.rollback()
        flash(_("Switch the webhook on before sending a delivery again."), "error")
    else:
        db.session.rollback()
        flash(_("This delivery is already queued, being sent or delivered."), "info")
    if not request.htmx:
        return redirect(url_for("admin.webhook_deliveries", webhook_id=webhook_id), code=303)
    db.session.expire_all()
    delivery = db.session.get(WebhookDelivery, delivery_id)
    return render_template(
        "admin/_webhook_delivery_row.html", webhook=delivery.webhook, d=delivery, **_row_helpers()
    )


def _row_helpers() -> dict:
    return {
        "delivery_status_label": delivery_status_label,
        "delivery_error_text": delivery_error_text,
        "next_attempt_at": webhooks.next_attempt_at,
        "can_retry_now": webhooks.can_retry_now,
        "disabled_reason_text": disabled_reason_text,
    }
