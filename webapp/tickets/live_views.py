"""The open ticket page's live refresh: a cheap poll, and the panels that changed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import parse_qsl

from flask import Response, make_response, render_template, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from htmx_flask import request
from werkzeug.datastructures import MultiDict

from webapp.htmx_responses import fragment_only
from webapp.models import Ticket, TicketEvent, utcnow
from webapp.security import staff_required
from webapp.services import presence
from webapp.services.reply_deliveries import current_marks, marks_fingerprint
from webapp.services.ticket_access import can_see_id
from webapp.services.ticket_changes import (
    MAIL_SECTIONS,
    TIME_SECTIONS,
    change_tag,
    changed_sections,
    drawn_in_full,
    messages_from_others,
    ticket_mark,
)
from webapp.tickets import bp
from webapp.tickets.responses import ticket_or_404
from webapp.tickets.workspace import workspace_context

# htmx stops polling when an answer has this status: a deleted ticket will not come back.
STOP_POLLING = 286


def _ticket_page(number: str) -> str:
    return url_for("tickets.show", number=number)


def _query_number(name: str, query: Mapping[str, str] | None = None) -> int | None:
    """A number the page sent back (what it shows; in its poll's address unless `query`);
    anything else counts as unknown."""
    value = (request.args if query is None else query).get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


# What the page's poll asks with (since, version, mail), said by js/ticket_live.js with the
# agent's own actions.
SHOWN_HEADER = "X-Live-Shown"


def poll_moves_on(context: dict, drawn: Sequence[str]) -> bool:
    """Whether the answer to the agent's own action, drawing `drawn` and then the SLA's
    times (`TIME_SECTIONS`, as the new tag counts this minute), also carries the poll with
    the new mark: only when it leaves the page current (`drawn_in_full`, the replies'
    e-mails as shown or drawn). Otherwise the next poll would redraw every section for the
    action's own history line, and hold back the one the agent is still in. An action that
    changed nothing (a preview, a refusal) leaves the poll, and the SLA, as they are."""
    shown = request.headers.get(SHOWN_HEADER)
    if shown is None:
        return False
    query = MultiDict(parse_qsl(shown, keep_blank_values=True))
    if query.getlist("mail") != context["mail_marks"] and not set(MAIL_SECTIONS) <= set(drawn):
        return False
    since, version = _query_number("since", query), _query_number("version", query)
    live = context["live"]
    if (since, version) == (live.last_event_id, live.version):
        return False
    drawn = (*drawn, *TIME_SECTIONS)
    return drawn_in_full(live, context["events"], since, version, drawn)


def arrival_notices(messages: list[TicketEvent]) -> list[str]:
    """What the agent is told about messages that just appeared: one line per sender."""
    lines = []
    from_customer = [m for m in messages if m.kind == "customer_reply"]
    if len(from_customer) == 1:
        lines.append(_("New message from the customer"))
    elif from_customer:
        lines.append(
            ngettext(
                "%(num)d new message from the customer",
                "%(num)d new messages from the customer",
                len(from_customer),
            )
        )
    names: list[str] = []
    for message in messages:
        if message.kind != "public_reply":
            continue
        if message.actor is not None:
            name = message.actor.name
        elif message.actor_kind == "api":
            name = _("API: %(name)s", name=(message.data or {}).get("integration") or "—")
        else:
            name = _("Loopdesk")
        if name not in names:
            names.append(name)
    lines.extend(_("%(name)s replied to the customer", name=name) for name in names)
    return lines


def _stop_polling() -> Response:
    """Say once why the page stopped updating; the 286 status ends the poll.

    One answer for a ticket that is gone and one the agent may not see (any more): told
    apart, they would tell an agent that another team's ticket number exists."""
    response = make_response(render_template("tickets/_live_gone.html"), STOP_POLLING)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/tickets/<number>/changes")
@staff_required
@fragment_only(_ticket_page)
def changes(number: str) -> Response:
    """304 while the agent's page is current; otherwise, out of band, the sections that show
    the change, the poll with the new mark, the reply form's `seen` and a notice of new
    messages. The reply and note boxes are never part of it: the agent may be typing."""
    ticket_id = Ticket.id_from_number(number)
    # Whether the agent may see it is asked first, so that another team's ticket costs the
    # database no more than a missing one: the time taken would tell it exists.
    if ticket_id is None or not can_see_id(current_user, ticket_id):  # gone, or another team's
        return _stop_polling()
    mark = ticket_mark(ticket_id)
    if mark is None:
        return _stop_polling()
    locale = str(get_locale())
    now = utcnow()
    # "I am here" (and writing a reply, when the page's reply box holds a draft).
    present = presence.here(ticket_id, current_user.id, request.args.get("replying") == "1", now)
    # The replies' e-mails the page shows on their way (or failed), as they are now.
    shown_mails = request.args.getlist("mail")
    mails = current_marks(ticket_id, shown_mails)
    tag = change_tag(
        ticket_id, mark, locale, now, presence.fingerprint(present), marks_fingerprint(mails)
    )
    if request.if_none_match.contains(tag):
        response = make_response("", 304)
    else:
        context = workspace_context(ticket_or_404(number), current_user, present=present)
        since = _query_number("since")
        # The reply form's `seen` (the poll includes it): the newest message on the page,
        # e.g. drawn by the agent's reply refused as the conversation moved on. Not news.
        seen = _query_number("seen")
        heard = since if since is None or seen is None else max(since, seen)
        arrived = messages_from_others(context["events"], heard, current_user)
        swap = changed_sections(
            context["live"],
            since,
            _query_number("version"),
            mails_changed=mails != shown_mails,
            held=request.args.get("full") == "1",  # js/ticket_live.js: sections held back
        )
        body = render_template(
            "tickets/_live_changes.html",
            swap=swap,
            notices=arrival_notices(arrived),
            **context,
        )
        response = make_response(body)
        tag = context["live_tag"]
    response.set_etag(tag)
    # The page sends If-None-Match itself; a browser cache must not answer in our place.
    response.headers["Cache-Control"] = "no-store"
    return response
