"""One-click survey answers (`/s/<token>/<score>`) and unsubscribing (`/unsubscribe/<token>`).

Mail scanners open every link in an e-mail, so a GET never records anything: the score
link shows a page that POSTs the chosen score (a tiny script submits it at once; without
JavaScript the customer presses the confirm button). The POSTs are CSRF-exempt like the
rest of this blueprint: the unguessable invitation token, or the signed address, is the
proof. `POST /unsubscribe/<token>` is also the RFC 8058 one-click target of the
`List-Unsubscribe` header.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from survey_forms.conversation import AnswerError
from webapp.extensions import db, limiter
from webapp.i18n import normalise_locale, override_locale
from webapp.models import SurveyInvitation
from webapp.public import bp
from webapp.public.messages import answer_error_message
from webapp.services import surveys
from webapp.services.non_essential_mail import address_from_token, is_opted_out, opt_out

# Generous for GETs: a company's mail scanner may open every score link from one address.
SURVEY_PAGE_LIMIT = "120 per minute"
SURVEY_POST_LIMIT = "30 per minute;300 per hour"
UNSUBSCRIBE_LIMIT = "60 per minute"


def _private(reply):
    """The token is in the URL: keep it out of caches, referrers and search engines."""
    reply = make_response(reply)
    reply.headers["Cache-Control"] = "no-store"
    reply.headers["Referrer-Policy"] = "no-referrer"
    reply.headers["X-Robots-Tag"] = "noindex"
    return reply


def _invitation_or_404(token: str) -> SurveyInvitation:
    invitation = surveys.find_invitation(token)
    if invitation is None:
        abort(404)
    return invitation


def _customer_language(invitation: SurveyInvitation) -> str:
    """The request's language, or the one the customer reads its status page in (`?lang=`,
    which the survey's forms on that page and on these keep)."""
    chosen = request.args.get("lang")
    if chosen not in current_app.config["LANGUAGES"]:
        chosen = None
    lang = chosen or normalise_locale(invitation.ticket.customer_locale) or "en"
    override_locale(lang)
    return lang


def _thanks_page(token: str):
    """On to the thanks page, in the language chosen on the way (if one was)."""
    chosen = request.args.get("lang")
    kept = {"lang": chosen} if chosen in current_app.config["LANGUAGES"] else {}
    return redirect(url_for("public.survey_thanks", token=token, **kept), code=303)


def _open_survey(invitation: SurveyInvitation) -> surveys.SurveyForm | None:
    if invitation.status not in surveys.ANSWERABLE:
        return None
    return surveys.survey_form(invitation)


def _closed_page(invitation: SurveyInvitation, lang: str):
    page = render_template(
        "public/survey_closed.html", lang=lang, ticket=invitation.ticket, status=invitation.status
    )
    return _private((page, 410))


def _scale_page(
    invitation: SurveyInvitation,
    survey: surveys.SurveyForm,
    lang: str,
    chosen: int | None,
    error: str | None = None,
    status: int = 200,
):
    low, high = survey.scale
    page = render_template(
        "public/survey_score.html",
        lang=lang,
        invitation=invitation,
        ticket=invitation.ticket,
        question=survey.text(survey.question.text, lang),
        survey_type=survey.question.type,
        low_label=survey.text(survey.question.low_label, lang),
        high_label=survey.text(survey.question.high_label, lang),
        scores=range(low, high + 1),
        chosen=chosen,
        error=error,
    )
    return _private((page, status))


@bp.get("/s/<token>/<score>")
@limiter.limit(SURVEY_PAGE_LIMIT)
def survey_score(token: str, score: str):
    """The score link from the e-mail: confirm the chosen score (records nothing)."""
    invitation = _invitation_or_404(token)
    lang = _customer_language(invitation)
    survey = _open_survey(invitation)
    if survey is None:
        return _closed_page(invitation, lang)
    try:
        chosen = surveys.parse_score(survey, score)
    except surveys.BadScore as bad:
        message = _("Please choose a number from %(low)d to %(high)d.", low=bad.low, high=bad.high)
        return _scale_page(invitation, survey, lang, None, message, 400)
    return _scale_page(invitation, survey, lang, chosen)


