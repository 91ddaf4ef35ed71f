"""Images a form is branded with (logo, bot avatar): checked by content, served from our origin.

Files are named by a hash of their bytes, so a stored file never changes: it can be cached
for a year, and uploading the same image twice stores it once. A definition refers to one
as "asset:<name>"; an https URL is allowed too, and only its origin is added to the
conversation page's img-src (the Content-Security-Policy stays strict otherwise).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, url_for
from werkzeug.datastructures import FileStorage

from survey_forms import branding as form_branding
from survey_forms.definition import Branding
from webapp.services.uploads import sniff_type

MAX_ASSET_BYTES = 512 * 1024
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
_EXTENSIONS = {content_type: ext for ext, content_type in CONTENT_TYPES.items()}
_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|gif|webp)$")
BASE_POLICY = (
    "default-src 'self'; img-src 'self' data:{images}; style-src 'self'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors {ancestors}"
)


class AssetRefused(ValueError):
    """Not an image we keep; `code` is too_large | file_type | empty."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def asset_dir() -> Path:
    configured = current_app.config.get("FORM_ASSET_FOLDER")
    path = Path(configured) if configured else Path(current_app.instance_path) / "form_assets"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_asset(upload: FileStorage) -> str:
    """Keep an uploaded PNG/JPEG/GIF/WebP; returns the reference to put in the definition."""
    data = upload.stream.read(MAX_ASSET_BYTES + 1)
    if not data:
        raise AssetRefused("empty")
    if len(data) > MAX_ASSET_BYTES:
        raise AssetRefused("too_large")
    content_type = sniff_type(data[:16])
    if content_type not in _EXTENSIONS:  # PDFs are fine for answers, not for a logo
        raise AssetRefused("file_type")
    name = f"{hashlib.sha256(data).hexdigest()[:32]}.{_EXTENSIONS[content_type]}"
    path = asset_dir() / name
    if not path.exists():
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(path)  # atomic: a reader never sees half a file
    return f"asset:{name}"


def asset_path(name: str) -> Path | None:
    """The stored file for a served name, or None (unknown or not a name we give out)."""
    if not _NAME.match(name):
        return None
    path = asset_dir() / name
    return path if path.is_file() else None


def content_type_of(name: str) -> str:
    return CONTENT_TYPES[name.rsplit(".", 1)[-1]]


def image_url(reference: str | None) -> str | None:
    """Where the browser loads a logo/avatar from (None when there is none)."""
    if not reference:
        return None
    if reference.startswith("asset:"):
        return url_for("public.form_asset", name=reference.removeprefix("asset:"))
    return reference


def stylesheet_url(branding: Branding) -> str | None:
    """Where a page loads the branding's colours from (None when it sets none).

    The colours travel in the URL, so a draft or the studio's live sample needs nothing
    stored; the stylesheet is a pure function of them and can be cached for good.
    """
    if not form_branding.stylesheet(branding):
        return None
    colours = {"accent": branding.accent, "background": branding.background}
    return url_for(
        "public.brand_stylesheet",
        **{key: value.removeprefix("#") for key, value in colours.items() if value},
    )


def branding_from_args(args) -> Branding:
    """The colours `stylesheet_url` put in a URL, back as a Branding (unchecked here:
    `form_branding.stylesheet` keeps only valid colours)."""
    return Branding(**{key: "#" + args[key] for key in ("accent", "background") if args.get(key)})


def image_origins(branding: Branding) -> list[str]:
    """The https origins a branding's images come from (for the page's img-src)."""
    origins = []
    for reference in (branding.logo, branding.avatar):
        if reference and reference.startswith("https://"):
            parts = urlsplit(reference)
            origin = f"https://{parts.netloc}"
            if origin not in origins:
                origins.append(origin)
    return origins


def content_security_policy(branding: Branding, ancestors: tuple[str, ...] = ()) -> str:
    """The page's policy: our usual one, plus the branding's image origins in img-src only."""
    images = "".join(f" {origin}" for origin in image_origins(branding))
    return BASE_POLICY.format(images=images, ancestors=" ".join(("'self'", *ancestors)))
