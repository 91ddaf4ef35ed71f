"""The main bar stays short: the admin area is one link, its sections a second bar on its pages."""

from tests.helpers import text_of


def test_admin_sections_show_only_inside_the_admin_area(client, login, admin):
    login(admin)
    board = client.get("/board").get_data(as_text=True)
    assert ">Administration</a>" in board and "admin-nav" not in board
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert 'class="container-fluid admin-nav" aria-label="Administration"' in audit
    assert 'href="/admin/audit" aria-current="page"' in audit
    assert 'href="/admin/users" aria-current="true">Administration' in audit


def test_agents_see_no_administration_link(client, login, agent):
    login(agent)
    assert "Administration" not in text_of(client.get("/board"))
