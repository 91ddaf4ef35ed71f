"""A month of form responses for the demo, so the dashboard's scores mean something at once.

The demo tickets that came from a form get the conversation behind them (their page shows it
as the customer saw it); around them, customers in four languages who were happy enough not
to need a ticket, and some who stopped half-way. Deterministic: the same demo every time.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from webapp.demo_history import CUSTOMER_ZONES
from webapp.extensions import db
from webapp.models import Response, Ticket
from webapp.services.customer_timezone import FIELD as TIMEZONE_FIELD
from webapp.services.customer_timezone import customer_timezone
from webapp.services.forms import find_form_and_active_version, published_forms

# What happy customers wrote, by language: the NPS follow-up for passives (7–8), the CSAT
# comment for satisfied customers (4–5) and for lukewarm ones (3). Short, as people type
# them, and about the same few things, so the Reports' themes have something to show
# (delivery, the app, the courier, quick help) in every language's inflected forms.
PASSIVE_COMMENTS = {
    "en": (
        "Good, but delivery could be faster.",
        "Fine overall. The app is a bit slow.",
        "Late delivery, but the courier was polite.",
        "The app is slow when paying.",
        "Prices went up, delivery is still slow.",
    ),
    "pl": (
        "Dobrze, ale dostawa mogłaby być szybsza.",
        "Ogólnie w porządku, tylko aplikacja trochę się zacina.",
        "Czekałem długo na dostawę, kurier był miły.",
        "Aplikacja zacina się przy płatności.",
        "Ceny poszły w górę, a dostawy wciąż wolne.",
    ),
    "ru": (
        "Всё хорошо, но доставка могла бы быть быстрее.",
        "В целом нормально, сайт медленный.",
        "Долго ждал доставку, курьер вежливый.",
        "Приложение зависает при оплате.",
        "Цены выросли, а с доставкой всё так же медленно.",
    ),
    "sl": (
        "Dobro, a dostava bi lahko bila hitrejša.",
        "Na splošno v redu, aplikacija je počasna.",
        "Dolgo sem čakal na dostavo, kurir je bil prijazen.",
        "Aplikacija se zatika pri plačilu.",
        "Cene so višje, dostava pa še vedno počasna.",
    ),
}
CSAT_COMMENTS = {
    "en": ("Quick and friendly, thank you!", "Solved on the first reply.", "Quick answer."),
    "pl": (
        "Szybko i miło, dziękuję!",
        "Problem rozwiązany już w pierwszej odpowiedzi.",
        "Szybka odpowiedź.",
    ),
    "ru": ("Быстро и вежливо, спасибо!", "Вопрос решили с первого ответа.", "Быстрый ответ."),
    "sl": ("Hitro in prijazno, hvala!", "Težavo so rešili že v prvem odgovoru.", "Hiter odgovor."),
}
LUKEWARM_COMMENTS = {
    "en": ("Waited two days for an answer.", "The answer came late."),
    "pl": ("Na odpowiedź czekałem dwa dni.", "Odpowiedź przyszła późno."),
    "ru": ("Ответа ждал два дня.", "Ответ пришёл поздно."),
    "sl": ("Na odgovor sem čakal dva dni.", "Odgovor je prišel pozno."),
}
LANGUAGES = ("en", "pl", "ru", "sl")
# (form, how many completed, how many stopped after the first answer)
VOLUMES = {"nps": (42, 9), "csat": (18, 3), "goal": (26, 6)}


def seed_demo_responses(now: datetime) -> int:
    """Create the demo's responses (called once, with the demo tickets); how many were added."""
    forms = {form.slug: (form, definition) for form, definition in published_forms()}
    versions = {form.id: find_form_and_active_version(form.slug)[1] for form, _ in forms.values()}
    responses = _conversations_behind_tickets(forms, versions)
    rng = random.Random(2026)
    for slug, (completed, stopped) in VOLUMES.items():
        if slug not in forms:
            continue
        form, _definition = forms[slug]
        for n in range(completed + stopped):
            locale = rng.choice(LANGUAGES)
            started = now - timedelta(days=rng.uniform(0.2, 29.5))
            answers = _happy_answers(slug, locale, rng)
            if n >= completed:  # stopped after the first question
                answers = dict(list(answers.items())[:1])
            responses.append(
                Response(
                    form=form,
                    form_version_id=versions[form.id],
                    locale=locale,
                    channel="email" if slug == "csat" else rng.choice(("web", "widget", "widget")),
                    answers=answers,
                    meta={  # with the zone their browser sent (app.js), as real ones
                        "user_agent": rng.choice(("desktop", "mobile", "mobile")),
                        TIMEZONE_FIELD: CUSTOMER_ZONES[locale],
                    },
                    started_at=started,
                    updated_at=started + timedelta(seconds=40),
                    completed_at=started + timedelta(seconds=40) if n < completed else None,
                )
            )
    # In the order they came in, as real ones would be (lists show the newest first by id).
    db.session.add_all(sorted(responses, key=lambda r: r.started_at))
    db.session.commit()
    return len(responses)


def _conversations_behind_tickets(forms: dict, versions: dict) -> list[Response]:
    """Each demo ticket from a form gets the completed response it was made from."""
    responses = []
    for ticket in db.session.scalars(select(Ticket).where(Ticket.form_slug.is_not(None))):
        if ticket.form_slug not in forms:
            continue
        form, definition = forms[ticket.form_slug]
        asked = {q.id for q in definition.questions}
        given = dict((ticket.facts or {}).get("answers") or {})
        page_url = given.pop("page_url", None)
        answers = {key: value for key, value in given.items() if key in asked}
        for key, value in (("name", ticket.customer_name), ("email", ticket.customer_email)):
            if key in asked and value:
                answers[key] = value
        meta = {"user_agent": "desktop"}
        if page_url:
            meta["page_url"] = page_url
        zone = customer_timezone(ticket)  # the ticket took it from this response's metadata
        if zone:
            meta[TIMEZONE_FIELD] = zone
        responses.append(
            Response(
                form=form,
                form_version_id=versions[form.id],
                locale=ticket.customer_locale or "en",
                channel=ticket.channel or "web",
                answers=answers,
                meta=meta,
                started_at=ticket.created_at - timedelta(minutes=2),
                updated_at=ticket.created_at,
                completed_at=ticket.created_at,
                ticket_id=ticket.id,
            )
        )
    return responses


def _happy_answers(slug: str, locale: str, rng: random.Random) -> dict:
    """Answers that need no ticket: NPS promoters and passives, CSAT 3–5, goal reached."""
    if slug == "nps":
        score = rng.choices((7, 8, 9, 10), weights=(2, 3, 4, 4))[0]
        if score <= 8:
            comment = rng.choice(PASSIVE_COMMENTS[locale]) if rng.random() < 0.8 else None
            return {"score": score, "what_went_wrong": comment, "name": None, "email": None}
        return {"score": score, "testimonial": "no", "name": None, "email": None}
    if slug == "csat":
        score = rng.choices((3, 4, 5), weights=(1, 3, 4))[0]
        if score <= 3:
            return {"csat": score, "comment": rng.choice(LUKEWARM_COMMENTS[locale])}
        comment = rng.choice(CSAT_COMMENTS[locale]) if rng.random() < 0.5 else None
        return {"csat": score, "comment_positive": comment}
    return {"goal": "yes"}
