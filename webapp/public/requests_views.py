"""Your requests: a customer asks for a link by e-mail, then sees all their requests.

The asking form is public and anonymous, so it is built like the conversation's posts: a
signed token instead of the session's CSRF token (the blueprint is exempt), a honeypot, a
minimum plausible time before sending (a quicker send is asked again, never dropped), and
limits per client and per recipient (services.recipient_limits). Its answer never says
whether we hold requests for the address.
"""

from __future__ import annotations

import time

from flask import current_app, make_response, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from survey_forms import conversation
from survey_forms.conversation import AnswerError
from survey_forms.definition import Question
from webapp.extensions import db, limiter
from webapp.i18n import browser_language, override_locale
from webapp.public import bp
from webapp.public.messages import answer_error_message
from webapp.services import customer_requests
from webapp.signing import timed_serializer

FORM_MAX_AGE = 24 * 3600  # a page left open longer asks again (the token carries its time)


def _form_tokens() -> URLSafeTimedSerializer:
    return timed_serializer("loopdesk-requests-ask")


def _language(prefix: str | None = None) -> str:
    languages = current_app.config["LANGUAGES"]
    for candidate in (prefix, request.args.get("lang"), request.form.get("lang")):
        if candidate in languages:
            return candidate
    return browser_language(languages) or "en"


def _private(reply):
    """Pages about a person's requests: never cached, their address never sent on."""
    reply.headers["Cache-Control"] = "no-store"
    reply.headers["Referrer-Policy"] = "no-referrer"
    return reply


def _ask_page(
    lang: str,
    *,
    email: str = "",
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
    asked_again: bool = False,
):
    """The asking page. `notice`: a word about the address that is not a fault in it.
    `asked_again`: its token lets the next send through however soon it comes (see
    `_too_soon`)."""
    shown = {"t": time.time(), "again": True} if asked_again else time.time()
    page = render_template(
        "public/requests_ask.html",
        lang=lang,
        email=email,
        error=error,
        notice=notice,
        form_token=_form_tokens().dumps(shown),
        link_days=customer_requests.LINK_DAYS,
    )
    return _private(make_response(page, status))


def _too_soon(shown) -> bool:
    """Sent sooner after the page was shown than anyone types an address.

    A browser that fills the address in lets a person send it at once, so this is not
    taken for a bot: the page asks them to send it again, and the page it shows for that
    lets the next send through. Bots are caught by the honeypot and the rate limits.
    """
    if isinstance(shown, dict):
        if shown.get("again"):
            return False
        shown = shown.get("t", 0)
    minimum = current_app.config.get("FORM_MIN_SECONDS_FIRST_ANSWER", 2.0)
    return time.time() - float(shown) < minimum


@bp.get("/requests")
@bp.get("/<any(en, pl, ru, sl):prefix>/requests")
def ask_for_requests_link(prefix: str | None = None):
    lang = _language(prefix)
    override_locale(lang)
    return _ask_page(lang)


@bp.post("/requests")
@limiter.limit("10 per hour")
def send_requests_link():
    lang = _language()
    override_locale(lang)
    email = (request.form.get("email") or "").strip()
    try:
        shown_at = _form_tokens().loads(request.form.get("form_token", ""), max_age=FORM_MAX_AGE)
    except BadSignature:  # expired too: a page left open a day, or not our page at all
        return _ask_page(
            lang,
            email=email[:254],
            error=_("This page was open for a long time. Please send it again."),
            status=422,
        )
    if request.form.get("website"):
        # A bot (people never see the field): it is told what a person is told, and
        # nothing is sent.
        current_app.logger.info("requests link: honeypot filled, nothing sent")
        return redirect(url_for("public.requests_link_sent", lang=lang), code=303)
    try:
        email = conversation.parse_answer(
            Question(id="email", type="email", text={}, required=True, max_length=254), email
        )
    except AnswerError as refused:
        # Corrected within a second ("….co" to "….com"): sent, not "That was quick!" too.
        return _ask_page(
            lang,
            email=email[:254],
            error=answer_error_message(refused),
            status=422,
            asked_again=True,
        )
    if _too_soon(shown_at):  # after the address's check: a mistyped one is said first
        return _ask_page(
            lang,
            email=email[:254],
            notice=_("That was quick! Please check your address and send it again."),
            status=422,
            asked_again=True,
        )
    if not customer_requests.send_link(email, lang):
        return _ask_page(
            lang,
            email=email,
            error=_(
                "We have already sent several links to this address today. Please check your "
                "mailbox, or try again tomorrow."
            ),
            status=429,
        )
    db.session.commit()
    return redirect(url_for("public.requests_link_sent", lang=lang), code=303)


@bp.get("/requests/sent")
def requests_link_sent():
    lang = _language()
    override_locale(lang)
    page = render_template(
        "public/requests_sent.html", lang=lang, link_days=customer_requests.LINK_DAYS
    )
    return _private(make_response(page))


@bp.get("/requests/<token>")
def customer_requests_page(token: str):
    lang = _language()
    override_locale(lang)
    try:
        listed = customer_requests.requests_for_link(token)
    except customer_requests.LinkExpired:
        # A word about the link, not a fault in the empty address box below it.
        return _ask_page(
            lang,
            notice=_("This link has expired. Enter your e-mail address to get a new one."),
            status=410,
        )
    if listed is None:
        return _ask_page(
            lang,
            notice=_("This link is not valid. Enter your e-mail address to get a new one."),
            status=404,
        )
    page = render_template(
        "public/requests_list.html",
        lang=lang,
        requests=listed,
        customer_zone=customer_requests.list_timezone(listed),  # their browser's, once told
        zone=str(get_timezone()),  # said beside times when we do not know theirs
    )
    return _private(make_response(page))
