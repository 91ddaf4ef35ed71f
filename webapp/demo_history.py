"""Five weeks of finished tickets behind the demo's open ones, so Reports and SLA figures
have a history to show at once.

Each old ticket is played through the real services (routing, workflow moves, replies,
notes, surveys, state timers) with the clock set to when each step happened (`clock_at`):
its created, first-reply, resolved and closed times, its history, SLA due times, e-mails and
survey answer are all dated in the past and agree with each other. Customers write at any
hour, mostly by day; agents act on weekdays within their own working hours and timezone.
A couple of customers write back after the "Solved" reply, which reopens their ticket.
The e-mails went out back then (`outbox.delivered_as_written`). Every ticket ends resolved
(its 7-day close still ahead) or closed, so no timer, SLA warning, survey or held notice is
overdue when `make run` starts. Deterministic: the same history for the same present.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import (
    NoticeStatus,
    StaffNotice,
    SurveyInvitation,
    SurveyStatus,
    TeamMembership,
    Ticket,
    User,
)
from webapp.models.types import clock_at
from webapp.outbox import delivered_as_written
from webapp.services.assignment import working_hours_calendar

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
# When the customer writes back after the "Solved" reply, and what the assignee then does:
# a note for colleagues and a second reply with the ticket solved again.
REOPEN_TEXTS = {
    "en": (
        "Sorry, but it is still not right: today it is the same as before.",
        "Reopened by the customer: the first fix did not cover it. Checking again with the team.",
        "Sorry that it came back. We found what the first fix missed and put "
        "it right; {ticket} is solved again. If you still see it, just reply.",
    ),
    "pl": (
        "Niestety nadal nie jest dobrze: dzisiaj jest tak samo jak wcześniej.",
        "Klient otworzył zgłoszenie ponownie: pierwsza poprawka nie wystarczyła. Sprawdzam "
        "jeszcze raz z zespołem.",
        "Przepraszamy, że problem wrócił. Znaleźliśmy, czego zabrakło "
        "w pierwszej poprawce, i to naprawiliśmy; sprawa {ticket} jest znowu rozwiązana. Jeśli "
        "nadal coś jest nie tak, po prostu odpisz.",
    ),
    "ru": (
        "К сожалению, всё по-прежнему: сегодня то же самое, что и раньше.",
        "Клиент снова открыл обращение: первое исправление не помогло. Проверяю ещё раз "
        "с командой.",
        "Извините, что проблема вернулась. Мы нашли, что упустили "
        "в первый раз, и исправили это; обращение {ticket} снова решено. Если что-то ещё не "
        "так, просто ответьте.",
    ),
    "sl": (
        "Žal še vedno ni v redu: danes je enako kot prej.",
        "Stranka je zadevo ponovno odprla: prvi popravek ni zadostoval. Še enkrat preverjam "
        "z ekipo.",
        "Oprostite, ker se je težava vrnila. Našli smo, kaj je prvi "
        "popravek spregledal, in to popravili; zadeva {ticket} je spet rešena. Če še kaj ni v "
        "redu, nam preprosto odgovorite.",
    ),
}
MAIL_DOMAINS = {"en": "com", "pl": "pl", "ru": "ru", "sl": "si"}
CUSTOMER_ZONES = {
    "en": "Europe/London",
    "pl": "Europe/Warsaw",
    "ru": "Europe/Moscow",
    "sl": "Europe/Ljubljana",
}
# How likely a customer is to write back at each hour of their day (0-23): by day mostly,
# in the evening less, at night seldom; at weekends less than on weekdays.
CUSTOMER_HOURS = (
    *(0.03, 0.02, 0.02, 0.02, 0.02, 0.03, 0.06, 0.2),
    *(0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
    *(1.0, 0.7, 0.35, 0.3, 0.25, 0.2, 0.1, 0.05),
)
WEEKEND = 0.35
# When the customers first wrote: how many tickets, at a weekend or not, local hours from-to.
# A fixed mix rather than chance per ticket, so Reports' first-reply figures hold steady
# whichever day `make run` starts on.
FIRST_WRITES = (
    (32, False, (8.0, 16.0)),  # in the working day
    (6, False, (16.0, 23.0)),  # in the evening
    (4, True, (9.0, 22.0)),  # at a weekend
    (2, False, (23.0, 31.0)),  # at night, until 7 in the morning
)
HISTORY_TICKETS = sum(count for count, _weekend, _hours in FIRST_WRITES)
OLDEST_DAYS, NEWEST_DAYS = 35, 2.5  # the open tickets of the last days are the board's
# Working time every agent has left before the present for a ticket's whole play.
PLAY_TIME = timedelta(hours=12)
REOPENED = (7, 24)  # the tickets (by age, oldest first) whose customer writes back


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

    def staff_at(self, agent: User, after: datetime, hours: float) -> datetime:
        """`hours` of the agent's working time after `after`: weekdays, within their hours
        and timezone. A step that would run past the present takes part of the time left."""
        calendar = working_hours_calendar(agent)
        if calendar is None:  # no hours set: always on duty
            moment = after + timedelta(hours=hours)
            left = self.latest - after
        else:
            moment = calendar.add_business_time(after, timedelta(hours=hours))
            left = calendar.business_time_between(after, self.latest)
        if moment <= self.latest:
            return moment
        part = left * self.rng.uniform(0.3, 0.6)
        return after + part if calendar is None else calendar.add_business_time(after, part)

    def customer_at(self, locale: str, after: datetime, hours: tuple[float, float]) -> datetime:
        """When a customer writes, `hours` after `after`: at any time, mostly by day."""
        zone = ZoneInfo(CUSTOMER_ZONES[locale])
        while True:
            moment = after + timedelta(hours=self.rng.uniform(*hours))
            local = moment.astimezone(zone)
            chance = CUSTOMER_HOURS[local.hour] * (WEEKEND if local.weekday() >= 5 else 1)
            if self.rng.random() < chance:
                return moment

    def can_play(self, created: datetime) -> bool:
        """Whether every agent works long enough between `created` and the present for the
        ticket to be answered and solved in their hours."""
        if created < self.latest - timedelta(days=7):
            return True
        calendars = {working_hours_calendar(u) for team in self.members.values() for u in team}
        return all(
            calendar is None or calendar.business_time_between(created, self.latest) >= PLAY_TIME
            for calendar in calendars
        )


def seed_demo_history(now: datetime, questions: dict[str, str]) -> int:
    """Play the demo's finished tickets through their lifecycle; returns how many.

    Their e-mails are recorded as delivered when they were written (nothing is sent now), and
    staff notices held for someone's working hours go out when those began, as the periodic
    job would have sent them.
    """
    rng = random.Random(1001)
    stage = _Stage(rng, now, _team_members(), _canned_replies(), questions)
    when = [(weekend, hours) for count, weekend, hours in FIRST_WRITES for _ in range(count)]
    rng.shuffle(when)
    starts = sorted(_customer_writes_first(stage, n, *w) for n, w in enumerate(when))
    told: dict[str, int] = {}
    with delivered_as_written():
        for n, (created, locale) in enumerate(starts):
            told[locale] = told.get(locale, -1) + 1  # each story in turn: the themes stay varied
            story = STORIES[locale][told[locale] % len(STORIES[locale])]
            ticket = _open_ticket(stage, created, locale, n, story)
            agent, resolved = _work_on(stage, ticket, n)
            if n in REOPENED and resolved < stage.latest - timedelta(days=5):
                _reopen(stage, ticket, agent, resolved)
            _follow_up(stage, ticket)
            db.session.commit()
        _deliver_held_notices(stage.now)
    return len(starts)


def _customer_writes_first(
    stage: _Stage, n: int, weekend: bool, hours: tuple[float, float]
) -> tuple[datetime, str]:
    """When the n-th customer wrote (a weekday or weekend, between `hours` of their local
    time), and in which language."""
    locale = ("pl", "en", "ru", "sl", "pl", "en")[n % 6]
    zone = ZoneInfo(CUSTOMER_ZONES[locale])
    oldest = stage.now - timedelta(days=OLDEST_DAYS)
    newest = stage.now - timedelta(days=NEWEST_DAYS)
    while True:
        day = oldest.astimezone(zone).date() + timedelta(days=stage.rng.randrange(OLDEST_DAYS))
        if (day.weekday() >= 5) != weekend:
            continue
        local = datetime.combine(day, time(), zone) + timedelta(hours=stage.rng.uniform(*hours))
        created = local.astimezone(UTC)
        if oldest <= created <= newest and stage.can_play(created):
            return created, locale


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
                # with the zone their browser sent, the clock they wrote by (_customer_writes_first)
                metadata={
                    "page_url": "https://shop.example.com/",
                    "timezone": CUSTOMER_ZONES[locale],
                },
            )
        )
        db.session.flush()
    return ticket


def _work_on(stage: _Stage, ticket: Ticket, n: int) -> tuple[User, datetime]:
    """Taken and answered in the agent's working hours (usually within a few; one in nine
    after a day or two), sometimes a question to the customer first, then resolved with the
    "Solved" reply. Returns who worked on it and when it was resolved."""
    from webapp.services.replies import receive_customer_reply, send_public_reply
    from webapp.services.tickets import assign_to, fire

    rng, created, locale = stage.rng, ticket.created_at, ticket.customer_locale
    agent = ticket.assignee  # routing's pick; a team queue's ticket is picked up by one of it
    if agent is None:
        agent = rng.choice(stage.members.get(ticket.team_id) or stage.members[min(stage.members)])
    urgent = ticket.priority in ("high", "urgent")
    late = n % 9 == 4  # one in nine: a busy day, or a colleague away
    soon = 1 if urgent else 2.5  # their targets: 2h and 4-8h of office time
    reply_in = rng.uniform(8, 14) if late else rng.uniform(0.1, soon)
    share = rng.uniform(0.1, 0.9)
    picked = stage.staff_at(agent, created, reply_in * share)
    replied = stage.staff_at(agent, picked, reply_in * (1 - share))
    with clock_at(picked):
        if ticket.assignee is None:
            assign_to(ticket, agent, None)
        fire(ticket, "start", agent)
    waits = rng.random() < 0.25 and created < stage.latest - timedelta(days=10)
    with clock_at(replied):
        send_public_reply(ticket, stage.replies[(locale, 0)], agent)
        if waits:
            send_public_reply(ticket, stage.questions[locale], agent)
            fire(ticket, "ask_customer", agent)
    # Unhappy customers (high priority, a day to resolve) get help the same day, mostly.
    quick = rng.random() < (0.85 if urgent else 0.75)
    hours = rng.uniform(1, 6 if urgent else 14) if quick else rng.uniform(14, 36)
    resolved = stage.staff_at(agent, replied, hours)
    if waits:
        answered = stage.customer_at(locale, replied, (2, 20))
        with clock_at(answered):
            receive_customer_reply(ticket, CUSTOMER_ANSWERS[locale])
        resolved = max(resolved, stage.staff_at(agent, answered, rng.uniform(0.5, 6)))
    with clock_at(resolved):
        send_public_reply(ticket, stage.replies[(locale, 1)], agent)
        fire(ticket, "resolve", agent)
        _mark_breaches(ticket)
    return agent, resolved


def _reopen(stage: _Stage, ticket: Ticket, agent: User, resolved: datetime) -> None:
    """The customer writes back before the survey goes out: the reply reopens the ticket
    (the workflow's `reopen`, which cancels the survey); the assignee notes it for the team,
    answers and resolves it again."""
    from webapp.services.notes import add_note
    from webapp.services.replies import receive_customer_reply, send_public_reply
    from webapp.services.tickets import fire

    locale = ticket.customer_locale
    writes, note, reply = REOPEN_TEXTS[locale]
    back = stage.customer_at(locale, resolved, (1, 22))
    with clock_at(back):
        receive_customer_reply(ticket, writes)
    noted = stage.staff_at(agent, back, stage.rng.uniform(0.2, 1.5))
    with clock_at(noted):
        add_note(ticket, note, agent)
    fixed = stage.staff_at(agent, noted, stage.rng.uniform(1, 5))
    with clock_at(fixed):
        send_public_reply(ticket, reply, agent)
        fire(ticket, "resolve", agent)
        _mark_breaches(ticket)
    db.session.flush()


def _follow_up(stage: _Stage, ticket: Ticket) -> None:
    """The survey a day after resolving (answered by some), the close a week after; both
    only when that moment has passed, the rest is left to the periodic jobs as usual."""
    from webapp.services import state_timers, surveys

    invitation = db.session.scalar(
        select(SurveyInvitation).where(
            SurveyInvitation.ticket_id == ticket.id,
            SurveyInvitation.status == SurveyStatus.SCHEDULED,  # not one a reopen cancelled
        )
    )
    if invitation is not None and invitation.due_at < stage.now:
        with clock_at(invitation.due_at):
            surveys.send_due_surveys(invitation.due_at)
        answer_at = stage.customer_at(ticket.customer_locale, invitation.due_at, (1, 30))
        answers = stage.rng.random() < 0.45
        if invitation.status == SurveyStatus.SENT and answer_at < stage.now and answers:
            with clock_at(answer_at):
                surveys.record_answer(
                    invitation, stage.rng.choices((5, 4, 3, 2), (6, 4, 1, 0.5))[0]
                )
            db.session.commit()
        remind_at = invitation.remind_at
        if invitation.status == SurveyStatus.SENT and remind_at and remind_at < stage.now:
            with clock_at(remind_at):  # the one reminder, as the periodic job would have sent it
                surveys.send_due_reminders(remind_at)
    close_at = ticket.state_timer_due_at
    if ticket.state == "resolved" and close_at is not None and close_at < stage.now:
        with clock_at(close_at):
            state_timers.sweep(close_at)  # the resolved state's 7-day timer closes it


def _deliver_held_notices(now: datetime) -> None:
    """E-mail the staff notices held outside someone's working hours (a customer wrote at
    night) when those hours began, as the periodic job would have; none is left due now."""
    from jobs.notices import release_held_notices

    due = db.session.scalars(
        select(StaffNotice.deliver_after)
        .where(StaffNotice.status == NoticeStatus.HELD, StaffNotice.deliver_after <= now)
        .distinct()
        .order_by(StaffNotice.deliver_after)
    ).all()
    for moment in due:
        with clock_at(moment):
            release_held_notices(moment)


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
