"""The ticket's history names an automation that ran by the admin's name, else by its
number in the workflow in the reader's language, never by the event code it listens to."""

from __future__ import annotations

import pytest
import yaml

from tests.helpers import make_ticket, text_of
from webapp.extensions import db
from webapp.models import TicketEvent, WorkflowKind
from webapp.services.history import record_event
from webapp.services.tickets import add_label
from webapp.services.workflow_versions import SHIPPED, publish_version


def _publish_automations(*rules: dict) -> int:
    """Publish the shipped workflow plus `rules`; the number of the first of them."""
    data = yaml.safe_load(SHIPPED[WorkflowKind.TICKET].read_text(encoding="utf-8"))
    shipped = list(data.get("automations") or [])
    data["automations"] = [*shipped, *rules]
    publish_version(WorkflowKind.TICKET, yaml.safe_dump(data), None, check_teams=False)
    db.session.commit()
    return len(shipped) + 1


@pytest.mark.parametrize(
    ("locale", "named", "unnamed"),
    [
        ("en", "Automation “VIPs first” ran.", "Automation {n} ran."),
        ("pl", "Uruchomiono automatyzację „VIPs first”.", "Uruchomiono automatyzację {n}."),
        (
            "ru",
            "Выполнено правило автоматизации «VIPs first».",
            "Выполнено правило автоматизации {n}.",
        ),
        ("sl", "Izvedena avtomatizacija »VIPs first«.", "Izvedena avtomatizacija {n}."),
    ],
)
def test_an_unnamed_automation_reads_by_its_number_in_the_readers_language(
    client, login, agent, locale, named, unnamed
):
    first = _publish_automations(
        {"name": "VIPs first", "on": "label.added", "do": [{"set_priority": "high"}]},
        {"on": "label.added", "do": [{"add_label": "seen"}]},
    )
    ticket = make_ticket()
    add_label(ticket, "vip", agent)
    db.session.commit()
    agent.locale = locale
    db.session.commit()
    login(agent)
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "label.added" not in page
    assert named in page
    assert unnamed.format(n=first + 1) in page


def test_an_automation_recorded_by_its_event_code_reads_as_an_automation(client, login, agent):
    """History written before automations were numbered kept the event code as the name."""
    ticket = make_ticket()
    record_event(ticket, "automation", None, rule="survey.answered")
    db.session.commit()
    login(agent)
    page = text_of(client.get(f"/tickets/{ticket.number}"))
    assert "An automation ran." in page
    assert "survey.answered" not in page
    assert db.session.query(TicketEvent).filter_by(kind="automation").count() == 1
