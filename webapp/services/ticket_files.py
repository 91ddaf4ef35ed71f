"""Files sent with replies: a customer's (e-mail attachments, status-page uploads) and an
agent's (attached to a reply: they travel with its e-mail and the customer may download
them from the status page).

Checked as a form's uploads are (services.uploads): by their content, not their name, at
most MAX_FILE_BYTES each, images and PDFs only; stored outside static/ under a random key
and served to staff only. A reply keeps at most MAX_FILES of them; what is not kept is
counted in the history ("1 attachment was not kept"), never silently lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from werkzeug.datastructures import FileStorage

from survey_forms.definition import MAX_FILE_BYTES
from webapp.extensions import db
from webapp.models import Ticket, TicketFile
from webapp.services.uploads import (
    UploadRefused,
    accepted_type,
    clean_filename,
    upload_dir,
    write_upload,
)

MAX_FILES = 5


@dataclass
class KeptFiles:
    files: list[TicketFile] = field(default_factory=list)
    not_kept: int = 0

    def event_data(self) -> dict:
        """What the reply's history event says about its files (names as the customer gave
        them, for staff to read; the files themselves are behind a staff-only route)."""
        data: dict = {}
        if self.files:
            data["files"] = [
                {"id": f.id, "name": f.filename, "size": f.size, "type": f.content_type}
                for f in self.files
            ]
        if self.not_kept:
            data["attachments_not_kept"] = self.not_kept
        return data


def keep(ticket: Ticket, data: bytes, name: str | None, channel: str) -> TicketFile:
    """Store one file for `ticket`, or raise UploadRefused (empty, too_large, file_type)."""
    content_type = accepted_type(data)
    stored = TicketFile(
        ticket_id=ticket.id,
        filename=clean_filename(name),
        content_type=content_type,
        size=len(data),
        storage_key=write_upload(data),
        channel=channel,
    )
    db.session.add(stored)
    return stored


def keep_attachments(ticket: Ticket, attachments: Iterable[tuple[str | None, bytes]]) -> KeptFiles:
    """An e-mail's attachments: those we accept are kept, the rest counted as not kept."""
    kept = KeptFiles()
    for name, data in attachments:
        if len(kept.files) >= MAX_FILES:
            kept.not_kept += 1
            continue
        try:
            kept.files.append(keep(ticket, data, name, "email"))
        except UploadRefused:
            kept.not_kept += 1
    db.session.flush()  # the ids the history event names
    return kept


def check_uploads(uploads: list[FileStorage]) -> list[tuple[str | None, bytes]]:
    """The status page's chosen files, read and checked before anything is stored, so a
    refused one leaves the customer's message unsent and their text in the box."""
    chosen = [u for u in uploads if u and (u.filename or "").strip()]
    if len(chosen) > MAX_FILES:
        raise UploadRefused("too_many")
    read = []
    for upload in chosen:
        data = upload.stream.read(MAX_FILE_BYTES + 1)
        accepted_type(data)
        read.append((upload.filename, data))
    return read


def keep_uploads(
    ticket: Ticket, checked: list[tuple[str | None, bytes]], channel: str = "web"
) -> KeptFiles:
    """Files already checked (`check_uploads`): the customer's on the status page ("web"),
    or an agent's with a reply ("agent", sent to the customer with the e-mail)."""
    kept = KeptFiles(files=[keep(ticket, data, name, channel) for name, data in checked])
    db.session.flush()
    return kept


def file_of(ticket: Ticket, file_id: int) -> TicketFile | None:
    stored = db.session.get(TicketFile, file_id)
    return stored if stored is not None and stored.ticket_id == ticket.id else None


def files_of_tickets(ticket_ids: list[int]) -> list[TicketFile]:
    if not ticket_ids:
        return []
    return list(
        db.session.scalars(
            db.select(TicketFile)
            .where(TicketFile.ticket_id.in_(ticket_ids))
            .order_by(TicketFile.id)
        )
    )


def path_of(stored: TicketFile):
    return upload_dir() / stored.storage_key
