"""The IMAP job reads replies from a real (tiny, local) IMAP server: it marks them seen, or
moves them to a folder of their own."""

from __future__ import annotations

import html
import re
import socketserver
import threading

import pytest
from sqlalchemy import select

from tests.helpers import make_ticket, text_of
from webapp.extensions import db
from webapp.models import InboundEmail, TicketEvent
from webapp.services.reply_addresses import customer_reply_address


class FakeImap(socketserver.StreamRequestHandler):
    """Just the IMAP4rev1 that imaplib's login, select, UID search/fetch/store/copy/move,
    create, expunge and logout use."""

    mailbox: dict[int, dict] = {}  # uid -> {"raw": bytes, "seen": bool, "deleted": bool}
    folders: dict[str, list[bytes]] = {}  # other folders: the messages moved there
    capabilities = b"IMAP4rev1"
    expunged_all = False  # a plain EXPUNGE (not UID EXPUNGE) ran
    refuse_create = False  # a server (or an account) that may not make folders
    refuse_store = False  # an account that may not change flags
    uidvalidity = 1
    fetched: list[int] = []  # the UIDs whose body was fetched, in order

    def reply(self, *lines: bytes) -> None:
        self.wfile.write(b"".join(line + b"\r\n" for line in lines))

    def handle(self) -> None:
        cls = type(self)
        self.reply(b"* OK fake IMAP4rev1 ready")
        for line in self.rfile:
            tag, command, *rest = line.decode().strip().split(" ", 2) + [""]
            args, ok = rest[0], tag.encode() + b" OK done"
            verb = args.split(" ", 1)[0] if command == "UID" else command
            uids = (
                {int(u) for u in args.split()[1].split(",")}
                if command == "UID" and verb != "SEARCH"
                else set()
            )
            uid = min(uids, default=None)
            if command == "CAPABILITY":
                self.reply(b"* CAPABILITY " + cls.capabilities, ok)
            elif command == "SELECT":
                self.reply(
                    b"* %d EXISTS" % len(cls.mailbox),
                    b"* OK [UIDVALIDITY %d] UIDs valid" % cls.uidvalidity,
                    ok,
                )
            elif command == "CREATE":
                name = args.strip('"')
                if name in cls.folders or cls.refuse_create:
                    self.reply(tag.encode() + b" NO [ALREADYEXISTS] exists")
                else:
                    cls.folders[name] = []
                    self.reply(ok)
            elif verb == "SEARCH":
                wanted = "deleted" if "UNDELETED" in args else "seen"
                found = [u for u, m in cls.mailbox.items() if not m.get(wanted)]
                self.reply(b"* SEARCH " + b" ".join(b"%d" % u for u in found), ok)
            elif verb == "FETCH":
                cls.fetched.append(uid)
                raw = cls.mailbox[uid]["raw"]
                self.reply(b"* 1 FETCH (UID %d BODY[] {%d}\r\n" % (uid, len(raw)) + raw + b")", ok)
            elif verb == "STORE" and cls.refuse_store:
                self.reply(tag.encode() + b" NO [NOPERM] flags are read-only here")
            elif verb == "STORE":
                cls.mailbox[uid]["seen"] = "\\Seen" in args
                cls.mailbox[uid]["deleted"] = "\\Deleted" in args
                self.reply(ok)
            elif verb in ("COPY", "MOVE"):
                folder = args.split(" ", 2)[2].strip('"')
                if folder not in cls.folders or (
                    verb == "MOVE" and b"MOVE" not in cls.capabilities
                ):
                    self.reply(tag.encode() + b" NO no such folder")
                    continue
                cls.folders[folder].append(cls.mailbox[uid]["raw"])
                if verb == "MOVE":
                    del cls.mailbox[uid]
                self.reply(ok)
            elif verb == "EXPUNGE":
                if command == "EXPUNGE":
                    cls.expunged_all = True
                keep = set(cls.mailbox) if command == "EXPUNGE" else uids
                for gone in [u for u, m in cls.mailbox.items() if m.get("deleted") and u in keep]:
                    del cls.mailbox[gone]
                self.reply(ok)
            elif command == "LOGOUT":
                self.reply(b"* BYE", ok)
                return
            else:  # LOGIN and anything else
                self.reply(ok)


@pytest.fixture(autouse=True)
def fresh_server_state():
    FakeImap.refuse_create = FakeImap.refuse_store = False
    FakeImap.uidvalidity, FakeImap.fetched = 1, []
    yield
    FakeImap.refuse_create = FakeImap.refuse_store = False


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


