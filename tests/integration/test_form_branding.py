"""Admins give a form its own look; customers see it once the draft is published."""

import html
import io
import re

import pytest
from sqlalchemy import select

from tests.helpers import text_of
from webapp.extensions import db
from webapp.models import AuditEntry
from webapp.services import drafts
from webapp.services import forms as form_service
from webapp.services.form_assets import MAX_ASSET_BYTES

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def signed_in(client, builtin_forms, admin, login):
    login(admin)
    return client


def _branding(**fields) -> dict:
    data = {"accent": "", "background": "", "font": "system", "logo": "", "avatar": ""}
    data.update({"revision": "", "base_number": "1"})
    return {**data, **fields}


def _draft_text() -> str | None:
    db.session.expire_all()
    draft = drafts.current("form", "nps")
    return draft.yaml_text if draft else None


def _brand_css(client, page: str) -> str:
    """The brand stylesheet a page links (its colours: pages refuse inline styles)."""
    links = re.findall(r'<link rel="stylesheet" href="(/brand\.css[^"]*)">', page)
    assert len(links) == 1, links
    reply = client.get(html.unescape(links[0]))
    assert reply.status_code == 200 and reply.mimetype == "text/css"
    return reply.get_data(as_text=True)


def _publish_draft(admin) -> None:
    form_service.publish_form("nps", _draft_text(), admin)
    drafts.discard("form", "nps")
    db.session.commit()


def test_branding_is_saved_in_the_draft_and_shown_after_publishing(signed_in, post_form, admin):
    page = signed_in.get("/admin/forms/nps/branding")
    assert page.status_code == 200
    assert 'name="bot_name_pl" lang="pl" value="Loopdesk"' in page.get_data(as_text=True)

    reply = post_form(
        "/admin/forms/nps/branding",
        _branding(accent="#1E3A8A", background="#FDF6E3", font="serif", bot_name_pl="Ola"),
    )
    assert reply.status_code == 303
    text = _draft_text()
    assert 'accent: "#1e3a8a"' in text and 'font: "serif"' in text
    assert "# NPS with follow-up" in text  # the rest of the admin's YAML is untouched
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "form.branding_saved"))
    assert entry.after["accent"] == "#1e3a8a" and entry.after["bot_name"]["pl"] == "Ola"

    # Customers still see the published look until the draft is published.
    public = signed_in.get("/f/nps?lang=pl").get_data(as_text=True)
    assert "/brand.css" not in public and "brand-accent" not in public

    _publish_draft(admin)
    public = signed_in.get("/f/nps?lang=pl").get_data(as_text=True)
    assert _brand_css(signed_in, public) == (
        ".branded { --ld-accent: #1e3a8a; --ld-background: #fdf6e3; --ld-text: #373c44; }\n"
    )
    assert "branded font-serif brand-accent brand-background" in public
    assert 'data-theme="light"' in public and "style=" not in public
    assert "<span>Ola</span>" in public
    # The widget is the same page in an iframe: branded too.
    widget = signed_in.get("/f/nps?embed=1&channel=widget").get_data(as_text=True)
    assert "--ld-accent: #1e3a8a" in _brand_css(signed_in, widget)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"accent": "red"}, "Enter a colour as # and six hex digits"),
        ({"background": "#12345g"}, "Enter a colour as # and six hex digits"),
        ({"font": "Comic Sans"}, "Choose one of the listed fonts."),
        ({"logo": "javascript:alert(1)"}, "Upload an image, or give an https:// address"),
        ({"bot_name_en": "x" * 81}, "Keep the name under 80 characters."),
    ],
)
def test_bad_values_are_refused_and_nothing_typed_is_lost(signed_in, post_form, fields, message):
    typed = {**_branding(accent="#0f766e", bot_name_en="Ola"), **fields}
    reply = post_form("/admin/forms/nps/branding", typed)
    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert message in html.unescape(page)
    assert "Nothing was saved" in page
    for value in fields.values():
        assert f'value="{html.escape(value)}"' in page or f'value="{value}"' in page
    assert _draft_text() is None  # nothing saved


