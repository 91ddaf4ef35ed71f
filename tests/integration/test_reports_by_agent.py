"""Reports per agent: each assignee's tickets, promises kept and ratings. Admins compare
everyone; an agent sees their own row only, on the page and in the CSV."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from tests.helpers import text_of
from tests.integration.test_reports import _rated, _ticket
from webapp.extensions import db
from webapp.models import Role, Team


def _care() -> Team:
    return db.session.scalar(select(Team).where(Team.slug == "customer-care"))


def _setup(builtin_forms, create_user):
    ola = builtin_forms
    piotr = create_user(email="piotr@example.com", name="Piotr", role=Role.AGENT)
    care = _care()
    mine = _ticket(care, hours_ago=30, replied_after=1, resolved_after=20)
    mine.assignee_id = ola.id
    late = _ticket(care, hours_ago=20, replied_after=6)
    late.assignee_id = piotr.id
    nobody = _ticket(care, hours_ago=5)
    nobody.assignee_id = None
    db.session.commit()
    _rated(mine, 5)
    return ola, piotr


def test_an_admin_compares_every_agent(client, login, builtin_forms, create_user, admin):
    _setup(builtin_forms, create_user)
    login(admin)
    page = text_of(client.get("/reports"))
    section = page[page.index("Tickets and satisfaction by agent") :]
    assert "Ola 1 1 100% (1/1) 60 min 100% (1/1) 5.0 of 5 100% satisfied" in section
    assert "Piotr 1 0 0% (0/1) 6 hr" in section
    assert "Unassigned 1 0" in section
    assert section.index("Ola") < section.index("Piotr") < section.index("Unassigned")

    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/reports.csv").get_data(as_text=True).lstrip("\ufeff"))
        )
    )
    agents = [(r["key"], r["name"]) for r in rows if r["section"] == "agents"]
    assert agents == [
        ("ola@example.com", "Ola"),
        ("piotr@example.com", "Piotr"),
        ("(unassigned)", "Unassigned"),
    ]


def test_an_agent_sees_only_their_own_row_in_their_language(
    client, login, builtin_forms, create_user
):
    ola, _piotr = _setup(builtin_forms, create_user)
    ola.locale = "pl"
    db.session.commit()
    login(ola)
    page = text_of(client.get("/reports"))
    section = page[page.index("Twoje zgłoszenia i zadowolenie") :]
    assert "Ola 1 1" in section
    assert "Piotr" not in page and "Nieprzypisane" not in section
    assert "Administratorzy widzą wyniki wszystkich agentów." in section
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/reports.csv").get_data(as_text=True).lstrip("\ufeff"))
        )
    )
    assert [r["key"] for r in rows if r["section"] == "agents"] == ["ola@example.com"]
