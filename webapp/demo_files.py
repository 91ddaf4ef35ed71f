"""The demo's files: a customer's screenshot on the Slovenian app-crash ticket, so the
history's thumbnails and the file links have something to show (`make run`)."""

from __future__ import annotations

import struct
import zlib

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Ticket


def screenshot_png(width: int = 270, height: int = 480) -> bytes:
    """A phone screenshot drawn in code (no image library needed): an app bar, a grey page
    and a red error box where the payment failed."""

    def pixel(x: int, y: int) -> bytes:
        if y < 48:
            return b"\x0f\x76\x6e"  # the app's bar
        if 170 <= y < 290 and 24 <= x < width - 24:
            if y < 200:
                return b"\xb9\x1c\x1c"  # the error's title
            if 230 <= y < 240 and 48 <= x < width - 48:
                return b"\x99\x99\x99"  # a line of text
            return b"\xff\xff\xff"
        return b"\xf1\xf3\xf5"

    rows = b"".join(b"\x00" + b"".join(pixel(x, y) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def seed_demo_files() -> None:
    """Žiga sends a screenshot of the crash from his status page."""
    from webapp.services.replies import receive_customer_reply
    from webapp.services.ticket_files import keep_uploads

    crash = db.session.scalar(
        select(Ticket).where(Ticket.subject == "Aplikacija se sesuje ob plačilu")
    )
    if crash is None:
        return
    kept = keep_uploads(crash, [("posnetek-zaslona.png", screenshot_png())])
    receive_customer_reply(
        crash, "Pošiljam posnetek zaslona, ko se aplikacija sesuje.", **kept.event_data()
    )
    db.session.commit()
