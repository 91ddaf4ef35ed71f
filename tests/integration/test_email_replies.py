"""Customers answer by e-mail: "Reply" on our e-mail lands on the ticket, once, and safely.

Real MIME messages as Gmail, Outlook and Thunderbird write them go through the CLI an MTA
pipes to (`flask mail receive`) and through the service the IMAP job uses.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.helpers import make_ticket, text_of
from webapp import create_app
from webapp.extensions import db
from webapp.models import InboundEmail, OutboxMessage, Ticket, TicketEvent
from webapp.services.inbound_mail import receive_email
from webapp.services.replies import send_public_reply
from webapp.services.reply_addresses import customer_reply_address, message_id, reply_key
from webapp.services.tickets import fire


@pytest.fixture
def app_config() -> dict:
    return {"LOOPDESK_REPLY_ADDRESS": "support@example.com"}


@pytest.fixture
def waiting_ticket(builtin_forms) -> Ticket:
    """Jan's ticket, answered by the agent and now waiting on Jan."""
    ticket = make_ticket()
    fire(ticket, "start", ticket.assignee)
    send_public_reply(ticket, "Prosimy o numer zamówienia.", ticket.assignee)
    fire(ticket, "ask_customer", ticket.assignee)
    db.session.commit()
    assert ticket.state == "waiting_on_customer"
    return ticket


SIGNATURE_LINE = "-- "  # the signature separator, trailing space included


def _to(ticket: Ticket) -> str:
    return customer_reply_address(ticket)


def _customer_replies(ticket: Ticket) -> list[TicketEvent]:
    return db.session.scalars(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "customer_reply")
        .order_by(TicketEvent.id)
    ).all()


def _pipe(app, raw: str | bytes):
    data = raw.encode() if isinstance(raw, str) else raw
    return app.test_cli_runner().invoke(args=["mail", "receive"], input=data)


def gmail_reply(
    to: str, sender: str = "Jan <jan@example.pl>", msgid: str = "<CAgmail1@mail.gmail.com>"
) -> str:
    return f"""\
Return-Path: <jan@example.pl>
Delivered-To: {to}
MIME-Version: 1.0
Date: Sun, 6 Dec 2026 14:20:00 +0100
Message-ID: {msgid}
In-Reply-To: <outbox-1@loopdesk.test>
Subject: Re: =?UTF-8?Q?Odpowied=C5=BA?=
From: {sender}
To: Loopdesk <{to}>
Content-Type: multipart/alternative; boundary="000000000000abc"

--000000000000abc
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

Numer zam=C3=B3wienia to 12345.
Dzi=C4=99kuj=C4=99!

niedz., 6 gru 2026 o 14:00 Loopdesk <support+xyz@example.com>
napisa=C5=82(a):

> Prosimy o numer zam=C3=B3wienia.
>

--000000000000abc
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<div dir=3D"ltr">Numer zam=C3=B3wienia to 12345.<br>Dzi=C4=99kuj=C4=99!</div=
><br><div class=3D"gmail_quote"><blockquote>Prosimy o numer</blockquote></div>

--000000000000abc--
"""


def test_a_gmail_reply_through_the_pipe_lands_on_the_ticket_and_moves_it_on(
    app, waiting_ticket, client, login
):
    result = _pipe(app, gmail_reply(_to(waiting_ticket)))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "added"
    db.session.refresh(waiting_ticket)
    assert waiting_ticket.state == "in_progress"  # the workflow's customer_replied fired
    (reply,) = _customer_replies(waiting_ticket)
    assert reply.actor_kind == "customer"
    assert reply.data["text"] == "Numer zamówienia to 12345.\nDziękuję!"
    assert reply.data["channel"] == "email"
    login(waiting_ticket.assignee)
    page = text_of(client.get(f"/tickets/{waiting_ticket.number}"))
    assert "The customer wrote by e-mail: Numer zamówienia to 12345. Dziękuję!" in page
    # the customer sees it on their status page like a reply written there
    assert "Numer zamówienia to 12345." in text_of(client.get(f"/t/{waiting_ticket.status_token}"))


