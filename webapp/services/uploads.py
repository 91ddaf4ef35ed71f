"""Files customers upload with a response: checked by content, stored outside static/."""

from __future__ import annotations

import secrets
import unicodedata
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

from survey_forms.definition import MAX_FILE_BYTES
from webapp.extensions import db
from webapp.models import Response, ResponseFile

# Signatures of the types we accept; the name and the browser's claim are not trusted.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)


class UploadRefused(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code  # too_large | file_type | empty


def sniff_type(head: bytes) -> str | None:
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def clean_filename(name: str | None) -> str:
    """The name as the customer gave it ("скриншот.png" stays so), made harmless: no folders,
    control characters or leading dots. It is only shown (escaped) and sent back as the
    download's name, never used as a path: files are stored under a random key."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return " ".join(name.split()).strip(" .")[:255] or "upload"


def upload_dir() -> Path:
    path = Path(
        current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def accepted_type(data: bytes) -> str:
    """The content type of a file we accept (by its bytes), or UploadRefused saying why."""
    if not data:
        raise UploadRefused("empty")
    if len(data) > MAX_FILE_BYTES:
        raise UploadRefused("too_large")
    content_type = sniff_type(data[:16])
    if content_type is None:
        raise UploadRefused("file_type")
    return content_type


def write_upload(data: bytes) -> str:
    """Store the bytes under a new random key outside static/; the key."""
    key = secrets.token_hex(16)
    (upload_dir() / key).write_bytes(data)
    return key


def store_upload(response: Response, question_id: str, upload: FileStorage) -> ResponseFile:
    data = upload.stream.read(MAX_FILE_BYTES + 1)
    content_type = accepted_type(data)
    stored = ResponseFile(
        response_id=response.id,
        question_id=question_id,
        filename=clean_filename(upload.filename),
        content_type=content_type,
        size=len(data),
        storage_key=write_upload(data),
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def file_path(stored: ResponseFile) -> Path:
    return upload_dir() / stored.storage_key
