"""The audit log's entry for a publish (or a roll-back) that changed the business calendars
says how many open tickets' SLA deadlines moved, in the admin's language with its plural;
a publish that changed no calendar says nothing of deadlines."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.helpers import make_ticket, text_of
from tests.integration.test_sla_calendar_changes import (
    SHIPPED_TEXT,
    WARSAW,
    publish,
    with_warsaw_closed_on,
)
from webapp.extensions import db
from webapp.models import AuditEntry, Role
from webapp.services.workflow_versions import active_version

LABEL = "SLA deadlines moved to the new calendars"
LANGUAGE_WORDS = {
    # locale: (the field's label, two open tickets)
    "en": (LABEL, "2 open tickets"),
    "pl": ("Terminy SLA przeniesione na nowe kalendarze pracy", "2 otwarte zgłoszenia"),
    "ru": ("Сроки SLA, пересчитанные по новым рабочим календарям", "2 открытых обращения"),
    "sl": ("Roki SLA, premaknjeni na nove delovne koledarje", "2 odprta zahtevka"),
}


def _entry(action: str) -> AuditEntry:
    db.session.expire_all()
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc())
    ).first()


@pytest.mark.parametrize("locale", sorted(LANGUAGE_WORDS))
def test_the_publish_and_the_roll_back_say_how_many_deadlines_moved(
    client, login, create_user, post_form, builtin_forms, locale
):
    first, second = make_ticket(subject="Nie mogę zapłacić"), make_ticket(subject="Brak paczki")
    assert first.resolution_due_at == second.resolution_due_at  # one holiday moves both
    holiday = first.resolution_due_at.astimezone(WARSAW).date()
    label, two_tickets = LANGUAGE_WORDS[locale]
    login(create_user(email="boss@example.com", name="Bo Boss", role=Role.ADMIN, locale=locale))

    publish(client, post_form, with_warsaw_closed_on(holiday))
    assert _entry("workflow.published").after["deadlines_moved"] == 2
    log = text_of(client.get("/admin/audit?action=workflow.published"))
    assert f"{label} — → {two_tickets}" in log

    # Back to version 1's calendar: both deadlines move back, and the roll-back says so.
    rolled = post_form("/admin/workflow/versions/1/rollback", {"comment": ""})
    assert rolled.status_code == 303
    assert _entry("workflow.rolled_back").after["deadlines_moved"] == 2
    log = text_of(client.get("/admin/audit?action=workflow.rolled_back"))
    assert f"{label} — → {two_tickets}" in log


def test_a_calendar_change_with_no_open_ticket_to_move_says_none_moved(
    client, login, create_user, post_form, builtin_forms
):
    active_version()  # the shipped version 1, committed: no ticket was made to write it
    db.session.commit()
    login(create_user(email="boss@example.com", name="Bo Boss", role=Role.ADMIN, locale="pl"))
    publish(client, post_form, SHIPPED_TEXT.replace("2026-12-31", "2026-12-30"))
    assert _entry("workflow.published").after["deadlines_moved"] == 0
    log = text_of(client.get("/admin/audit?action=workflow.published"))
    assert "Terminy SLA przeniesione na nowe kalendarze pracy — → 0 otwartych zgłoszeń" in log


def test_a_publish_that_changed_no_calendar_says_nothing_of_deadlines(
    client, login, create_user, post_form, builtin_forms
):
    make_ticket()
    login(create_user(email="boss@example.com", name="Bo Boss", role=Role.ADMIN))
    relabelled = SHIPPED_TEXT.replace("label: {en: Warsaw office,", "label: {en: Warsaw HQ,")
    publish(client, post_form, relabelled)
    assert "deadlines_moved" not in _entry("workflow.published").after
    log = text_of(client.get("/admin/audit?action=workflow.published"))
    assert "Warsaw HQ" in log and LABEL not in log