def _two_replies(ticket) -> dict[int, dict]:
    to = customer_reply_address(ticket)
    return {
        uid: {
            "raw": f"From: jan@example.pl\r\nTo: {to}\r\nMessage-ID: <{uid}@pl>\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\nOdpowiedź {uid}.\r\n".encode(),
            "seen": seen,
        }
        for uid, seen in ((3, True), (4, False))
    }


@pytest.mark.parametrize("capabilities", [b"IMAP4rev1 MOVE", b"IMAP4rev1 UIDPLUS", b"IMAP4rev1"])
def test_with_a_done_folder_every_reply_is_read_and_moved_there(app, builtin_forms, capabilities):
    """A colleague who opened a reply in their mail client first (3 is seen) hides nothing;
    the mailbox is left empty, the replies wait in the folder (MOVE, or copy and delete)."""
    from jobs.schedule import poll_reply_mailbox

    app.config["LOOPDESK_IMAP_DONE_FOLDER"] = "Loopdesk/Done"
    ticket = make_ticket()
    other = {"raw": b"From: x@example.com\r\n\r\nsomeone else's\r\n", "deleted": True}
    FakeImap.mailbox = {**_two_replies(ticket), 8: other}  # 8: deleted by a person, not ours
    FakeImap.folders, FakeImap.capabilities, FakeImap.expunged_all = {}, capabilities, False
    assert poll_reply_mailbox() == 2
    texts = [e.data["text"] for e in ticket.events if e.kind == "customer_reply"]
    assert sorted(texts) == ["Odpowiedź 3.", "Odpowiedź 4."]
    assert len(FakeImap.folders["Loopdesk/Done"]) == 2  # created, then filled
    if capabilities == b"IMAP4rev1":  # no UID EXPUNGE: the whole mailbox is expunged
        assert FakeImap.expunged_all and FakeImap.mailbox == {}
    else:  # only what was moved leaves; a person's deleted message stays theirs
        assert not FakeImap.expunged_all and list(FakeImap.mailbox) == [8]
    assert poll_reply_mailbox() == 0  # the folder exists now; nothing left to read


def test_a_folder_the_server_refuses_leaves_the_reply_seen_where_it_was(app, builtin_forms):
    from jobs.schedule import poll_reply_mailbox

    app.config["LOOPDESK_IMAP_DONE_FOLDER"] = "Loopdesk/Done"
    ticket = make_ticket()
    FakeImap.mailbox = _two_replies(ticket)
    FakeImap.folders, FakeImap.capabilities, FakeImap.refuse_create = {}, b"IMAP4rev1 MOVE", True
    try:
        assert poll_reply_mailbox() == 2
    finally:
        FakeImap.refuse_create = False
    assert sorted(FakeImap.mailbox) == [3, 4]  # kept where they were, marked seen
    assert all(m["seen"] for m in FakeImap.mailbox.values())
    assert len([e for e in ticket.events if e.kind == "customer_reply"]) == 2


def _received_page(client, login, reader) -> str:
    login(reader)
    return html.unescape(text_of(client.get("/admin/mail/received")))


def test_a_reply_the_server_will_not_move_is_not_fetched_again_and_admins_are_told_once(
    app, builtin_forms, client, login, create_user
):
    """The reply stays in the mailbox: the next polls leave it there without fetching it
    (each minute, forever, before), read only what is new, and the Received mail page says
    it once until someone moves the replies away."""
    from jobs.schedule import poll_reply_mailbox

    app.config["LOOPDESK_IMAP_DONE_FOLDER"] = "Loopdesk/Done"
    ticket = make_ticket()
    FakeImap.mailbox = _two_replies(ticket)
    FakeImap.folders, FakeImap.capabilities, FakeImap.refuse_create = {}, b"IMAP4rev1 MOVE", True
    assert poll_reply_mailbox() == 2
    assert poll_reply_mailbox() == 0
    assert FakeImap.fetched == [3, 4]  # the second poll fetched nothing

    new = _two_replies(ticket)[4] | {"raw": _two_replies(ticket)[4]["raw"].replace(b"<4@", b"<5@")}
    FakeImap.mailbox[5] = new
    assert poll_reply_mailbox() == 1
    assert FakeImap.fetched == [3, 4, 5]
    assert len([e for e in ticket.events if e.kind == "customer_reply"]) == 3

    reader = create_user(email="reader@example.com", name="Reader", role="admin", locale="en")
    page = _received_page(client, login, reader)
    said = (
        "The mail server refused to move 3 handled replies to the folder “Loopdesk/Done”, "
        "so they stay in the mailbox, marked as read."
    )
    assert page.count(said) == 1
    assert "The server said: NO no such folder" in page
    assert page.count("Replies left in the mailbox") == 1

    del FakeImap.mailbox[3], FakeImap.mailbox[4]  # moved away by hand
    assert poll_reply_mailbox() == 0
    assert "refused to move 1 handled reply to the folder" in _received_page(client, login, reader)
    del FakeImap.mailbox[5]
    assert poll_reply_mailbox() == 0
    assert "Replies left in the mailbox" not in _received_page(client, login, reader)


