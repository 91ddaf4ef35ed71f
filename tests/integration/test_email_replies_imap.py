"""The IMAP job reads unseen replies from a real (tiny, local) IMAP server and marks them seen."""

from __future__ import annotations

import re
import socketserver
import threading

import pytest
from sqlalchemy import select

from tests.helpers import make_ticket
from webapp.extensions import db
from webapp.models import InboundEmail, TicketEvent
from webapp.services.reply_addresses import customer_reply_address


class FakeImap(socketserver.StreamRequestHandler):
    """Just the IMAP4rev1 that imaplib's login, select, UID search/fetch/store and logout use."""

    mailbox: dict[int, dict] = {}  # uid -> {"raw": bytes, "seen": bool}

    def reply(self, *lines: bytes) -> None:
        self.wfile.write(b"".join(line + b"\r\n" for line in lines))

    def handle(self) -> None:
        self.reply(b"* OK fake IMAP4rev1 ready")
        for line in self.rfile:
            tag, command, *rest = line.decode().strip().split(" ", 2) + [""]
            args, ok = rest[0], tag.encode() + b" OK done"
            if command == "CAPABILITY":
                self.reply(b"* CAPABILITY IMAP4rev1", ok)
            elif command == "SELECT":
                self.reply(b"* %d EXISTS" % len(self.mailbox), ok)
            elif command == "UID" and args.startswith("SEARCH"):
                unseen = b" ".join(b"%d" % u for u, m in self.mailbox.items() if not m["seen"])
                self.reply(b"* SEARCH " + unseen, ok)
            elif command == "UID" and args.startswith("FETCH"):
                uid = int(args.split()[1])
                raw = self.mailbox[uid]["raw"]
                self.reply(b"* 1 FETCH (UID %d BODY[] {%d}\r\n" % (uid, len(raw)) + raw + b")", ok)
            elif command == "UID" and args.startswith("STORE"):
                self.mailbox[int(args.split()[1])]["seen"] = "\\Seen" in args
                self.reply(ok)
            elif command == "LOGOUT":
                self.reply(b"* BYE", ok)
                return
            else:  # LOGIN and anything else
                self.reply(ok)


@pytest.fixture
def imap_url():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), FakeImap)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"imap://loopdesk:s%40cret@127.0.0.1:{server.server_address[1]}/INBOX"
    server.shutdown()
    server.server_close()


@pytest.fixture
def app_config(imap_url) -> dict:
    return {"LOOPDESK_REPLY_ADDRESS": "support@example.com", "LOOPDESK_IMAP_URL": imap_url}


def test_the_periodic_job_adds_unseen_replies_and_marks_them_seen(app, builtin_forms):
    from jobs.schedule import poll_reply_mailbox

    ticket = make_ticket()
    to = customer_reply_address(ticket)
    FakeImap.mailbox = {
        7: {
            "raw": f"From: jan@example.pl\r\nTo: {to}\r\nMessage-ID: <a@pl>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "Dzień dobry, numer 12345.\r\n".encode(),
            "seen": False,
        },
        9: {
            "raw": f"From: bot@example.com\r\nTo: {to}\r\nAuto-Submitted: auto-replied\r\n"
            "Message-ID: <b@pl>\r\n\r\nI am away.\r\n".encode(),
            "seen": False,
        },
    }
    assert poll_reply_mailbox() == 2
    assert all(message["seen"] for message in FakeImap.mailbox.values())
    reply = db.session.scalar(select(TicketEvent).where(TicketEvent.kind == "customer_reply"))
    assert reply.data["text"] == "Dzień dobry, numer 12345."
    outcomes = dict(db.session.execute(select(InboundEmail.message_id, InboundEmail.outcome)).all())
    assert outcomes == {"<a@pl>": "added", "<b@pl>": "auto_reply"}
    assert {row.via for row in db.session.scalars(select(InboundEmail))} == {"imap"}
    assert poll_reply_mailbox() == 0  # nothing unseen is left
    assert re.fullmatch(r"support\+\d+-[0-9a-f]{20}@example\.com", to)
