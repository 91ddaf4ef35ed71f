"""Customers send files with their replies on the status page (a screenshot, a receipt):
checked by content, kept outside static/, shown to the customer by name only and opened by
staff who may see the ticket; a refused file loses none of what the customer typed; erasing
the customer's data deletes them."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from tests.helpers import csrf_token, make_ticket, text_of
from webapp.extensions import db
from webapp.models import OutboxMessage, Role, Team, TicketAccess, TicketEvent, TicketFile
from webapp.services.ticket_files import path_of

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"x" * 2000


@pytest.fixture
def ticket(builtin_forms):
    return make_ticket(customer_locale="pl")


def _send(client, ticket, message: str, files=()):
    page = client.get(f"/t/{ticket.status_token}").get_data(as_text=True)
    reply_token = re.search(r'name="reply_token" value="([^"]+)"', page).group(1)
    data = {
        "reply_token": reply_token,
        "message": message,
        "files": [(io.BytesIO(content), name) for name, content in files],
    }
    return client.post(
        f"/t/{ticket.status_token}/reply", data=data, content_type="multipart/form-data"
    )


def _replies(ticket) -> list[TicketEvent]:
    return db.session.scalars(
        select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "customer_reply"
        )
    ).all()


def test_a_screenshot_and_a_receipt_reach_the_agent(client, login, ticket):
    sent = _send(
        client, ticket, "Zrzut ekranu w załączniku", [("ekran.png", PNG), ("paragon.pdf", PDF)]
    )
    assert sent.status_code == 303
    (reply,) = _replies(ticket)
    assert [f["name"] for f in reply.data["files"]] == ["ekran.png", "paragon.pdf"]
    stored = db.session.scalars(select(TicketFile).order_by(TicketFile.id)).all()
    assert [(f.content_type, f.channel) for f in stored] == [
        ("image/png", "web"),
        ("application/pdf", "web"),
    ]
    assert all(path_of(f).read_bytes() in (PNG, PDF) for f in stored)
    assert "/static/" not in str(path_of(stored[0]))

    # The customer sees their own files by name, with no link to them.
    page = client.get(f"/t/{ticket.status_token}").get_data(as_text=True)
    assert "📎 ekran.png" in page and "/ticket-files/" not in page

    login(ticket.assignee)
    page = client.get(f"/tickets/{ticket.number}")
    workspace, history = page.get_data(as_text=True), text_of(page)
    assert "ekran.png" in history and "paragon.pdf (2 kB)" in history
    # The screenshot also shows as a small picture; the receipt only by its name.
    pictures = re.findall(r'<img src="/ticket-files/(\d+)" alt="" loading="lazy">', workspace)
    assert pictures == [str(stored[0].id)]
    opened = client.get(f"/ticket-files/{stored[0].id}")
    assert opened.status_code == 200 and opened.data == PNG


def test_a_file_of_another_kind_is_refused_keeping_the_message(client, ticket):
    refused = _send(client, ticket, "Mój komentarz", [("virus.exe", b"MZ\x90\x00" * 10)])
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Prześlij obraz (PNG, JPEG, GIF, WebP) lub plik PDF." in text_of(refused)
    assert ">Mój komentarz</textarea>" in page  # nothing typed is lost
    assert _replies(ticket) == [] and db.session.scalars(select(TicketFile)).all() == []
    # The refusal is the file's: said at the file picker, which is marked and focused; the
    # message, which was fine, is not marked wrong.
    message = re.search(r"<textarea[^>]*>", page).group(0)
    assert "aria-invalid" not in message and " autofocus" not in message
    picker = re.search(r'<input type="file" id="reply-files"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in picker and " autofocus" in picker
    assert 'aria-describedby="reply-error ' in picker
    assert page.index('id="reply-files-label"') < page.index('id="reply-error"')


def test_a_message_too_long_is_marked_at_the_message(client, ticket):
    refused = _send(client, ticket, "x" * 5001)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    message = re.search(r"<textarea[^>]*>", page).group(0)
    assert 'aria-invalid="true"' in message and 'aria-describedby="reply-error"' in message
    picker = re.search(r'<input type="file" id="reply-files"[^>]*>', page).group(0)
    assert "aria-invalid" not in picker and "reply-error" not in picker


def test_too_many_files_and_an_empty_message_are_refused_in_the_customer_s_language(client, ticket):
    many = _send(client, ticket, "Sześć zdjęć", [(f"{n}.png", PNG) for n in range(6)])
    assert many.status_code == 422
    assert "Dołącz najwyżej 5 plików do jednej wiadomości." in text_of(many)
    assert ">Sześć zdjęć</textarea>" in many.get_data(as_text=True)
    empty = _send(client, ticket, "   ")
    assert empty.status_code == 422 and 'id="reply-error"' in empty.get_data(as_text=True)
    assert "Obrazy lub PDF, do 5 MB każdy, najwyżej 5 plików." in text_of(empty)
    assert _replies(ticket) == []


def test_a_name_in_another_alphabet_is_kept(client, login, ticket):
    """secure_filename would make "zrzut ekranu – błąd.pdf" or "скриншот.png" mere "png"."""
    _send(client, ticket, "", [("../скриншот ошибки.png", PNG), ("zrzut – błąd.pdf", PDF)])
    names = [f.filename for f in db.session.scalars(select(TicketFile).order_by(TicketFile.id))]
    assert names == ["скриншот ошибки.png", "zrzut – błąd.pdf"]
    login(ticket.assignee)
    pdf = db.session.scalar(select(TicketFile).where(TicketFile.content_type == "application/pdf"))
    disposition = client.get(f"/ticket-files/{pdf.id}").headers["Content-Disposition"]
    assert "filename*=UTF-8''zrzut%20%E2%80%93%20b%C5%82%C4%85d.pdf" in disposition


def test_a_file_alone_is_a_reply(client, ticket):
    assert _send(client, ticket, "", [("ekran.png", PNG)]).status_code == 303
    (reply,) = _replies(ticket)
    assert reply.data["text"] == "" and reply.data["files"][0]["name"] == "ekran.png"


def test_an_agent_limited_to_another_team_cannot_open_the_file(client, login, ticket, create_user):
    _send(client, ticket, "Zrzut", [("ekran.png", PNG)])
    stored = db.session.scalar(select(TicketFile))
    other = Team(slug="billing", name="Billing")
    db.session.add(other)
    outsider = create_user(email="out@example.com", name="Out", role=Role.AGENT)
    outsider.ticket_access = TicketAccess.TEAMS
    db.session.commit()
    login(outsider)
    assert client.get(f"/ticket-files/{stored.id}").status_code == 404


def test_erasing_the_customer_s_data_deletes_the_files(client, login, admin, ticket, post_form):
    _send(client, ticket, "Zrzut", [("ekran.png", PNG)])
    stored = db.session.scalar(select(TicketFile))
    path = path_of(stored)
    assert path.exists()
    login(admin)
    found = text_of(post_form("/admin/customer-data", {"email": "jan@example.pl"}))
    assert "ekran.png" in found and "sent with a reply to " + ticket.number in found
    exported = post_form("/admin/customer-data/export", {"email": "jan@example.pl"}).get_json()
    (listed,) = exported["uploaded_files"]
    assert listed["name"] == "ekran.png" and listed["ticket"] == ticket.number
    assert listed["sent_with"] == "status page reply"
    check = text_of(post_form("/admin/customer-data/erase", {"email": "jan@example.pl"}))
    assert "1 uploaded file is deleted" in check
    post_form("/admin/customer-data/erase/confirm", {"email": "jan@example.pl"})
    assert db.session.scalars(select(TicketFile)).all() == []
    assert not path.exists()


def test_an_integration_lists_and_downloads_the_files(client, ticket):
    from tests.helpers import api_error, api_token, bearer

    _send(client, ticket, "Paragon", [("paragon.pdf", PDF)])
    token = bearer(api_token(scope="read"))
    detail = client.get(f"/api/v1/tickets/{ticket.number}", headers=token).get_json()
    (entry,) = [e for e in detail["conversation"] if e["kind"] == "customer_reply"]
    (listed,) = entry["files"]
    assert listed["name"] == "paragon.pdf" and listed["content_type"] == "application/pdf"
    assert listed["size_bytes"] == len(PDF)
    path = "/api/v1" + listed["url"].split("/api/v1", 1)[1]
    downloaded = client.get(path, headers=token)
    assert downloaded.status_code == 200 and downloaded.data == PDF
    assert client.get(path).status_code == 401  # a token, always
    other = make_ticket(subject="Inne")
    wrong = client.get(f"/api/v1/tickets/{other.number}/files/{listed['id']}", headers=token)
    api_error(wrong, 404, "file_not_found")


# -- an agent's files ------------------------------------------------------------------------


@pytest.fixture
def app_config(smtp_config) -> dict:
    return smtp_config


def _agent_reply(client, ticket, text: str, files=()):
    """The reply form as a browser posts it with files (multipart, the page's CSRF token)."""
    token = csrf_token(client.application, client)
    data = {"text": text, "csrf_token": token, "files": [(io.BytesIO(c), n) for n, c in files]}
    return client.post(
        f"/tickets/{ticket.number}/reply", data=data, content_type="multipart/form-data"
    )


def test_an_agent_s_files_reach_the_customer_by_e_mail_and_on_the_status_page(
    client, login, post_form, admin, ticket, smtp_server, run_jobs
):
    login(ticket.assignee)
    sent = _agent_reply(
        client,
        ticket,
        "Faktura korygująca w załączniku.",
        [("faktura.pdf", PDF), ("krok.png", PNG)],
    )
    assert sent.status_code == 303
    run_jobs()
    (mail,) = [m for m in smtp_server.messages if m["To"] == "jan@example.pl"]
    attached, picture = list(mail.iter_attachments())
    assert attached.get_filename() == "faktura.pdf"
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_content() == PDF
    assert picture.get_filename() == "krok.png"

    stored, image = db.session.scalars(select(TicketFile).order_by(TicketFile.id)).all()
    assert stored.channel == "agent"
    customer = client.application.test_client()
    page = customer.get(f"/t/{ticket.status_token}").get_data(as_text=True)
    link = f"/t/{ticket.status_token}/files/{stored.id}"
    assert f'href="{link}"' in page and "faktura.pdf" in page
    downloaded = customer.get(link)
    assert downloaded.status_code == 200 and downloaded.data == PDF
    # The picture also shows small under its name; the PDF only by its name.
    thumbs = re.findall(r'<img class="attached-thumb" src="([^"]+)"', page)
    assert thumbs == [f"/t/{ticket.status_token}/files/{image.id}"]
    history = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "📎 faktura.pdf (2 kB)" in history
    mail_row = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.template == "public_reply")
    )
    assert mail_row.attachments == [stored.id, image.id]
    post_form("/logout")
    login(admin)
    assert "Attachments 📎 faktura.pdf (2 kB)" in text_of(client.get(f"/admin/mail/{mail_row.id}"))


def test_the_customer_s_own_files_are_not_served_on_the_status_page(client, ticket):
    _send(client, ticket, "Zrzut", [("ekran.png", PNG)])
    stored = db.session.scalar(select(TicketFile))
    customer = client.application.test_client()
    assert customer.get(f"/t/{ticket.status_token}/files/{stored.id}").status_code == 404


def test_an_agent_s_refused_file_keeps_the_reply_unsent_and_typed(client, login, ticket):
    login(ticket.assignee)
    refused = _agent_reply(client, ticket, "Proszę spojrzeć", [("skrypt.js", b"alert(1)")])
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Proszę spojrzeć</textarea>" in page
    assert "Please upload an image (PNG, JPEG, GIF, WebP) or a PDF." in text_of(refused)
    assert db.session.scalars(select(TicketFile)).all() == []