def test_a_concurrent_edit_is_a_conflict_not_an_overwrite(signed_in, post_form, admin):
    first = drafts.save(
        "form", "nps", _yaml() + "\n# mine\n", revision=None, base_number=1, actor=admin
    )
    db.session.commit()
    opened_at = first.revision
    drafts.save(
        "form", "nps", _yaml() + "\n# theirs\n", revision=opened_at, base_number=1, actor=admin
    )
    db.session.commit()
    reply = post_form(
        "/admin/forms/nps/branding", _branding(accent="#1e3a8a", revision=str(opened_at))
    )
    assert reply.status_code == 409
    page = reply.get_data(as_text=True)
    assert "Someone else saved" in page and "theirs" in page
    assert 'value="#1e3a8a"' in page  # what was typed is still there
    assert "accent" not in _draft_text()
    # Saving again applies the branding on top of their draft.
    reply = post_form("/admin/forms/nps/branding", _branding(accent="#1e3a8a", revision="2"))
    assert reply.status_code == 303
    assert "# theirs" in _draft_text() and "#1e3a8a" in _draft_text()


def _yaml() -> str:
    return (form_service.BUILTIN_DIR / "nps.yaml").read_text(encoding="utf-8")


def test_uploaded_logo_is_served_from_our_origin(signed_in, post_form, admin):
    reply = post_form(
        "/admin/forms/nps/branding",
        {**_branding(), "logo_file": (io.BytesIO(PNG), "logo.gif")},  # the name lies: sniffed
        content_type="multipart/form-data",
    )
    assert reply.status_code == 303
    text = _draft_text()
    reference = text.split('logo: "', 1)[1].split('"', 1)[0]
    assert reference.startswith("asset:") and reference.endswith(".png")
    served = signed_in.get("/form-assets/" + reference.removeprefix("asset:"))
    assert served.status_code == 200
    assert served.mimetype == "image/png" and served.data == PNG
    assert "immutable" in served.headers["Cache-Control"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    served.close()
    _publish_draft(admin)
    public = signed_in.get("/f/nps").get_data(as_text=True)
    assert f'src="/form-assets/{reference.removeprefix("asset:")}"' in public
    assert signed_in.get("/form-assets/../secret_key").status_code == 404
    assert signed_in.get("/form-assets/" + "0" * 32 + ".png").status_code == 404


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<svg onload=alert(1)></svg>", "Please upload a PNG, JPEG, GIF or WebP image."),
        (b"%PDF-1.4 not a picture", "Please upload a PNG, JPEG, GIF or WebP image."),
        (PNG + bytes(MAX_ASSET_BYTES), "The image is larger than 512 KB."),
    ],
)
def test_wrong_or_too_large_uploads_are_refused(signed_in, post_form, content, message):
    reply = post_form(
        "/admin/forms/nps/branding",
        {**_branding(accent="#0f766e"), "avatar_file": (io.BytesIO(content), "avatar.png")},
        content_type="multipart/form-data",
    )
    # Werkzeug's test client spools a large body to a temporary file it never closes.
    reply.request.environ["wsgi.input"].close()
    assert reply.status_code == 422
    assert message in reply.get_data(as_text=True)
    assert 'value="#0f766e"' in reply.get_data(as_text=True)
    assert _draft_text() is None


def test_https_logo_only_opens_its_own_origin_in_the_policy(signed_in, post_form, admin):
    logo = "https://cdn.example.com/brand/logo.png"
    assert post_form("/admin/forms/nps/branding", _branding(logo=logo)).status_code == 303
    _publish_draft(admin)
    reply = signed_in.get("/f/nps")
    policy = reply.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://cdn.example.com;" in policy
    assert (
        "script-src 'self';" in policy
        and "https://cdn.example.com" not in policy.split("img-src")[0]
    )
    assert f'src="{logo}"' in reply.get_data(as_text=True)


