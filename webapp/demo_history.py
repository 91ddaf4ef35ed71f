"""Five weeks of finished tickets behind the demo's open ones, so Reports and SLA figures
have a history to show at once.

Each old ticket is played through the real services (routing, workflow moves, replies,
surveys, state timers) with the clock set to when each step happened (`clock_at`): its
created, first-reply, resolved and closed times, its history, SLA due times, e-mails and
survey answer are all dated in the past and agree with each other. Every ticket ends
resolved (its 7-day close still ahead) or closed, so no timer, SLA warning or survey is
overdue when `make run` starts. Deterministic: the same history every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import SurveyInvitation, SurveyStatus, TeamMembership, Ticket, User
from webapp.models.types import clock_at

# (form, subject, answers) as customers wrote them, per language; answers use the forms'
# question ids, so each ticket gets the conversation behind it (demo_responses).
STORIES = {
    "en": (
        (
            "report-problem",
            "The app closes when I open my orders",
            {
                "category": "bug",
                "description": "The app crashes every time I open my orders.",
            },
        ),
        (
            "nps",
            "Parcel arrived damaged",
            {"score": 3, "what_went_wrong": "Delivery took a week and the box was crushed."},
        ),
        (
            "goal",
            "Cannot change my delivery address",
            {
                "goal": "no",
                "what_stopped_you": "No way to change the delivery address after ordering.",
            },
        ),
        (
            "csat",
            "Refund still not on my card",
            {"csat": 2, "comment": "Two weeks and the refund is still missing."},
        ),
        (
            "report-problem",
            "Discount code rejected",
            {
                "category": "payment",
                "description": "The app rejects the code from your newsletter.",
            },
        ),
    ),
    "pl": (
        (
            "report-problem",
            "Nie mogę zalogować się w aplikacji",
            {"category": "bug", "description": "Aplikacja wraca do logowania po wpisaniu hasła."},
        ),
        (
            "nps",
            "Zamówienie przyszło niekompletne",
            {
                "score": 2,
                "what_went_wrong": "Dostawa trwała tydzień, a w paczce brakowało koszulki.",
            },
        ),
        (
            "goal",
            "Nie widzę statusu dostawy",
            {"goal": "no", "what_stopped_you": "Numer przesyłki nie działa na stronie kuriera."},
        ),
        (
            "csat",
            "Zwrot pieniędzy trwa za długo",
            {"csat": 2, "comment": "Czekam na zwrot od dwóch tygodni."},
        ),
        (
            "report-problem",
            "Podwójne obciążenie karty",
            {
                "category": "payment",
                "description": "Za jedno zamówienie pobrano pieniądze dwa razy.",
            },
        ),
    ),
    "ru": (
        (
            "report-problem",
            "Не приходит письмо с подтверждением",
            {
                "category": "bug",
                "description": "После заказа письмо с подтверждением так и не пришло.",
            },
        ),
        (
            "nps",
            "Курьер не позвонил",
            {"score": 3, "what_went_wrong": "Доставка опоздала, курьер не позвонил."},
        ),
        (
            "goal",
            "Не нашёл размерную сетку",
            {"goal": "no", "what_stopped_you": "На странице товара нет таблицы размеров."},
        ),
        ("csat", "Ответ пришёл через три дня", {"csat": 2, "comment": "Ждал ответа три дня."}),
        (
            "report-problem",
            "Оплата зависает в приложении",
            {
                "category": "payment",
                "description": "Приложение зависает на странице оплаты.",
            },
        ),
    ),
    "sl": (
        (
            "report-problem",
            "Aplikacija ne odpre naročil",
            {
                "category": "bug",
                "description": "Aplikacija se zapre, ko odprem naročila.",
            },
        ),
        (
            "nps",
            "Paket je prišel poškodovan",
            {
                "score": 4,
                "what_went_wrong": "Dostava je trajala teden dni, škatla je bila zmečkana.",
            },
        ),
        (
            "goal",
            "Ne najdem navodil za vračilo",
            {"goal": "no", "what_stopped_you": "Na strani ni navodil, kako vrniti izdelek."},
        ),
        (
            "csat",
            "Vračilo denarja še ni prišlo",
            {"csat": 2, "comment": "Denarja še vedno ni na računu."},
        ),
        (
            "report-problem",
            "Plačilo s kartico zavrnjeno",
            {
                "category": "payment",
                "description": "Kartica deluje povsod, le pri vas je zavrnjena.",
            },
        ),
    ),
}
CUSTOMERS = {
    "en": ("Grace Hall", "Henry Walker", "Lily Evans", "Noah Green", "Chloe Baker", "Jack Hill"),
    "pl": ("Piotr Kamiński", "Ewa Dąbrowska", "Tomasz Wójcik", "Zofia Mazur", "Paweł Krawczyk"),
    "ru": ("Сергей Волков", "Мария Козлова", "Алексей Морозов", "Елена Попова", "Павел Лебедев"),
    "sl": ("Ana Zupan", "Matej Potočnik", "Eva Kos", "Jure Golob", "Tina Vidmar"),
}
# What customers answer when asked for the order number (some tickets wait on them first).
CUSTOMER_ANSWERS = {
    "en": "The order number is 48213.",
    "pl": "Numer zamówienia to 48213.",
    "ru": "Номер заказа — 48213.",
    "sl": "Številka naročila je 48213.",
}
MAIL_DOMAINS = {"en": "com", "pl": "pl", "ru": "ru", "sl": "si"}
HISTORY_TICKETS = 44
OLDEST_DAYS, NEWEST_DAYS = 35, 2.5  # the open tickets of the last days are the board's


@dataclass
class _Stage:
    """What every ticket's play needs: the dice, the present, who works where, what they say."""

    rng: random.Random
    now: datetime
    members: dict[int, list[User]]
    replies: dict[tuple[str, int], str]
    questions: dict[str, str]

    @property
    def latest(self) -> datetime:
        """Nothing in the history happens later than this (the open tickets are today's)."""
        return self.now - timedelta(hours=1)