@bp.get("/s/<token>")
@limiter.limit(SURVEY_PAGE_LIMIT)
def survey_thanks(token: str):
    """After answering: thanks, the form's follow-up question, and a way to change the score."""
    invitation = _invitation_or_404(token)
    lang = _customer_language(invitation)
    survey = _open_survey(invitation)
    if survey is None:
        return _closed_page(invitation, lang)
    answer = surveys.current_answer(invitation, survey)
    if answer.score is None:
        return _scale_page(invitation, survey, lang, None)
    return _comment_page(invitation, survey, lang, answer)


def _comment_page(
    invitation: SurveyInvitation,
    survey: surveys.SurveyForm,
    lang: str,
    answer: surveys.SurveyAnswer,
    typed: str | None = None,
    error: str | None = None,
):
    """Thanks, and the box for a comment; a refused comment is back in it, with the reason."""
    follow_up = surveys.follow_up_question(survey, {survey.question.id: answer.score}, lang)
    low, high = survey.scale
    page = render_template(
        "public/survey_thanks.html",
        lang=lang,
        invitation=invitation,
        ticket=invitation.ticket,
        answer=answer,
        typed=answer.comment if typed is None else typed,
        comment_limit=surveys.comment_limit(follow_up),
        error=error,
        prompt=survey.text(follow_up.text, lang) if follow_up else _("Anything to add?"),
        survey_type=survey.question.type,
        scores=range(low, high + 1),
        # the scale to change the score says which end is which, as where it was first given
        low_label=survey.text(survey.question.low_label, lang),
        high_label=survey.text(survey.question.high_label, lang),
    )
    return _private((page, 422 if error else 200))


@bp.post("/s/<token>")
@limiter.limit(SURVEY_POST_LIMIT)
def survey_answer(token: str):
    """Record the score (and comment); a changed score replaces the earlier one."""
    invitation = _invitation_or_404(token)
    lang = _customer_language(invitation)
    survey = _open_survey(invitation)
    if survey is None:
        return _closed_page(invitation, lang)
    score = request.form.get("score") or surveys.current_answer(invitation, survey).score
    comment = request.form.get("comment")
    for attempt in (1, 2):
        try:
            surveys.record_answer(invitation, score, comment)
            db.session.commit()
            break
        except surveys.BadScore as bad:
            db.session.rollback()
            message = _(
                "Please choose a number from %(low)d to %(high)d.", low=bad.low, high=bad.high
            )
            return _scale_page(invitation, survey, lang, None, message, 400)
        except AnswerError as refused:  # the comment (too long)
            db.session.rollback()
            answer = surveys.current_answer(invitation, survey)
            if answer.score is None:  # the score came with it: asked again first
                flash(answer_error_message(refused), "error")
                return _thanks_page(token)
            # Never cut: what they typed stays in the box, with the reason beside it
            return _comment_page(
                invitation, survey, lang, answer, comment, answer_error_message(refused)
            )
        except surveys.SurveyClosed:
            db.session.rollback()
            return _closed_page(invitation, lang)
        except StaleDataError:  # an agent changed the ticket at that moment: once more
            db.session.rollback()
            if attempt == 2:
                raise
            invitation = _invitation_or_404(token)
    if comment and comment.strip():
        flash(_("Thank you, we added your comment."), "success")
    elif comment is not None:  # the comment box, sent empty: said here, in the page's language
        flash(_("Please write a message first."), "error")
    return _thanks_page(token)


@bp.get("/unsubscribe/<token>")
@limiter.limit(UNSUBSCRIBE_LIMIT)
def unsubscribe(token: str):
    """Ask before unsubscribing: a scanner following the link must not unsubscribe anyone."""
    address = address_from_token(token) or abort(404)
    page = render_template(
        "public/unsubscribe.html",
        lang=str(get_locale()),
        address=address,
        token=token,
        done=is_opted_out(address),
    )
    return _private(page)


@bp.post("/unsubscribe/<token>")
@limiter.limit(UNSUBSCRIBE_LIMIT)
def unsubscribe_confirm(token: str):
    """The confirm button, and the mail client's one-click POST (RFC 8058): idempotent."""
    address = address_from_token(token) or abort(404)
    opt_out(address)
    db.session.commit()
    page = render_template(
        "public/unsubscribe.html", lang=str(get_locale()), address=address, token=token, done=True
    )
    return _private(page)
