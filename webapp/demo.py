"""Demo data for `make run`: a small, realistic, multilingual support team."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from webapp.extensions import db
from webapp.models import Role, Team, TeamMembership, User
from webapp.models.people import WEEKDAYS

DEMO_PASSWORD = "loopdesk-demo"  # noqa: S105  (printed by `make run`; demo only)


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    role: Role
    locale: str
    timezone: str
    languages: tuple[str, ...]
    teams: tuple[str, ...]
    lead: bool = False
    hours: tuple[str, str] = ("09:00", "17:00")  # Monday to Friday, in their own timezone
    public_holidays: str = ""  # the country whose public holidays they have off ("PL")
    # Away (holiday) from / to this many days from the day the demo is seeded, with a note.
    away: tuple[int, int, str] | None = None


TEAMS = {
    "customer-care": ("Customer Care", "First line: questions, complaints and follow-ups."),
    "product-quality": ("Product Quality", "Bugs, broken pages and product feedback."),
}

PEOPLE = (
    DemoPerson(
        "admin@loopdesk.test",
        "Alex Admin",
        Role.ADMIN,
        "en",
        "Europe/Warsaw",
        ("en", "pl"),
        ("customer-care",),
        lead=True,
        hours=("10:00", "18:00"),
    ),
    DemoPerson(
        "anna@loopdesk.test",
        "Anna Kowalska",
        Role.AGENT,
        "pl",
        "Europe/Warsaw",
        ("pl", "en"),
        ("customer-care",),
        hours=("08:00", "16:00"),
        public_holidays="PL",
    ),
    DemoPerson(
        "dmitri@loopdesk.test",
        "Dmitri Ivanov",
        Role.AGENT,
        "ru",
        "Europe/Moscow",
        ("ru", "en"),
        ("customer-care", "product-quality"),
        hours=("10:00", "19:00"),
        public_holidays="RU",
    ),
    DemoPerson(
        "maja@loopdesk.test",
        "Maja Novak",
        Role.AGENT,
        "sl",
        "Europe/Ljubljana",
        ("sl", "en", "pl"),
        ("product-quality",),
        lead=True,
        public_holidays="SI",
    ),
    # On holiday: routing passes him by; the pickers and the agents list say until when.
    DemoPerson(
        "piotr@loopdesk.test",
        "Piotr Zieliński",
        Role.AGENT,
        "pl",
        "Europe/Warsaw",
        ("pl", "en"),
        ("customer-care",),
        away=(0, 6, "Urlop w Tatrach"),
        public_holidays="PL",
    ),
)


def seed_demo() -> bool:
    """Create the demo teams and people if missing; True when anything was added."""
    added = False
    teams: dict[str, Team] = {}
    for slug, (name, description) in TEAMS.items():
        team = db.session.scalar(select(Team).where(Team.slug == slug))
        if team is None:
            team = Team(slug=slug, name=name, description=description)
            db.session.add(team)
            added = True
        teams[slug] = team
    newly_away: list[tuple[User, DemoPerson]] = []
    for person in PEOPLE:
        if db.session.scalar(select(User).where(User.email == person.email)):
            continue
        user = User(
            email=person.email,
            name=person.name,
            role=person.role,
            locale=person.locale,
            timezone=person.timezone,
            languages=list(person.languages),
            working_hours={day: [list(person.hours)] for day in WEEKDAYS[:5]},
            public_holidays=person.public_holidays,
        )
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        for slug in person.teams:
            db.session.add(TeamMembership(team=teams[slug], user=user, is_lead=person.lead))
        if person.away:
            newly_away.append((user, person))
        added = True
    for user, person in newly_away:
        _mark_away(user, *person.away)
    db.session.commit()
    from webapp.services.forms import install_builtin_forms

    install_builtin_forms()
    db.session.commit()
    seed_canned_replies()
    seed_demo_tickets()
    return added


# Reply templates agents pick from, per language ({name}, {ticket}, {status_link}, {agent}).
# Only the message: the e-mail that carries a reply greets the customer by name above it and
# signs it with the agent's name below (email/public_reply), so neither is written here.
CANNED_REPLIES = {
    "en": (
        (
            "We are on it",
            "Thank you for telling us. I have taken over {ticket} and will get back to you "
            "as soon as I know more. You can follow it here: {status_link}",
        ),
        (
            "Solved",
            "Good news: {ticket} is solved. If anything is still not right, just reply on "
            "{status_link}.\n\nThank you for your patience.",
        ),
    ),
    "pl": (
        (
            "Zajmujemy się tym",
            "Dziękujemy za zgłoszenie. Zajmujemy się Twoją sprawą {ticket} i odezwiemy się, "
            "gdy tylko będziemy wiedzieć więcej. Status sprawdzisz tutaj: {status_link}",
        ),
        (
            "Rozwiązane",
            "Mamy dobrą wiadomość: sprawa {ticket} została rozwiązana. Jeśli coś jest nie "
            "tak, odpisz na {status_link}.\n\nDziękujemy za cierpliwość.",
        ),
    ),
    "ru": (
        (
            "Мы уже занимаемся",
            "Спасибо, что сообщили нам. Мы занимаемся Вашим обращением {ticket} и напишем, "
            "как только узнаем больше. Статус можно посмотреть здесь: {status_link}",
        ),
        (
            "Решено",
            "Хорошие новости: обращение {ticket} решено. Если что-то не так, ответьте на "
            "странице {status_link}.\n\nСпасибо за терпение.",
        ),
    ),
    "sl": (
        (
            "Že urejamo",
            "Hvala, ker ste nam pisali. Vaš zahtevek {ticket} obravnavamo in se oglasimo, "
            "ko bomo vedeli več. Stanje spremljate tukaj: {status_link}",
        ),
        (
            "Rešeno",
            "Dobra novica: zadeva {ticket} je rešena. Če še kaj ni v redu, odgovorite na "
            "{status_link}.\n\nHvala za potrpežljivost.",
        ),
    ),
}


def _mark_away(user: User, first: int, last: int, note: str) -> None:
    from datetime import timedelta

    from webapp.models import utcnow
    from webapp.services.away import AwayDays, set_away, today_for

    now = utcnow()
    today = today_for(user, now)
    set_away(user, AwayDays(today + timedelta(days=first), today + timedelta(days=last), note))
    # From now, not from midnight: the history seeded next has him at work until today.
    user.away_from = max(user.away_from, now)


def seed_canned_replies() -> int:
    """Starter reply templates in every language (only when there are none yet)."""
    from sqlalchemy import func

    from webapp.models import CannedReply

    if db.session.scalar(select(func.count(CannedReply.id))):
        return 0
    count = 0
    for locale, replies in CANNED_REPLIES.items():
        for title, body in replies:
            db.session.add(CannedReply(title=title, locale=locale, body=body))
            count += 1
    db.session.commit()
    return count


def demo_logins() -> list[tuple[str, str, str]]:
    return [(p.email, DEMO_PASSWORD, p.role.value) for p in PEOPLE]


# Feedback that needs action, in the customers' own words (themes from the seed articles).
DEMO_TICKETS = (
    # (subject, name, email, locale, form, answers, score, moves, age_hours, priority)
    (
        "Płatność kartą nie przechodzi",
        "Jan Wiśniewski",
        "jan.wisniewski@example.pl",
        "pl",
        "nps",
        {
            "score": 2,
            "what_went_wrong": "Trzy razy próbowałem zapłacić kartą i za każdym razem błąd. "
            "Nikt nie odpisał na mojego maila.",
        },
        ("nps", 2),
        (),
        30,
        None,
    ),
    (
        "Strona z cennikiem się nie ładuje",
        "Katarzyna Zielińska",
        "k.zielinska@example.pl",
        "pl",
        "report-problem",
        {
            "category": "bug",
            "description": "Po kliknięciu „Cennik” widzę pustą stronę.",
            "page_url": "https://shop.example.pl/cennik",
        },
        None,
        ("start",),
        5,
        None,
    ),
    (
        "Доставка задержалась на неделю",
        "Ольга Смирнова",
        "olga.smirnova@example.ru",
        "ru",
        "nps",
        {
            "score": 4,
            "what_went_wrong": "Заказ пришёл на неделю позже, никто не предупредил о задержке.",
        },
        ("nps", 4),
        ("start", "ask_customer"),
        50,
        None,
    ),
    (
        "Не могу найти историю заказов",
        "Игорь Петров",
        "igor.petrov@example.ru",
        "ru",
        "goal",
        {"goal": "no", "what_stopped_you": "В личном кабинете нет раздела с прошлыми заказами."},
        None,
        (),
        2,
        None,
    ),
    (
        "Obrazec za vračilo ne deluje",
        "Luka Horvat",
        "luka.horvat@example.si",
        "sl",
        "report-problem",
        {
            "category": "bug",
            "description": "Gumb »Pošlji« na obrazcu za vračilo ne naredi ničesar.",
        },
        None,
        ("start",),
        20,
        None,
    ),
    (
        "Pohvala za hitro pomoč",
        "Nina Kranjc",
        "nina.kranjc@example.si",
        "sl",
        "nps",
        {
            "score": 10,
            "testimonial": "yes",
            "testimonial_text": "Težavo ste rešili v eni uri. Hvala!",
        },
        ("nps", 10),
        ("start", "resolve"),
        72,
        None,
    ),
    (
        "Invoice shows the wrong VAT number",
        "Emma Clarke",
        "emma.clarke@example.co.uk",
        "en",
        "csat",
        {"csat": 2, "comment": "Second time this month the invoice is wrong."},
        ("csat", 2),
        ("start",),
        8,
        "urgent",
    ),
    (
        "Mobile app logs me out",
        "Oliver Brown",
        "oliver@example.com",
        "en",
        "report-problem",
        {
            "category": "bug",
            "description": "The app logs me out every time I switch to another app.",
        },
        None,
        ("start", "resolve", "close"),
        120,
        None,
    ),
    (
        "Kurier zostawił paczkę pod drzwiami",
        "Marek Nowak",
        "marek.nowak@example.pl",
        "pl",
        "nps",
        {
            "score": 5,
            "what_went_wrong": "Paczka leżała pod drzwiami cały dzień, mimo że prosiłem o odbiór "
            "w punkcie.",
        },
        ("nps", 5),
        ("start",),
        26,
        "high",
    ),
    (
        "Chętnie polecę was znajomym",
        "Agnieszka Lewandowska",
        "agnieszka.l@example.pl",
        "pl",
        "nps",
        {
            "score": 9,
            "testimonial": "yes",
            "testimonial_text": "Szybka dostawa i bardzo miła obsługa na czacie.",
        },
        ("nps", 9),
        (),
        1,
        None,
    ),
    (
        "Промокод не применяется в корзине",
        "Анна Кузнецова",
        "anna.kuznetsova@example.ru",
        "ru",
        "report-problem",
        {
            "category": "bug",
            "description": "Ввожу промокод из рассылки — пишет «недействителен», хотя срок ещё "
            "не истёк.",
            "page_url": "https://shop.example.ru/cart",
        },
        None,
        ("start",),
        12,
        None,
    ),
    (
        "Оператор не перезвонил",
        "Дмитрий Соколов",
        "d.sokolov@example.ru",
        "ru",
        "csat",
        {"csat": 1, "comment": "Обещали перезвонить в течение часа, прошло два дня."},
        ("csat", 1),
        (),
        40,
        "high",
    ),
    (
        "Ne najdem računa za naročilo",
        "Maja Novak",
        "maja.novak@example.si",
        "sl",
        "goal",
        {"goal": "no", "what_stopped_you": "Račun ni priložen e-pošti in ga ni v profilu."},
        None,
        ("start", "ask_customer"),
        30,
        None,
    ),
    (
        "Aplikacija se sesuje ob plačilu",
        "Žiga Kovač",
        "ziga.kovac@example.si",
        "sl",
        "report-problem",
        {
            "category": "bug",
            "description": "Ko pritisnem »Plačaj«, se aplikacija zapre. Android 14.",
        },
        None,
        (),
        3,
        "urgent",
    ),
    (
        "Checkout asks for my address twice",
        "Sophie Turner",
        "sophie.turner@example.com",
        "en",
        "goal",
        {"goal": "no", "what_stopped_you": "I typed my address, then the next page asked again."},
        None,
        ("start",),
        16,
        None,
    ),
    (
        "Great support, small delay",
        "James Wilson",
        "james.wilson@example.com",
        "en",
        "nps",
        {"score": 8, "what_went_wrong": "Support was great, but the parcel came a day late."},
        ("nps", 8),
        ("start", "resolve"),
        48,
        None,
    ),
    # Jan writes again about LD-1001: his ticket page lists both under "other requests".
    (
        "Nadal nie mogę zapłacić kartą",
        "Jan Wiśniewski",
        "jan.wisniewski@example.pl",
        "pl",
        "report-problem",
        {
            "category": "payment",
            "description": "Piszę drugi raz: płatność kartą wciąż nie działa, zamówienie czeka.",
            "page_url": "https://shop.example.pl/koszyk",
        },
        None,
        (),
        1,
        None,
    ),
)

# The shop's own customer number, signed into the NPS link (the form signs customer_id):
# LD-1001 shows it among the customer's facts as verified.
DEMO_CUSTOMER_IDS = {"Płatność kartą nie przechodzi": "C-20417"}

# Where the customers' browsers said they were when they answered (the conversation page
# sends the zone, services.customer_timezone): mostly at home, by their language's country
# (demo_history.CUSTOMER_ZONES), a few elsewhere. Their status pages and their lists of
# requests show times on their own clock.
DEMO_CUSTOMERS_ABROAD = {
    "oliver@example.com": "America/New_York",
    "igor.petrov@example.ru": "Asia/Yekaterinburg",
    "sophie.turner@example.com": "Europe/Dublin",
}


def demo_customer_zone(email: str, locale: str) -> str:
    """The time zone a demo customer's browser told us."""
    from webapp.demo_history import CUSTOMER_ZONES

    return DEMO_CUSTOMERS_ABROAD.get(email, CUSTOMER_ZONES[locale])