def test_the_same_message_twice_is_added_once(app, waiting_ticket):
    raw = gmail_reply(_to(waiting_ticket))
    assert _pipe(app, raw).output.strip() == "added"
    second = _pipe(app, raw)
    assert second.exit_code == 0
    assert second.output.strip() == "duplicate"
    assert len(_customer_replies(waiting_ticket)) == 1
    assert db.session.query(InboundEmail).count() == 1


def test_an_outlook_reply_loses_the_quoted_message(app, waiting_ticket):
    raw = f"""\
From: "Kowalski, Jan" <JAN@EXAMPLE.PL>
To: "Support" <SUPPORT+{reply_key(waiting_ticket.id).upper()}@Example.com>
Subject: RE: Your request
Message-ID: <AM0PR01MB@outlook.com>
Content-Type: text/plain; charset="utf-8"

The parcel arrived broken, photos to follow.

Regards
Jan

________________________________
From: Loopdesk <support@example.com>
Sent: Sunday, December 6, 2026 2:00 PM
To: Jan <jan@example.pl>
Subject: Your request

Please send us your order number.
"""
    assert receive_email(raw.encode()).outcome == "added"  # the sender matches in any case
    (reply,) = _customer_replies(waiting_ticket)
    assert reply.data["text"] == "The parcel arrived broken, photos to follow.\n\nRegards\nJan"


def test_a_thunderbird_reply_loses_quote_and_signature(app, waiting_ticket):
    raw = f"""\
From: Jan <jan@example.pl>
To: support+{reply_key(waiting_ticket.id)}@example.com
Subject: Re: Your request
Message-ID: <8a1b2c3d@example.pl>
User-Agent: Mozilla Thunderbird
Content-Type: text/plain; charset=UTF-8; format=flowed

Here it is: 12345.

On 12/6/26 14:00, Loopdesk wrote:
> Please send us your order number.

{SIGNATURE_LINE}
Jan Kowalski
"""
    assert receive_email(raw.encode()).outcome == "added"
    assert _customer_replies(waiting_ticket)[0].data["text"] == "Here it is: 12345."


@pytest.mark.parametrize(
    "header",
    [
        "W dniu 6.12.2026 o 14:00, Loopdesk pisze:",
        "6 дек. 2026 г., в 14:00, Loopdesk <support@example.com> написал(а):",
        "06.12.2026 14:00, Loopdesk пишет:",
        "Dne 6. 12. 2026 ob 14:00 je Loopdesk napisal(a):",
        "-----Oryginalna wiadomość-----",
    ],
)
def test_localized_quote_headers_are_cut(app, waiting_ticket, header):
    raw = f"""\
From: jan@example.pl
To: support+{reply_key(waiting_ticket.id)}@example.com
Subject: Re: request
Message-ID: <{abs(hash(header))}@example.pl>
Content-Type: text/plain; charset=UTF-8

Спасибо, номер 12345.

{header}
Prosimy o numer zamówienia.
"""
    assert receive_email(raw.encode()).outcome == "added"
    assert _customer_replies(waiting_ticket)[0].data["text"] == "Спасибо, номер 12345."


def test_an_html_only_reply_is_read_as_text_without_markup_or_quote(app, waiting_ticket, client):
    raw = f"""\
From: jan@example.pl
To: support+{reply_key(waiting_ticket.id)}@example.com
Subject: Re: request
Message-ID: <html-only@example.pl>
Content-Type: text/html; charset=UTF-8

<html><head><style>p {{ color: red }}</style></head><body>
<p>Order &lt;b&gt;12345&lt;/b&gt;, see <a href="https://example.pl">here</a>.</p>
<script>alert(1)</script>
<div class="gmail_quote">On Sun wrote:<blockquote>Please send us your order.</blockquote></div>
</body></html>
"""
    assert receive_email(raw.encode()).outcome == "added"
    text = _customer_replies(waiting_ticket)[0].data["text"]
    assert text == "Order <b>12345</b>, see here."
    page = client.get(f"/t/{waiting_ticket.status_token}").get_data(as_text=True)
    assert "Order &lt;b&gt;12345&lt;/b&gt;" in page  # the customer's text stays text