def seed_demo_history(now: datetime, questions: dict[str, str]) -> int:
    """Play the demo's finished tickets through their lifecycle; returns how many."""
    rng = random.Random(1001)
    stage = _Stage(rng, now, _team_members(), _canned_replies(), questions)
    starts = sorted(
        now - timedelta(days=rng.uniform(NEWEST_DAYS, OLDEST_DAYS)) for _ in range(HISTORY_TICKETS)
    )
    told: dict[str, int] = {}
    for n, created in enumerate(starts):
        locale = ("pl", "en", "ru", "sl", "pl", "en")[n % 6]
        told[locale] = told.get(locale, -1) + 1  # each story in turn: the themes stay varied
        story = STORIES[locale][told[locale] % len(STORIES[locale])]
        ticket = _open_ticket(stage, created, locale, n, story)
        _work_on(stage, ticket)
        db.session.commit()
        _follow_up(stage, ticket)
        db.session.commit()
    return len(starts)


def _open_ticket(
    stage: _Stage, created: datetime, locale: str, n: int, story: tuple[str, str, dict]
) -> Ticket:
    """The customer's answer becomes a ticket, routed and assigned as it was then."""
    from survey_forms.scoring import csat_category, nps_category
    from webapp.services.tickets import NewTicket, create_ticket

    form, subject, answers = story
    name = stage.rng.choice(CUSTOMERS[locale])
    score = None
    if "score" in answers:
        value = answers["score"]
        score = {"type": "nps", "value": value, "category": nps_category(value)}
    elif "csat" in answers:
        value = answers["csat"]
        score = {"type": "csat", "value": value, "category": csat_category(value)}
    with clock_at(created):
        ticket = create_ticket(
            NewTicket(
                subject=subject,
                customer_name=name,
                customer_email=f"{_ascii(name)}.{n}@example.{MAIL_DOMAINS[locale]}",
                customer_locale=locale,
                form_slug=form,
                answers=dict(answers),
                score=score,
                created_at=created,
                channel="email" if form == "csat" else stage.rng.choice(("web", "widget")),
                metadata={"page_url": "https://shop.example.com/"},
            )
        )
        db.session.flush()
    return ticket