def seed_demo_tickets() -> int:
    """Create demo tickets in several states and languages (only into an empty ticket table)."""
    from datetime import timedelta

    from sqlalchemy import func

    from survey_forms.scoring import csat_category, nps_category
    from webapp.demo_files import seed_demo_files
    from webapp.demo_history import seed_demo_history
    from webapp.demo_responses import seed_demo_responses
    from webapp.models import Ticket, utcnow
    from webapp.services import sla_clock
    from webapp.services.replies import send_public_reply
    from webapp.services.tickets import NewTicket, change_priority, create_ticket, fire

    if db.session.scalar(select(func.count(Ticket.id))):
        return 0
    now = utcnow()
    for subject, name, email, locale, form, answers, score, moves, age, priority in DEMO_TICKETS:
        scored = None
        if score:
            kind, value = score
            category = nps_category(value) if kind == "nps" else csat_category(value)
            scored = {"type": kind, "value": value, "category": category}
        customer_id = DEMO_CUSTOMER_IDS.get(subject)
        metadata = {
            "page_url": answers.get("page_url", "https://shop.example.com/"),
            "timezone": demo_customer_zone(email, locale),
        }
        ticket = create_ticket(
            NewTicket(
                subject=subject,
                customer_name=name,
                customer_email=email,
                customer_locale=locale,
                form_slug=form,
                answers=answers,
                score=scored,
                created_at=now - timedelta(hours=age),
                metadata={**metadata, "customer_id": customer_id} if customer_id else metadata,
                customer_ref=customer_id,
                customer_ref_verified=customer_id is not None,
            )
        )
        if priority:
            change_priority(ticket, priority, None)
        for trigger in moves:
            if trigger == "ask_customer":
                send_public_reply(ticket, DEMO_QUESTIONS[locale], ticket.assignee)
            fire(ticket, trigger, ticket.assignee)
        db.session.commit()
    seed_demo_history(now, DEMO_QUESTIONS)
    seed_demo_teamwork(now)
    seed_demo_files()
    seed_demo_responses(now)
    seed_demo_follow_ups(now)
    for _round in range(3):  # a breach raises the priority, whose tighter clocks are past too
        if not sla_clock.sweep(now):
            break
    seed_demo_inbox()
    return len(DEMO_TICKETS)


