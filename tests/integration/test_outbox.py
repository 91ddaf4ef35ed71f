"""The outbox: a change and its e-mail are committed together, and admins can read every message."""

import pytest
from sqlalchemy import func, select

from tests.helpers import text_of
from webapp.extensions import db
from webapp.models import OutboxMessage, OutboxStatus, User, utcnow
from webapp.outbox import queue_email
from webapp.people import create_staff_member


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_account_and_invitation_commit_together(app, run_jobs):
    create_staff_member(email="new@example.com", name="New Agent", locale="pl")
    db.session.commit()
    run_jobs()
    message = db.session.scalar(select(OutboxMessage))
    assert _count(User) == 1
    assert message.to_address == "new@example.com"
    assert message.subject == "Zaproszenie do Loopdesku"


def test_rolled_back_change_leaves_no_email_behind(app):
    create_staff_member(email="new@example.com", name="New Agent")
    db.session.rollback()
    assert _count(User) == 0
    assert _count(OutboxMessage) == 0


def test_failed_commit_writes_neither_the_change_nor_the_email(app, create_user):
    create_user(email="taken@example.com")
    db.session.add(User(email="taken@example.com", name="Dup", password_hash="x"))
    queue_email(
        "taken@example.com",
        "staff_invitation",
        "en",
        {"name": "Dup", "inviter": "X", "link": "http://x"},
    )
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        db.session.commit()
    db.session.rollback()
    assert _count(User) == 1
    assert _count(OutboxMessage) == 0


def test_same_message_key_is_written_once(app):
    context = {"name": "A", "inviter": "B", "link": "http://x"}
    queue_email("a@example.com", "staff_invitation", "en", context, message_key="k1")
    db.session.commit()
    queue_email("a@example.com", "staff_invitation", "en", context, message_key="k1")
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        db.session.commit()
    db.session.rollback()
    assert _count(OutboxMessage) == 1


def test_without_smtp_messages_are_kept_for_the_sent_mail_page(client, login, admin, run_jobs):
    create_staff_member(email="new@example.com", name="Nina <b>New</b>", locale="en")
    db.session.commit()
    run_jobs()
    message = db.session.scalar(select(OutboxMessage))
    db.session.refresh(message)
    assert message.status == OutboxStatus.NOT_SENT
    login(admin)
    listing = client.get("/admin/mail")
    assert "new@example.com" in text_of(listing)
    assert "Not sent (no SMTP server)" in text_of(listing)
    detail = client.get(f"/admin/mail/{message.id}")
    html = detail.get_data(as_text=True)
    assert "You have been invited to Loopdesk" in text_of(detail)
    # The name is escaped in the e-mail and again in the preview's srcdoc.
    assert "<b>New</b>" not in html
    assert "Set my password" in html


def test_sent_mail_page_filters_by_status(client, login, admin, run_jobs):
    create_staff_member(email="one@example.com", name="One")
    db.session.commit()
    run_jobs()
    login(admin)
    assert "one@example.com" in text_of(client.get("/admin/mail?status=not_sent"))
    assert "one@example.com" not in text_of(client.get("/admin/mail?status=sent"))
    fragment = client.get("/admin/mail?status=not_sent", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]
    assert client.get("/admin/mail?status=<script>").status_code == 200
    assert client.get("/admin/mail?page=" + "9" * 40).status_code == 200  # no overflow


def test_a_savepoint_inside_the_transaction_does_not_relay_early(app):
    """Releasing a savepoint is not a commit: the message waits for the real one."""
    context = {"name": "A", "inviter": "B", "link": "http://x"}
    message = queue_email("a@example.com", "staff_invitation", "en", context)
    db.session.flush()
    with db.session.begin_nested():  # e.g. installing the default workflow on first use
        pass
    assert db.session.info.get("loopdesk_outbox_new_ids") == {message.id}
    db.session.commit()
    db.session.refresh(message)
    assert message.status != OutboxStatus.PENDING  # relayed once the transaction committed


def test_a_hand_over_lost_with_its_process_is_relayed_later_once(app, run_jobs):
    """Committed as queued, then the process died before enqueueing: the sweep catches it."""
    from datetime import timedelta

    from webapp.outbox import STALE_HANDOVER, relay_pending

    context = {"name": "A", "inviter": "B", "link": "http://x"}
    lost = queue_email("lost@example.com", "staff_invitation", "en", context)
    fresh = queue_email("fresh@example.com", "staff_invitation", "en", context)
    db.session.flush()
    db.session.info.pop("loopdesk_outbox_new_ids")  # as if the process died at the commit
    db.session.commit()
    lost.relayed_at = utcnow() - STALE_HANDOVER - timedelta(minutes=1)
    db.session.commit()
    assert (lost.status, fresh.status) == (OutboxStatus.QUEUED, OutboxStatus.QUEUED)

    assert relay_pending() == 1  # only the old hand-over; the fresh one is still in the queue
    assert relay_pending() == 0
    db.session.refresh(lost)
    assert lost.status != OutboxStatus.PENDING


def test_mail_of_history_written_afterwards_counts_as_delivered_back_then(
    client, login, admin, run_jobs
):
    """The demo's past weeks are written after the fact: their e-mails went out back then,
    so they are neither sent now nor listed as failures; mail written today goes as usual."""
    from datetime import timedelta

    from webapp.models.types import clock_at
    from webapp.outbox import delivered_as_written, relay_pending

    then = utcnow().replace(microsecond=0) - timedelta(days=20)
    context = {"name": "A", "inviter": "B", "link": "http://x"}
    new = queue_email("new@example.com", "staff_invitation", "en", context)
    db.session.commit()
    with delivered_as_written(), clock_at(then):  # written after today's, as the demo does
        old = queue_email("old@example.com", "staff_invitation", "en", context)
        db.session.commit()
    run_jobs()
    assert relay_pending() == 0  # nothing of the past waits to be handed over
    db.session.refresh(old)
    db.session.refresh(new)
    assert (old.status, old.created_at, old.sent_at, old.attempts) == (
        OutboxStatus.SENT,
        then,
        then,
        1,
    )
    assert new.status == OutboxStatus.NOT_SENT
    login(admin)
    listing = text_of(client.get("/admin/mail"))
    assert listing.index("new@example.com") < listing.index("old@example.com")  # newest first
    assert "old@example.com" in text_of(client.get("/admin/mail?status=sent"))
    assert "old@example.com" not in text_of(client.get("/admin/mail?status=not_sent"))
    assert "Sent" in text_of(client.get(f"/admin/mail/{old.id}"))