def _work_on(stage: _Stage, ticket: Ticket) -> None:
    """Taken, answered (usually within hours; one in eight after more than a day), sometimes a
    question to the customer first, then resolved with the "Solved" reply."""
    from webapp.services.replies import receive_customer_reply, send_public_reply
    from webapp.services.tickets import assign_to, fire

    rng, created, locale = stage.rng, ticket.created_at, ticket.customer_locale
    late = rng.random() < 1 / 8
    soon = 1.5 if ticket.priority in ("high", "urgent") else 5  # their targets: 2h and 4-8h
    replied = created + timedelta(hours=rng.uniform(20, 40) if late else rng.uniform(0.3, soon))
    replied = min(replied, stage.latest)
    with clock_at(created + (replied - created) * rng.uniform(0.1, 0.9)):
        if ticket.assignee is None:  # a team queue: someone in the team picks it up
            team = stage.members.get(ticket.team_id) or stage.members[min(stage.members)]
            assign_to(ticket, rng.choice(team), None)
        agent = ticket.assignee
        fire(ticket, "start", agent)
    waits = rng.random() < 0.25
    with clock_at(replied):
        send_public_reply(ticket, stage.replies[(locale, 0)], agent)
        if waits:
            send_public_reply(ticket, stage.questions[locale], agent)
            fire(ticket, "ask_customer", agent)
    # Unhappy customers (high priority, a day to resolve) get help the same day, mostly.
    urgent = ticket.priority in ("high", "urgent")
    quick = rng.random() < (0.85 if urgent else 0.75)
    hours = rng.uniform(1, 6 if urgent else 30) if quick else rng.uniform(20, 80)
    resolved = replied + timedelta(hours=hours)
    if waits:
        answered = min(replied + timedelta(hours=rng.uniform(2, 20)), stage.latest)
        with clock_at(answered):
            receive_customer_reply(ticket, CUSTOMER_ANSWERS[locale])
        resolved = max(resolved, answered + timedelta(hours=rng.uniform(1, 8)))
    with clock_at(min(resolved, stage.latest)):
        send_public_reply(ticket, stage.replies[(locale, 1)], agent)
        fire(ticket, "resolve", agent)
        _mark_breaches(ticket)


def _follow_up(stage: _Stage, ticket: Ticket) -> None:
    """The survey a day after resolving (answered by some), the close a week after; both
    only when that moment has passed, the rest is left to the periodic jobs as usual."""
    from webapp.services import state_timers, surveys

    invitation = db.session.scalar(
        select(SurveyInvitation).where(SurveyInvitation.ticket_id == ticket.id)
    )
    if invitation is not None and invitation.due_at < stage.now:
        with clock_at(invitation.due_at):
            surveys.send_due_surveys(invitation.due_at)
        answer_at = invitation.due_at + timedelta(hours=stage.rng.uniform(1, 30))
        answers = stage.rng.random() < 0.45
        if invitation.status == SurveyStatus.SENT and answer_at < stage.now and answers:
            with clock_at(answer_at):
                surveys.record_answer(
                    invitation, stage.rng.choices((5, 4, 3, 2), (6, 4, 1, 0.5))[0]
                )
            db.session.commit()
    close_at = ticket.state_timer_due_at
    if ticket.state == "resolved" and close_at is not None and close_at < stage.now:
        with clock_at(close_at):
            state_timers.sweep(close_at)  # the resolved state's 7-day timer closes it


def _mark_breaches(ticket: Ticket) -> None:
    """What the SLA sweep would have marked when each clock passed its warning and due time
    (the old tickets are past all of them; marking them here sends no stale alerts now)."""
    for met, warn, due, warned, breached in (
        ("first_response_at", "first_response_warn_at", "first_response_due_at",
         "first_response_warned_at", "first_response_breached_at"),
        ("resolved_at", "resolution_warn_at", "resolution_due_at",
         "resolution_warned_at", "resolution_breached_at"),
    ):  # fmt: skip
        done = getattr(ticket, met)
        if done is None:
            continue
        if getattr(ticket, warn) is not None and done > getattr(ticket, warn):
            setattr(ticket, warned, getattr(ticket, warn))
        if getattr(ticket, due) is not None and done > getattr(ticket, due):
            setattr(ticket, breached, getattr(ticket, due))


def _team_members() -> dict[int, list[User]]:
    members: dict[int, list[User]] = {}
    for membership in db.session.scalars(select(TeamMembership)):
        members.setdefault(membership.team_id, []).append(membership.user)
    return members


def _canned_replies() -> dict[tuple[str, int], str]:
    """The demo's "We are on it" (0) and "Solved" (1) texts per language."""
    from webapp.demo import CANNED_REPLIES

    return {
        (locale, n): body
        for locale, texts in CANNED_REPLIES.items()
        for n, (_t, body) in enumerate(texts)
    }


LATIN = dict(
    zip(
        "ąćęłńóśźżčšžабвгдеёжзийклмнопрстуфхцчшщыьэюя",
        (*"acelnoszzcszabvgdeezziiklmnoprstufh", "c", "ch", "sh", "sh", "y", "", "e", "yu", "ya"),
        strict=True,
    )
)


def _ascii(name: str) -> str:
    """An e-mail local part from a customer's name (Latin letters only)."""
    return ".".join("".join(LATIN.get(c, c) for c in part.lower()) for part in name.split())
