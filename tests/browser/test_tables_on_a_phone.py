"""On a phone, the staff's lists are cards (one per row, each fact named), not tables that
scroll sideways; on a desktop they are tables."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import staff_login
from tests.helpers import make_ticket
from webapp.extensions import db
from webapp.models import CannedReply, InboundEmail, Role, SlaAlert, Webhook, WebhookDelivery
from webapp.services import audit

pytestmark = pytest.mark.browser

NAMED_FACTS = (
    "cells => cells.map(c => getComputedStyle(c, '::before').content.replaceAll('\"', ''))"
)


@pytest.mark.parametrize(
    "where, first_facts",
    [
        ("/tickets", ["Status", "Priorytet", "Zespół"]),
        ("/dashboard", ["Odpowiedzi", "Ukończone"]),
        ("/admin/", ["E-mail", "Rola"]),
        ("/admin/audit", ["Kto"]),
        ("/admin/forms", ["Wersja opublikowana", "Wersje"]),
        ("/admin/teams", ["Nazwa do kierowania", "Członkowie"]),
        ("/admin/webhooks", ["Adres URL", "Zdarzenia"]),
        ("/admin/email-templates", ["Angielski", "Polski"]),
        ("/admin/mail", ["Temat", "Język"]),
        ("/admin/forms/nps/versions", ["Opublikowano", "Autor"]),
        ("/admin/workflow/versions", ["Autor", "Opublikowano"]),
        ("/admin/mail/received", ["Temat", "Zgłoszenie"]),
        ("/admin/sla-alerts", ["Zegar", "Co się stało"]),
        ("/admin/canned-replies", ["Tekst", "Status"]),
        ("/admin/webhooks/{hook}/deliveries", ["Zdarzenie", "Status"]),
        ("/admin/forms/nps/translations", ["Przetłumaczone", "Brakujące teksty"]),
    ],
)
def test_on_a_phone_each_row_is_a_card_with_its_facts_named(
    page, live_server, create_user, builtin_forms, where, first_facts
):
    boss = create_user(email="szef@example.com", role=Role.ADMIN, locale="pl")
    ticket = make_ticket(subject="Paczka przyszła uszkodzona")
    audit.record("team.created", ticket.team, ticket.team.name, after={"name": "x"}, actor=boss)
    hook = Webhook(
        name="CRM",
        url="https://crm.example.com/hooks/loopdesk/a-rather-long-path",
        secret="s3cret",
        events=["ticket.created", "ticket.transitioned"],
    )
    db.session.add(hook)
    db.session.flush()
    db.session.add(
        WebhookDelivery(
            webhook_id=hook.id,
            delivery_key="ticket.created:1",
            event="ticket.created",
            status="failed",
            attempts=8,
            response_code=502,
            last_error="HTTP 502 from https://crm.example.com/hooks/loopdesk/a-rather-long-path",
        )
    )
    db.session.add(CannedReply(title="Przeprosiny", locale="pl", body="Dzień dobry {name}, " * 5))
    db.session.add_all(
        [
            InboundEmail(
                message_id="<reply-1@example.com>",
                ticket_id=ticket.id,
                sender="klient@example.com",
                subject="Re: Paczka przyszła uszkodzona",
                outcome="added",
            ),
            SlaAlert(
                ticket_id=ticket.id,
                metric="resolution",
                kind="breach",
                status="failed",
                attempts=5,
                last_error="SMTPServerDisconnected('Connection_unexpectedly_closed_by_remote_host')",
            ),
        ]
    )
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 800})
    staff_login.log_in(page, live_server, "szef@example.com", then=where.format(hook=hook.id))
    table = page.locator("table.stack-on-phone").first
    row = table.locator("tbody tr").first
    expect(row).to_be_visible()
    named = row.locator("td[data-label]").evaluate_all(NAMED_FACTS)
    assert named[: len(first_facts)] == first_facts
    assert table.locator("thead").evaluate("el => el.offsetHeight") <= 1
    # Nothing scrolls sideways: every row fits the phone's width.
    assert row.evaluate("el => el.getBoundingClientRect().right") <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # On a desktop it is the usual table, with its column headers.
    page.set_viewport_size({"width": 1366, "height": 800})
    expect(table.locator("thead")).to_be_visible()
    assert row.locator("td[data-label]").evaluate_all(NAMED_FACTS)[0] in ("none", "normal")


# Whether a cell is as tall as its name (the ::before) set in the name's width and font.
NAME_FITS_ITS_FACT = """cells => cells.every(cell => {
  const name = getComputedStyle(cell, '::before');
  const probe = document.createElement('div');
  probe.textContent = name.content.slice(1, -1);
  probe.style.cssText = `position: absolute; visibility: hidden; width: ${name.width};
    font: ${name.font}; line-height: ${name.lineHeight}`;
  document.body.append(probe);
  const needed = probe.getBoundingClientRect().height;
  probe.remove();
  return cell.getBoundingClientRect().height >= needed;
})"""


def test_the_reports_tables_are_cards_whose_long_fact_names_never_overlap(
    page, live_server, create_user, builtin_forms
):
    from tests.integration.test_dashboard import _respond
    from webapp.services.tickets import add_label

    create_user(email="szefowa@example.com", role=Role.ADMIN, locale="pl")
    add_label(make_ticket(), "Płatności kartą", None)
    _respond("csat", {"csat": 4}, days_ago=0.01)
    for _ in range(2):  # a theme customers write about
        _respond("nps", {"score": 3, "what_went_wrong": "Płatność kartą nie działa"}, days_ago=0.01)
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 800})
    staff_login.log_in(page, live_server, "szefowa@example.com", then="/reports")
    tables = page.locator("table.stack-on-phone")
    expect(page.locator("#report-themes table")).to_be_visible()  # counted after the page
    assert tables.count() == 7  # teams, agents, weeks, languages, channels, labels, themes
    for n in range(7):
        row = tables.nth(n).locator("tbody tr").last
        cells = row.locator("td[data-label]")
        assert cells.count() >= 3
        assert cells.evaluate_all(NAMED_FACTS)[0]  # each fact named, in Polish
        # A name that wraps ("Udział w zgłoszeniach okresu") makes its fact taller: it never
        # spills into the next one.
        assert cells.evaluate_all(NAME_FITS_ITS_FACT)
        assert row.evaluate("el => el.getBoundingClientRect().right") <= 390
    assert "Udział w zgłoszeniach okresu" in tables.nth(5).locator("tbody tr").first.evaluate(
        "r => [...r.cells].map(c => getComputedStyle(c, '::before').content).join(' ')"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_on_a_laptop_a_long_label_wraps_in_the_reports_labels_table(page, live_server, create_user):
    """A label may be 64 characters of one word: it made the labels table 1350 px wide at
    1280 px, its numbers behind a sideways scroll."""
    from webapp.services.tickets import add_label

    create_user(email="szefowa@example.com", role=Role.ADMIN, locale="pl")
    add_label(make_ticket(), "zwrot-" + "x" * 58, None)
    db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 800})
    staff_login.log_in(page, live_server, "szefowa@example.com", then="/reports")
    wrap = page.locator("section[aria-labelledby=labels-title] .table-wrap")
    expect(wrap).to_contain_text("zwrot-")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth"), "the table scrolls sideways"


def test_the_sla_policies_and_calendars_are_cards_whose_hours_are_read_whole(
    page, live_server, create_user
):
    """Both tables scrolled sideways in their box on a phone, and a calendar's hours, kept on
    one line, were cut off there ("pn.–pt. 09:00–12:00, 13:00")."""
    create_user(email="szef@example.com", role=Role.ADMIN, locale="pl")
    page.set_viewport_size({"width": 390, "height": 800})
    staff_login.log_in(page, live_server, "szef@example.com", then="/admin/workflow/sla")
    policies, calendars = page.locator("table.stack-on-phone").all()
    first_policy = policies.locator("tbody tr").first
    assert first_policy.locator("td[data-label]").evaluate_all(NAMED_FACTS)[:2] == [
        "Ma zastosowanie, gdy",
        "Kalendarz",
    ]
    ljubljana = calendars.locator("tbody tr", has_text="ljubljana_office")
    assert ljubljana.locator("td[data-label]").evaluate_all(NAMED_FACTS)[:2] == [
        "Strefa czasowa",
        "Godziny pracy",
    ]
    hours = ljubljana.locator(".sla-hours")
    expect(hours).to_have_text("pon.–pt. 09:00–12:00, 13:00–17:00")
    assert hours.evaluate("e => e.getBoundingClientRect().right") <= 390
    cut = page.locator(".cell-value").evaluate_all(
        "cells => cells.filter(c => c.scrollWidth > c.clientWidth + 1).length"
    )
    assert cut == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