def test_a_new_uidvalidity_means_other_messages_and_they_are_read_again(app, builtin_forms):
    """The server renumbered the mailbox: the UIDs remembered no longer name those replies,
    so they are read (and found recorded already: nothing is added twice)."""
    from jobs.schedule import poll_reply_mailbox

    app.config["LOOPDESK_IMAP_DONE_FOLDER"] = "Loopdesk/Done"
    ticket = make_ticket()
    FakeImap.mailbox = _two_replies(ticket)
    FakeImap.folders, FakeImap.capabilities, FakeImap.refuse_create = {}, b"IMAP4rev1 MOVE", True
    assert poll_reply_mailbox() == 2
    FakeImap.uidvalidity = 2
    FakeImap.refuse_create = False  # and the folder may be made now
    assert poll_reply_mailbox() == 2
    assert FakeImap.fetched == [3, 4, 3, 4]
    assert FakeImap.mailbox == {} and len(FakeImap.folders["Loopdesk/Done"]) == 2
    assert len([e for e in ticket.events if e.kind == "customer_reply"]) == 2


@pytest.mark.parametrize(
    ("locale", "said", "server"),
    [
        (
            "en",
            "The mail server refused to mark 1 handled reply as read, so it stays in the "
            "mailbox, unread.",
            "The server said: NO [NOPERM] flags are read-only here",
        ),
        (
            "pl",
            "Serwer poczty odmówił oznaczenia 1 obsłużonej odpowiedzi jako przeczytanej, więc "
            "pozostaje ona w skrzynce jako nieprzeczytana.",
            "Serwer odpowiedział: NO [NOPERM] flags are read-only here",
        ),
        (
            "ru",
            "Почтовый сервер отказался отметить 1 обработанный ответ как прочитанный, поэтому "
            "он остаётся в ящике непрочитанным.",
            "Сервер ответил: NO [NOPERM] flags are read-only here",
        ),
        (
            "sl",
            "Poštni strežnik je zavrnil označitev 1 obdelanega odgovora kot prebranega, zato "
            "ostaja v nabiralniku neprebran.",
            "Strežnik je odgovoril: NO [NOPERM] flags are read-only here",
        ),
    ],
)
def test_a_reply_that_may_not_be_marked_seen_is_left_unread_and_said_so(
    app, builtin_forms, client, login, create_user, locale, said, server
):
    from jobs.schedule import poll_reply_mailbox

    ticket = make_ticket()
    FakeImap.mailbox = {4: _two_replies(ticket)[4]}
    FakeImap.refuse_store = True
    assert poll_reply_mailbox() == 1
    assert poll_reply_mailbox() == 0
    assert FakeImap.fetched == [4] and not FakeImap.mailbox[4]["seen"]
    reader = create_user(email="reader@example.com", name="Reader", role="admin", locale=locale)
    page = _received_page(client, login, reader)
    assert page.count(said) == 1
    assert server in page

    FakeImap.mailbox[4]["seen"] = True  # marked read by hand
    assert poll_reply_mailbox() == 0
    assert said not in _received_page(client, login, reader)


def test_the_sent_mail_page_leads_to_the_replies_left_in_the_mailbox(
    app, builtin_forms, client, login, create_user
):
    from jobs.schedule import poll_reply_mailbox

    reader = create_user(email="reader@example.com", name="Reader", role="admin", locale="pl")
    login(reader)
    before = html.unescape(text_of(client.get("/admin/mail")))
    assert "Odebrana poczta: odpowiedzi klientów e-mailem" in before
    app.config["LOOPDESK_IMAP_DONE_FOLDER"] = "Loopdesk/Done"
    FakeImap.mailbox = _two_replies(make_ticket())
    FakeImap.folders, FakeImap.capabilities, FakeImap.refuse_create = {}, b"IMAP4rev1 MOVE", True
    assert poll_reply_mailbox() == 2
    page = html.unescape(text_of(client.get("/admin/mail")))
    assert "Odebrana poczta: 2 odpowiedzi pozostały w skrzynce IMAP" in page