def test_attachments_are_kept_for_staff_and_others_counted(app, waiting_ticket, client, login):
    """A photo and a PDF are kept and open for staff; a program is not (counted instead)."""
    raw = f"""\
From: jan@example.pl
To: support+{reply_key(waiting_ticket.id)}@example.com
Subject: Re: request
Message-ID: <with-files@example.pl>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=UTF-8

Photos attached.

--b1
Content-Type: image/jpeg; name="parcel.jpg"
Content-Disposition: attachment; filename="parcel.jpg"
Content-Transfer-Encoding: base64

/9j/4AAQSkZJRgABAQ==

--b1
Content-Type: application/pdf; name="invoice.pdf"
Content-Disposition: attachment; filename="invoice.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK

--b1
Content-Type: application/octet-stream; name="invoice.pdf.exe"
Content-Disposition: attachment; filename="invoice.pdf.exe"
Content-Transfer-Encoding: base64

TVqQAAMAAAAEAAAA

--b1--
"""
    assert _pipe(app, raw).output.strip() == "added"
    (reply,) = _customer_replies(waiting_ticket)
    assert reply.data["text"] == "Photos attached."
    assert [f["name"] for f in reply.data["files"]] == ["parcel.jpg", "invoice.pdf"]
    waiting_ticket.assignee.locale = "en"
    db.session.commit()
    login(waiting_ticket.assignee)
    page = client.get(f"/tickets/{waiting_ticket.number}")
    said = text_of(page)
    assert "The customer wrote by e-mail: Photos attached." in said
    history = said[said.index("The customer wrote by e-mail") :]
    assert "📎 parcel.jpg (1 kB)" in history and "📎 invoice.pdf (1 kB)" in history
    assert "1 attachment was not kept." in said
    photo_id, pdf_id = (f["id"] for f in reply.data["files"])
    photo = client.get(f"/ticket-files/{photo_id}")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.data.startswith(b"\xff\xd8\xff")
    assert "sandbox" in photo.headers["Content-Security-Policy"]
    pdf = client.get(f"/ticket-files/{pdf_id}")
    assert pdf.mimetype == "application/pdf" and "attachment" in pdf.headers["Content-Disposition"]
    # Nobody without a staff login gets them, the customer's status page included.
    stranger = app.test_client().get(f"/ticket-files/{photo_id}")
    assert stranger.status_code in (302, 303) and "/login" in stranger.headers["Location"]


def test_a_reply_with_only_a_screenshot_is_added(app, waiting_ticket):
    raw = f"""\
From: jan@example.pl
To: support+{reply_key(waiting_ticket.id)}@example.com
Subject: Re: request
Message-ID: <only-a-file@example.pl>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: image/png; name="screen.png"
Content-Disposition: inline; filename="screen.png"
Content-Transfer-Encoding: base64

iVBORw0KGgoAAAANSUhEUg==

--b1--
"""
    assert _pipe(app, raw).output.strip() == "added"
    (reply,) = _customer_replies(waiting_ticket)
    assert reply.data["files"][0]["name"] == "screen.png"


def test_a_strangers_email_is_not_added_and_the_team_is_told(app, waiting_ticket, client, login):
    raw = gmail_reply(_to(waiting_ticket), sender="Mallory <mallory@evil.example>")
    result = _pipe(app, raw)
    assert result.exit_code == 0
    assert result.output.strip() == "not_customer"
    db.session.refresh(waiting_ticket)
    assert waiting_ticket.state == "waiting_on_customer"
    assert _customer_replies(waiting_ticket) == []
    waiting_ticket.assignee.locale = "en"
    db.session.commit()
    login(waiting_ticket.assignee)
    page = text_of(client.get(f"/tickets/{waiting_ticket.number}"))
    assert (
        "An e-mail from mallory@evil.example about this ticket was not added:"
        " the sender is not the customer." in page
    )
    assert "12345" not in page


@pytest.mark.parametrize(
    "headers",
    [
        "Auto-Submitted: auto-replied\n",
        "X-Autoreply: yes\n",
        "Precedence: bulk\n",
        "Return-Path: <>\n",
    ],
)
def test_auto_replies_and_bounces_are_ignored(app, waiting_ticket, headers):
    raw = headers + gmail_reply(_to(waiting_ticket)).replace("Return-Path: <jan@example.pl>\n", "")
    result = _pipe(app, raw)
    assert result.exit_code == 0
    assert result.output.strip() == "auto_reply"
    db.session.refresh(waiting_ticket)
    assert waiting_ticket.state == "waiting_on_customer"
    assert _customer_replies(waiting_ticket) == []


