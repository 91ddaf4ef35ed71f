"""A real SMTP server that refuses: 550 for a mailbox that is gone (for good, every try), and
whatever replies a test queues per address. For the mail-refusal, delivery-mark and
sent-again tests, which import its fixtures (`smtp_server`, `app_config`) by name."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.conftest import RecordingSMTPHandler, running_smtp_server

GONE = "gone@example.com"
# Postfix's words for an unknown mailbox; the address in angle brackets tests the escaping.
GONE_REPLY = "550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown"
BUSY_REPLY = "451 4.2.1 <busy@example.com>: Mailbox busy, try again later"


class RefusingSMTPHandler(RecordingSMTPHandler):
    """Records every RCPT TO it is given; answers the replies queued for an address first."""

    def __init__(self) -> None:
        super().__init__()
        self.recipients_tried: list[str] = []
        self.replies: dict[str, list[str]] = {}  # address -> replies to give, in turn
        self.content_refusals: dict[str, str] = {}  # address -> reply to its DATA
        self.hang_up_after: set[str] = set()  # addresses whose refusal ends the connection
        self.sessions: list = []  # one per connection that reached RCPT TO

    @property
    def connections(self) -> int:
        """How many connections the client opened (that got as far as a recipient)."""
        return len(self.sessions)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not any(seen is session for seen in self.sessions):
            self.sessions.append(session)
        self.recipients_tried.append(address)
        waiting = self.replies.get(address) or ["250 OK"]
        reply = waiting.pop(0) if len(waiting) > 1 else waiting[0]  # the last one stays
        if reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        elif address in self.hang_up_after:
            # The reply is written first (the hook returns before this runs), then the
            # server hangs up, as some do after refusing.
            asyncio.get_running_loop().call_soon(server.transport.close)
        return reply

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            if address in self.content_refusals:
                return self.content_refusals[address]
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp_server() -> Iterator[RefusingSMTPHandler]:
    """The suite's recording SMTP server, refusing as a test sets; 550 for GONE."""
    handler = RefusingSMTPHandler()
    handler.replies[GONE] = [GONE_REPLY]  # for good: every try gets it
    with running_smtp_server(handler):
        yield handler


@pytest.fixture
def app_config(smtp_config) -> dict:
    return {**smtp_config, "JOB_RETRY_INTERVALS": [0, 0, 0]}  # RQ retries at once, same burst