def seed_demo_inbox(unread: int = 3) -> None:
    """The seeding itself notified people (routing, mentions, tasks, SLA): each keeps their
    newest few unread, so the bell shows a number at once, and the rest (the weeks of
    history among them) read.

    The inbox lists entries by id, which in real use follows time; the weeks of history
    were seeded after today's tickets, so the entries are written again in time order.
    """
    from webapp.models import InboxNotification

    entries = db.session.scalars(
        select(InboxNotification).order_by(InboxNotification.created_at, InboxNotification.id)
    ).all()
    rows = [
        {
            column.key: getattr(entry, column.key)
            for column in InboxNotification.__table__.columns
            if column.key != "id"
        }
        for entry in entries
    ]
    db.session.execute(delete(InboxNotification))
    seen: dict[int, int] = {}
    for row in reversed(rows):  # newest first: each colleague's first few stay unread
        seen[row["user_id"]] = seen.get(row["user_id"], 0) + 1
        if seen[row["user_id"]] > unread:
            row["read_at"] = row["created_at"]
    db.session.add_all(InboxNotification(**row) for row in rows)
    db.session.commit()


def seed_demo_follow_ups(now) -> None:
    """Post-resolution surveys (answered, one promoter, one still scheduled), preferences."""
    from datetime import timedelta

    from webapp.models import SurveyInvitation, SurveyStatus, Ticket
    from webapp.services import surveys

    tickets = {t.subject: t for t in db.session.scalars(select(Ticket))}
    people = {u.email.split("@")[0]: u for u in db.session.scalars(select(User))}
    praised = tickets["Pohvala za hitro pomoč"]  # resolved three days ago: asked NPS
    logged_out = tickets["Mobile app logs me out"]  # closed: asked CSAT
    # "Great support, small delay" was resolved too: its CSAT survey is still scheduled.
    sent = {}
    for ticket, form_slug in ((praised, "nps"), (logged_out, "csat")):
        invitation = db.session.scalar(
            select(SurveyInvitation).where(
                SurveyInvitation.ticket_id == ticket.id,
                SurveyInvitation.status == SurveyStatus.SCHEDULED,
            )
        )
        invitation.form_slug, invitation.due_at = form_slug, now - timedelta(minutes=5)
        sent[ticket.id] = invitation
    db.session.commit()
    surveys.send_due_surveys(now)
    surveys.record_answer(sent[logged_out.id], 4, "Fixed, but it took a few days.")
    surveys.record_answer(sent[praised.id], 10)  # the shipped automation asks for a testimonial
    db.session.commit()

    # Maja reads mentions in an hourly digest; everyone else gets notices at once.
    people["maja"].notification_settings = {"mentions": "digest"}
    db.session.commit()
    seed_demo_webhook(people["admin"], now)
    seed_demo_studio(people["admin"])


