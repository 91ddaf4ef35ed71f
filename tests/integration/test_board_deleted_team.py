"""A saved view (or a bookmark) filtered by a team that has since been deleted."""

from __future__ import annotations

import html

from sqlalchemy import select

from tests.helpers import make_ticket, text_of
from tests.integration.test_board import card_numbers
from webapp.extensions import db
from webapp.models import SavedView, Team

HTMX = {"HX-Request": "true"}


def _views(user) -> dict[str, str]:
    db.session.expire_all()
    return dict(
        db.session.execute(
            select(SavedView.name, SavedView.query).where(SavedView.user_id == user.id)
        ).all()
    )


def _delete_team_as_admin(client, login, post_form, admin, team: Team) -> None:
    login(admin)
    assert post_form(f"/admin/teams/{team.id}/delete").status_code == 303
    post_form("/logout")


def test_opening_a_view_of_a_deleted_team_says_so_and_drops_the_filter(
    client, login, post_form, create_user, admin
):
    ola = create_user(email="ola@example.com", name="Ola", locale="pl")
    ivan = create_user(email="ivan@example.com", name="Ivan", locale="ru")
    parcels = Team(slug="parcels", name="Paczki & <zwroty>")
    db.session.add_all([parcels, Team(slug="care", name="Care")])
    db.session.add_all(
        [
            SavedView(user_id=ola.id, name="Paczki <pilne>", query="team=parcels&language=pl"),
            SavedView(user_id=ola.id, name="Pilne", query="priority=urgent"),
            SavedView(user_id=ivan.id, name="Посылки", query="team=parcels"),
        ]
    )
    db.session.commit()
    _delete_team_as_admin(client, login, post_form, admin, parcels)
    elsewhere = make_ticket(subject="Late parcel")  # Polish, in no deleted team

    login(ola)
    opened = client.get("/board?team=parcels&language=pl")
    # The board without the filter (the other filters kept), and why, in Ola's language.
    assert opened.status_code == 303
    assert opened.headers["Location"] == "/board?language=pl"
    board = client.get(opened.headers["Location"])
    page = html.unescape(text_of(board))
    assert (
        "Zespół „Paczki & <zwroty>” już nie istnieje: tablica pokazuje zgłoszenia wszystkich "
        "zespołów. Filtr usunięto z Twoich zapisanych widoków: „Paczki <pilne>”." in page
    )
    body = board.get_data(as_text=True)
    assert "Paczki &lt;pilne&gt;" in body and "&lt;zwroty&gt;" in body  # names escaped
    assert elsewhere.number in card_numbers(board)
    # Her view no longer names the team; her other view and Ivan's are left as they were.
    assert _views(ola) == {"Paczki <pilne>": "language=pl", "Pilne": "priority=urgent"}
    assert _views(ivan) == {"Посылки": "team=parcels"}
    # Told once: the view now opens without a word.
    again = client.get("/board?language=pl")
    assert again.status_code == 200 and "parcels" not in text_of(again)

    # A bookmark, or a board left open (htmx): reloaded without the team, and told why.
    swapped = client.get("/board?team=parcels", headers=HTMX)
    assert swapped.headers["HX-Redirect"] == "/board"
    page = html.unescape(text_of(client.get("/board")))
    assert (
        "Zespół „Paczki & <zwroty>” już nie istnieje: tablica pokazuje zgłoszenia wszystkich "
        "zespołów." in page
    )
    assert "zapisanych widoków" not in page  # none of hers named it any more


def test_a_team_that_exists_is_filtered_as_before(client, login, create_user):
    ola = create_user(email="ola@example.com", name="Ola", locale="en")
    db.session.add(Team(slug="care", name="Care"))
    db.session.commit()
    login(ola)
    reply = client.get("/board?team=care")
    assert reply.status_code == 200
    assert "no longer exists" not in text_of(reply)


def test_a_team_the_audit_log_never_saw_deleted_is_named_by_its_slug(client, login, create_user):
    """A bookmark of a team deleted before the audit log (or never there): the slug is all
    there is to name it by."""
    ola = create_user(email="ola@example.com", name="Ola", locale="en")
    login(ola)
    opened = client.get("/board?team=old-parcels")
    assert opened.status_code == 303
    page = html.unescape(text_of(client.get(opened.headers["Location"])))
    assert "The team “old-parcels” no longer exists: the board shows every team's tickets." in page


def test_a_reused_slug_is_named_after_the_team_deleted_last(
    client, login, post_form, create_user, admin
):
    ola = create_user(email="ola@example.com", name="Ola", locale="en")
    first = Team(slug="parcels", name="Parcels 2024")
    db.session.add(first)
    db.session.commit()
    _delete_team_as_admin(client, login, post_form, admin, first)
    db.session.expunge(first)  # deleted by the request; SQLite may give its id again
    second = Team(slug="parcels", name="Parcels and returns")
    db.session.add(second)
    db.session.commit()
    _delete_team_as_admin(client, login, post_form, admin, second)
    login(ola)
    page = html.unescape(text_of(client.get("/board?team=parcels", follow_redirects=True)))
    assert "The team “Parcels and returns” no longer exists" in page


def test_an_agent_limited_to_their_teams_is_not_promised_every_teams_tickets(
    client, login, create_user
):
    from webapp.models import TicketAccess

    ola = create_user(email="ola@example.com", name="Ola", locale="pl")
    ola.ticket_access = TicketAccess.TEAMS
    db.session.commit()
    login(ola)
    opened = client.get("/board?team=old-parcels")
    page = html.unescape(text_of(client.get(opened.headers["Location"])))
    assert "Zespół „old-parcels” już nie istnieje: tablica pokazuje wszystkie zgłoszenia" in page
    assert "wszystkich zespołów" not in page
