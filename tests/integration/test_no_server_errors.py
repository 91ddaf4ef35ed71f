"""No 500 on any input a browser can send: every route, as a visitor, an agent and an admin.

The demo data is loaded, then each route is requested with real and with hostile path
values (ids past the database's integer range, markup, very long text), odd query
strings, and form posts whose every field holds such a value. Anything but a 5xx is
acceptable here (the feature tests check the right answers); a 5xx is a bug, and so is
the posted markup coming back unescaped on any page or in any e-mail.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from tests.helpers import csrf_token
from webapp.demo import DEMO_PASSWORD
from webapp.extensions import db
from webapp.models import OutboxMessage, Ticket

TEMPLATES = Path(__file__).resolve().parents[2] / "webapp" / "templates"
# Posting these would end the session the sweep runs in.
SKIPPED_ENDPOINTS = {"static", "auth.logout"}
FORM = "application/x-www-form-urlencoded"
HUGE_ID = "99999999999"  # past a 32-bit integer column
RAW_MARKUP = "<script>alert(1)</script>"  # posted everywhere, must never come back as is
HOSTILE_TEXT = (RAW_MARKUP + "'\"ż", "x" * 5000, "-1", "99999999999999999999999")
ODD_QUERY = {
    "page": "-3",
    "before": HUGE_ID,
    "actor": HUGE_ID,
    "canned": HUGE_ID,
    "mention": HUGE_ID,
    "team": HUGE_ID,
    "assignee": HUGE_ID,
    "q": "%\x00<b>",
    "lang": "xx",
    "state": "<nope>",
    "sort": "zz",
    "edit": "nope",
    "new": "1",
    "a": "1",
    "b": HUGE_ID,
    "version": HUGE_ID,
}


def _field_names() -> list[str]:
    """Every form field name the templates use: the sweep fills them all at once."""
    names = set()
    for path in TEMPLATES.rglob("*.html"):
        names.update(re.findall(r'name="([a-z_]+)"', path.read_text(encoding="utf-8")))
    return sorted(names - {"csrf_token"})


def _path_values(argument: str, converter: str, real: dict[str, str]) -> list[str]:
    if converter == "IntegerConverter":
        return [real.get(argument, "1"), HUGE_ID]
    if converter == "AnyConverter":
        return ["pl"]
    return [real.get(argument, "x"), "%3Cscript%3E%27%22", "LD-" + HUGE_ID]


def _urls(rule, real: dict[str, str]) -> list[str]:
    """The rule with real values, then with each argument made hostile in turn."""
    arguments = list(rule.arguments)
    converters = {name: type(rule._converters[name]).__name__ for name in arguments}
    choices = {name: _path_values(name, converters[name], real) for name in arguments}
    first = {name: values[0] for name, values in choices.items()}
    combos = [first]
    for name in arguments:
        combos += [{**first, name: value} for value in choices[name][1:]]
    urls = []
    for values in combos:
        url = rule.rule
        for name in arguments:
            url = re.sub(r"<(?:[^:<>]+:)?" + name + r">", values[name], url)
        urls.append(url)
    return urls


@pytest.fixture
def app_config() -> dict:
    return {"RATELIMIT_ENABLED": False}  # limits have their own tests; here they hide routes


@pytest.fixture
def demo(demo_data):
    ticket = db.session.scalars(select(Ticket).order_by(Ticket.id)).first()
    return {
        "number": ticket.number,
        "token": ticket.status_token,
        "slug": "nps",
        "question_id": "score",
        "template": "ticket_confirmation",
        "locale": "pl",
        "state": ticket.state,
        "index": "0",
    }


def _sweep(app, client, real: dict[str, str]) -> list[str]:
    fields = _field_names()
    # Each hostile body is the same for every route: encoded once (a browser's form post,
    # application/x-www-form-urlencoded), not again for each of some 700 posts.
    bodies = {text: urlencode(dict.fromkeys(fields, text)) for text in HOSTILE_TEXT}
    tokens: dict[str, str] = {}  # session cookie -> the CSRF token of the session it holds

    def token() -> str:
        """The page's CSRF token for the client's session as it is now: worked out again
        only when a reply has changed the session cookie (the raw token is in it)."""
        cookie = client.get_cookie("session")
        if cookie is not None and cookie.value in tokens:
            return tokens[cookie.value]
        fresh = csrf_token(app, client)
        tokens[client.get_cookie("session").value] = fresh
        return fresh

    def fold_repeated_flashes() -> None:
        """Keep one of each message waiting to be shown, as a page that showed them would.

        The sweep follows no redirect, so nothing shows the messages they flash: a
        visitor's session gathered "Please log in to see this page." some 500 times, 30 kB
        that every later request read and wrote again (a third of the sweep's time). Each
        different message stays, for the pages that show them to be checked.
        """
        if client.get_cookie("session") is None:
            return
        with client.session_transaction() as session:
            flashes = session.get("_flashes")
            if flashes and len(set(map(tuple, flashes))) < len(flashes):
                session["_flashes"] = list(dict.fromkeys(map(tuple, flashes)))

    failures = []
    sent = 0
    rules = sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED_ENDPOINTS),
        key=lambda r: r.rule,
    )
    for rule in rules:
        for url in _urls(rule, real):
            requests = []
            if "GET" in rule.methods:
                requests += [("GET", url, None), ("GET", url, ODD_QUERY)]
            if "POST" in rule.methods:
                for text in HOSTILE_TEXT:
                    body = bodies[text] + "&" + urlencode({"csrf_token": token()})
                    requests.append(("POST", url, body))
            for method, target, data in requests:
                sent += 1
                if sent % 25 == 0:
                    fold_repeated_flashes()
                headers = {"HX-Request": "true", "X-CSRFToken": token()}
                try:
                    if method == "GET":
                        reply = client.get(target, query_string=data)
                    else:
                        reply = client.post(target, data=data, headers=headers, content_type=FORM)
                except Exception as error:  # TESTING propagates what would be a 500
                    failures.append(f"{method} {target[:120]} -> {error!r:.200}")
                    continue
                if reply.status_code >= 500:
                    failures.append(f"{method} {target[:120]} -> {reply.status_code}")
                elif RAW_MARKUP in reply.get_data(as_text=True) and not _download(reply):
                    failures.append(f"{method} {target[:120]} -> markup not escaped")
    return failures


def _download(reply) -> bool:
    """A file the browser saves, never shows (a CSV export): its cells are the data as it
    is, for a spreadsheet; escaping them for HTML would corrupt it."""
    return reply.headers.get("Content-Disposition", "").startswith("attachment")


def _log_in(app, client, email: str) -> None:
    token = csrf_token(app, client)
    reply = client.post(
        "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert reply.status_code in (302, 303), reply.get_data(as_text=True)[:500]


# Cookies a browser may still hold or an attacker may forge: a resume token, a language,
# a session, none of them ours.
FORGED_COOKIES = {
    "ld_r_nps": "x" * 3000,
    "ld_r_csat": HUGE_ID,
    "loopdesk_lang": "<script>",
    "session": "not.a.signed.session",
}


@pytest.mark.parametrize(
    "who", [None, "forged cookies", "anna@loopdesk.test", "admin@loopdesk.test"]
)
def test_no_route_answers_with_a_server_error(app, client, demo, who):
    if who == "forged cookies":
        for name, value in FORGED_COOKIES.items():
            client.set_cookie(name, value)
    elif who:
        _log_in(app, client, who)
    failures = _sweep(app, client, demo)
    failures += _sweep(app, client, demo)  # again: now every page shows what was posted
    mails = db.session.scalars(select(OutboxMessage.body_html)).all()
    failures += [f"e-mail: markup not escaped in {m[:80]}" for m in mails if RAW_MARKUP in m]
    assert not failures, "\n".join(itertools.islice(failures, 60))


def test_an_id_past_the_integer_range_is_not_found(app, client, demo):
    _log_in(app, client, "admin@loopdesk.test")
    for url in ("/tickets/LD-99999999999", "/admin/users/99999999999", "/files/99999999999"):
        assert client.get(url).status_code == 404, url
    reply = client.get(
        "/board/columns/" + demo["state"],
        query_string={"before": HUGE_ID},
        headers={"HX-Request": "true"},
    )
    assert reply.status_code == 200


def test_a_value_the_database_cannot_hold_is_a_bad_request_in_the_users_language(app, client):
    @app.get("/test-overflow")
    def overflow():
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    reply = client.get("/test-overflow", headers={"Accept-Language": "pl"})
    assert reply.status_code == 400
    assert "Nieprawidłowe żądanie" in reply.get_data(as_text=True)