def test_a_forged_or_missing_reply_key_finds_no_ticket(app, waiting_ticket):
    forged = f"support+{waiting_ticket.id}-{'0' * 20}@example.com"
    raw = gmail_reply(forged).replace("In-Reply-To: <outbox-1@loopdesk.test>\n", "")
    assert receive_email(raw.encode()).outcome == "no_ticket"
    plain = gmail_reply("support@example.com", msgid="<other@x>")
    plain = plain.replace("In-Reply-To: <outbox-1@loopdesk.test>\n", "")
    assert receive_email(plain.encode()).outcome == "no_ticket"
    assert _customer_replies(waiting_ticket) == []


def test_a_reply_to_our_message_id_finds_the_ticket_without_the_plus_address(app, waiting_ticket):
    """A mail program that answered the From address still names our message it answers."""
    sent = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "public_reply"))
    ours = message_id(sent.id, "loopdesk.test")
    assert ours.startswith(f"<outbox-{sent.id}.")  # signed: not guessable from the row's id
    made_up = gmail_reply("support@example.com").replace(
        "In-Reply-To: <outbox-1@loopdesk.test>", f"In-Reply-To: <outbox-{sent.id}@loopdesk.test>"
    )
    assert receive_email(made_up.encode()).outcome == "no_ticket"
    forged = made_up.replace(f"<outbox-{sent.id}@", f"<outbox-{sent.id}.{'0' * 20}@")
    assert receive_email(forged.replace("CAgmail1", "CAgmail2").encode()).outcome == "no_ticket"
    raw = gmail_reply("support@example.com", msgid="<CAgmail3@mail.gmail.com>").replace(
        "In-Reply-To: <outbox-1@loopdesk.test>", f"In-Reply-To: {ours}"
    )
    assert receive_email(raw.encode()).outcome == "added"
    assert len(_customer_replies(waiting_ticket)) == 1


def test_a_database_outage_asks_the_mta_to_retry(tmp_path):
    """Exit 75 (EX_TEMPFAIL): the MTA keeps the message and delivers it again later."""
    broken = create_app(
        {
            "SECRET_KEY": "x",
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/loopdesk.db",
            "LOOPDESK_REPLY_ADDRESS": "support@example.com",
        }
    )
    with broken.app_context():
        result = broken.test_cli_runner().invoke(
            args=["mail", "receive"], input=b"Subject: x\n\nhi\n"
        )
    assert result.exit_code == 75


def test_admins_see_received_mail_and_its_outcome_in_their_language(
    app, waiting_ticket, client, login, admin, post_form
):
    _pipe(app, gmail_reply(_to(waiting_ticket)))
    _pipe(app, gmail_reply(_to(waiting_ticket), "x@evil.example", msgid="<stranger@x>"))
    admin.locale = "pl"
    db.session.commit()
    login(admin)
    page = text_of(client.get("/admin/mail/received"))
    assert "Odebrana poczta" in page
    assert "Dodano do zgłoszenia" in page
    assert "Nie dodano: nadawca nie jest klientem" in page
    assert waiting_ticket.number in page
    assert "Pominięto: automatyczna" not in page
    post_form("/logout")
    login(waiting_ticket.assignee)  # an agent
    assert client.get("/admin/mail/received").status_code == 403


def test_answers_written_between_quoted_lines_are_kept(app, waiting_ticket):
    raw = f"""\
From: jan@example.pl
To: support+{reply_key(waiting_ticket.id)}@example.com
Subject: Re: two questions
Message-ID: <inline@example.pl>
Content-Type: text/plain; charset=UTF-8

My answers:
> Which order?
12345
> When did it arrive?
Yesterday.

Am 6.12.2026 um 14:00 schrieb Loopdesk <support@example.com>:
> Which order? When did it arrive?
"""
    assert receive_email(raw.encode()).outcome == "added"
    text = _customer_replies(waiting_ticket)[0].data["text"]
    assert text == "My answers:\n12345\nYesterday."
