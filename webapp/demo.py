"""Demo data for `make run`: a small, realistic, multilingual support team."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Role, Team, TeamMembership, User

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
    ),
    DemoPerson(
        "anna@loopdesk.test",
        "Anna Kowalska",
        Role.AGENT,
        "pl",
        "Europe/Warsaw",
        ("pl", "en"),
        ("customer-care",),
    ),
    DemoPerson(
        "dmitri@loopdesk.test",
        "Dmitri Ivanov",
        Role.AGENT,
        "ru",
        "Europe/Moscow",
        ("ru", "en"),
        ("customer-care", "product-quality"),
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
        )
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        for slug in person.teams:
            db.session.add(TeamMembership(team=teams[slug], user=user, is_lead=person.lead))
        added = True
    db.session.commit()
    return added


def demo_logins() -> list[tuple[str, str, str]]:
    return [(p.email, DEMO_PASSWORD, p.role.value) for p in PEOPLE]