def test_contrast_warnings_on_the_page_and_in_the_live_swatch(signed_in, post_form):
    assert post_form("/admin/forms/nps/branding", _branding(accent="#ffcc00")).status_code == 303
    page = html.unescape(text_of(signed_in.get("/admin/forms/nps/branding")))
    assert "White text on the accent colour #ffcc00" in page and "WCAG AA needs 4.5:1" in page

    swatch = post_form(
        "/admin/forms/nps/branding/swatch", _branding(accent="#1e3a8a"), htmx=True
    ).get_data(as_text=True)
    assert "<html" not in swatch and 'id="branding-swatch"' in swatch
    assert "--ld-accent: #1e3a8a" in _brand_css(signed_in, swatch) and "meets WCAG AA" in swatch
    swatch = post_form(
        "/admin/forms/nps/branding/swatch", _branding(accent="#eeeeee"), htmx=True
    ).get_data(as_text=True)
    assert "Contrast warnings" in swatch
    swatch = post_form(
        "/admin/forms/nps/branding/swatch", _branding(accent="red;}body{x"), htmx=True
    ).get_data(as_text=True)
    assert "red;}" not in swatch  # an invalid colour never reaches the style
    assert "/brand.css" not in swatch and "brand-accent" not in swatch


def test_the_sample_conversation_speaks_one_language(signed_in, post_form, admin):
    """A Slovenian admin looks at an English-first form: the sample customer answers the
    English question in English (it answered in Slovenian), and the button is the page's."""
    admin.locale = "sl"
    db.session.commit()
    page = signed_in.get("/admin/forms/nps/branding").get_data(as_text=True)
    swatch = page.split('id="branding-swatch"')[1].split('class="contrast-warnings"')[0]
    assert "How likely are you to recommend us" in swatch
    assert "That was easy, thank you!" in swatch and ">Send<" in swatch
    assert "Videz obrazca" in page  # the page itself stays Slovenian
    live = post_form("/admin/forms/nps/branding/swatch", _branding(), htmx=True)
    assert "That was easy, thank you!" in live.get_data(as_text=True)


def test_the_brand_stylesheet_holds_valid_colours_only(client):
    reply = client.get("/brand.css?accent=0f766e")
    assert reply.mimetype == "text/css" and "immutable" in reply.headers["Cache-Control"]
    assert reply.get_data(as_text=True) == ".branded { --ld-accent: #0f766e; }\n"
    for query in ("accent=red;}body{x", "background=0f766e;x:y", "accent=%0a}", "x=1"):
        reply = client.get(f"/brand.css?{query}")
        assert reply.status_code == 200 and reply.get_data(as_text=True) == ""


def test_bot_name_is_escaped_everywhere(signed_in, post_form, admin):
    assert (
        post_form("/admin/forms/nps/branding", _branding(bot_name_en=XSS[:80])).status_code == 303
    )
    page = signed_in.get("/admin/forms/nps/branding").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    _publish_draft(admin)
    public = signed_in.get("/f/nps?lang=en").get_data(as_text=True)
    assert "<script>alert" not in public and "&lt;script&gt;alert" in public


def test_agents_get_403(client, builtin_forms, agent, login, post_form):
    login(agent)
    assert client.get("/admin/forms/nps/branding").status_code == 403
    assert post_form("/admin/forms/nps/branding", _branding(accent="#000000")).status_code == 403
    assert post_form("/admin/forms/nps/branding/swatch", _branding()).status_code == 403
    assert _draft_text() is None


def test_unreadable_colours_are_flagged_before_publishing(app, client, login, create_user):
    """The draft's branding fails WCAG AA: the overview warns next to its Publish button."""
    from webapp.models import Form, Role

    admin = create_user(email="boss@example.com", name="Boss", role=Role.ADMIN)
    form_service.install_builtin_forms()
    db.session.commit()
    form = db.session.scalar(select(Form).where(Form.slug == "nps"))
    text = form_service.active_version(form).yaml_text + "\nbranding:\n  accent: '#ffff00'\n"
    drafts.save("form", "nps", text, revision=None, base_number=1, actor=admin)
    db.session.commit()
    login(admin)
    page = client.get("/admin/forms/nps").get_data(as_text=True)
    assert "Check the colours before publishing" in page and "4.5:1" in page