# A question an admin is adding to the NPS form, written in English and Polish so far.
DEMO_DRAFT_QUESTION = {
    "id": "contact_ok",
    "type": "consent",
    "required": False,
    "text": {
        "en": "May we contact you about your answer?",
        "pl": "Czy możemy skontaktować się z Tobą w sprawie tej odpowiedzi?",
    },
}

# The confirmation e-mail in an admin's own Polish wording (placeholders filled on sending).
DEMO_OWN_CONFIRMATION = {
    "subject": "Dziękujemy! Zgłoszenie {number} jest już u nas",
    "body": (
        "Dzień dobry {name},\n\n"
        "dziękujemy za wiadomość. Zgłoszenie {number} trafiło do naszego zespołu; "
        "odpowiemy najpóźniej {first_response_due}.\n\n"
        "Stan zgłoszenia sprawdzisz tutaj: {status_link}"
    ),
}


def seed_demo_studio(admin: User) -> None:
    """The admin studio mid-work: a form draft missing two translations, an own e-mail text in
    Polish, and the audit log of these changes."""
    import yaml

    from webapp.models import AuditEntry, Form, Webhook
    from webapp.services import audit, drafts, email_texts
    from webapp.services.forms import active_version

    webhook = db.session.scalar(select(Webhook))
    if webhook and not db.session.scalar(select(AuditEntry.id).limit(1)):
        after = audit.snapshot(webhook, ("name", "url", "events", "active"))
        audit.record("webhook.created", webhook, webhook.name, after=after, actor=admin)
    nps = db.session.scalar(select(Form).where(Form.slug == "nps"))
    version = active_version(nps) if nps else None
    if version and drafts.current("form", "nps") is None:
        data = yaml.safe_load(version.yaml_text)
        data["questions"].append(DEMO_DRAFT_QUESTION)
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        drafts.save("form", "nps", text, revision=None, base_number=version.number, actor=admin)
    try:
        with db.session.begin_nested():
            email_texts.save(
                "ticket_confirmation", "pl", **DEMO_OWN_CONFIRMATION, revision=0, actor=admin
            )
    except (email_texts.EmailTextConflict, email_texts.EmailTextRefused):
        pass  # an own text is there already
    db.session.commit()


