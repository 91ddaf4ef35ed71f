"""A batch of outbox e-mails goes on over the same SMTP connection after the server refused
one of them (its recipient or its content): the session is reset, not reopened. Only when
the server hangs up after refusing does the next message open a new connection. Real SMTP
server, which counts the connections it is given."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.integration import refusing_smtp
from tests.integration.refusing_smtp import BUSY_REPLY, GONE, GONE_REPLY
from webapp.extensions import db
from webapp.models import OutboxMessage, OutboxStatus
from webapp.outbox import queue_email

smtp_server = refusing_smtp.smtp_server
app_config = refusing_smtp.app_config

SPAM_REPLY = "554 5.7.1 Message rejected as spam"


def _batch(*addresses: str) -> list[int]:
    """Outbox rows for `addresses`, committed without handing them to a job: the test sends
    them as one batch, as the job that takes a commit's messages does."""
    context = {"name": "Kim", "inviter": "Ana", "link": "http://loopdesk.test/x"}
    messages = [queue_email(to, "staff_invitation", "en", context) for to in addresses]
    db.session.flush()
    ids = [message.id for message in messages]
    db.session.info.clear()  # not relayed on commit: sent by hand below
    db.session.commit()
    return ids


def _outcomes(ids: list[int]) -> list[tuple[str, str | None]]:
    """Each message's status and recorded error, in the batch's order."""
    db.session.expire_all()
    rows = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.last_error).where(
            OutboxMessage.id.in_(ids)
        )
    )
    found = {row.id: (row.status, row.last_error) for row in rows}
    return [found[i] for i in ids]


def test_refused_messages_do_not_cost_the_batch_a_new_connection(app, smtp_server):
    from jobs.mail import SendFailed, send_outbox_message

    smtp_server.content_refusals["spam@example.com"] = SPAM_REPLY
    smtp_server.replies["busy@example.com"] = [BUSY_REPLY]
    ids = _batch(GONE, "kim@example.com", "spam@example.com", "busy@example.com", "ana@example.com")
    with pytest.raises(SendFailed):  # the busy mailbox is tried again later
        send_outbox_message(*ids)

    assert smtp_server.connections == 1
    assert _outcomes(ids) == [
        (OutboxStatus.FAILED, GONE_REPLY),  # refused for good, recipient
        (OutboxStatus.SENT, None),
        (OutboxStatus.FAILED, SPAM_REPLY),  # refused for good, content
        (OutboxStatus.RETRYING, BUSY_REPLY),  # refused for now
        (OutboxStatus.SENT, None),
    ]
    assert [m["To"] for m in smtp_server.messages] == ["kim@example.com", "ana@example.com"]


def test_a_server_that_hangs_up_after_refusing_gets_a_new_connection(app, smtp_server):
    from jobs.mail import send_outbox_message

    smtp_server.hang_up_after.add(GONE)
    ids = _batch(GONE, "kim@example.com", GONE, "ana@example.com")
    outcome = send_outbox_message(*ids)

    assert outcome.startswith("sent; refused for good: ")  # nothing for RQ to retry
    assert smtp_server.connections == 3  # the first, then one after each hang-up
    assert _outcomes(ids) == [
        (OutboxStatus.FAILED, GONE_REPLY),
        (OutboxStatus.SENT, None),
        (OutboxStatus.FAILED, GONE_REPLY),
        (OutboxStatus.SENT, None),
    ]
    assert [m["To"] for m in smtp_server.messages] == ["kim@example.com", "ana@example.com"]