def seed_demo_webhook(admin: User, now) -> None:
    """A CRM webhook, switched off until an admin points it at a real receiver."""
    from webapp.services.webhooks import DEMO_OFF_REASON, create_webhook

    webhook = create_webhook(
        "CRM (example)",
        "https://crm.example.com/hooks/loopdesk",
        ["ticket.created", "ticket.transitioned", "survey.answered"],
        admin,
    )
    webhook.active = False
    webhook.disabled_at = now
    webhook.disabled_reason = DEMO_OFF_REASON
    db.session.commit()


# What the assignee asks before waiting on the customer, in the customer's language.
DEMO_QUESTIONS = {
    "en": "Could you send us the order number, please?",
    "pl": "Prosimy o numer zamówienia, wtedy sprawdzimy to od razu.",
    "ru": "Пришлите, пожалуйста, номер заказа — сразу проверим.",
    "sl": "Nam lahko pošljete številko naročila?",
}


def seed_demo_teamwork(now) -> None:
    """Notes with mentions, labels, tasks (one overdue), a watcher and a reminder."""
    from datetime import timedelta

    from webapp.models import Ticket
    from webapp.services.notes import add_note
    from webapp.services.reminders import create_reminder
    from webapp.services.tasks import assign_task
    from webapp.services.tickets import add_label
    from webapp.services.watchers import follow

    people = {u.email.split("@")[0]: u for u in db.session.scalars(select(User))}
    tickets = {t.subject: t for t in db.session.scalars(select(Ticket))}
    anna, dmitri, maja, admin = (people[k] for k in ("anna", "dmitri", "maja", "admin"))

    card = tickets["Płatność kartą nie przechodzi"]
    add_label(card, "płatności", anna)
    add_note(card, "@dmitri czy widziałeś podobne błędy bramki w Rosji?", anna)
    assign_task(card, "Sprawdzić logi bramki płatniczej", maja, anna, now + timedelta(days=1))

    late = tickets["Доставка задержалась на неделю"]
    add_label(late, "доставка", dmitri)
    add_note(late, "Курьерская служба подтвердила задержку на складе.", dmitri)

    vat = tickets["Invoice shows the wrong VAT number"]
    add_label(vat, "billing", admin)
    assign_task(
        vat, "Correct the VAT number in the invoice template", anna, admin, now - timedelta(hours=3)
    )  # overdue: flagged on the card
    follow(vat, admin, ["resolved", "public_reply"], admin)

    crash = tickets["Aplikacija se sesuje ob plačilu"]
    add_label(crash, "mobilna aplikacija", maja)
    add_note(crash, "@anna enaka napaka kot pri plačilu s kartico?", maja)
    create_reminder(
        crash,
        maja,
        (now + timedelta(days=1)).strftime("%Y-%m-%dT09:00"),
        "Preveri novo različico aplikacije",
    )
    db.session.commit()
