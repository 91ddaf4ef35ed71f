"""Each staff member can turn the single-key shortcuts off on their profile (WCAG 2.1.4):
then no staff page loads the shortcuts' script or help, and the footer says where to turn
them back on."""

from __future__ import annotations

from tests.helpers import PASSWORD, csrf_token, text_of
from webapp.extensions import db
from webapp.models import User

SCRIPT = "js/shortcuts.js"
HELP = 'id="shortcuts-dialog"'
SAVE_URL = "/profile/keyboard-shortcuts"
BACK_ON = "Keyboard shortcuts are off: turn them on in your profile"


def _shortcuts_of(user: User) -> bool:
    db.session.expire_all()
    return db.session.get(User, user.id).keyboard_shortcuts


def test_the_profile_has_the_switch_on_and_the_help_says_where_to_turn_it_off(client, login, agent):
    login(agent)
    html = client.get("/profile").get_data(as_text=True)
    assert 'id="keyboard-shortcuts"' in html
    assert f'action="{SAVE_URL}#keyboard-shortcuts"' in html
    assert 'name="keyboard_shortcuts"' in html and 'role="switch"' in html
    switch = html[html.index('name="keyboard_shortcuts"') - 200 : html.index("Use the keyboard")]
    assert "checked" in switch
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/profile#keyboard-shortcuts"' in dashboard
    assert "Turn the keyboard shortcuts off in your profile" in dashboard


def test_turned_off_no_page_carries_the_script_and_the_footer_says_how_to_turn_them_on(
    client, login, post_form, agent, builtin_forms
):
    login(agent)
    response = post_form(SAVE_URL, {})  # an unticked switch sends nothing
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/profile#keyboard-shortcuts")
    assert _shortcuts_of(agent) is False
    profile = client.get("/profile")
    assert "Keyboard shortcuts are off: letter keys no longer do anything." in text_of(profile)
    switch = profile.get_data(as_text=True)
    switch = switch[
        switch.index('name="keyboard_shortcuts"') - 200 : switch.index("Use the keyboard")
    ]
    assert "checked" not in switch

    for path in ["/dashboard", "/board", "/tickets", "/reports", "/notifications", "/profile"]:
        html = client.get(path).get_data(as_text=True)
        assert SCRIPT not in html, path
        assert HELP not in html and "data-shortcuts-open" not in html, path
        assert "data-go=" not in html, path
        assert BACK_ON in html and 'href="/profile#keyboard-shortcuts"' in html, path


def test_turned_back_on_the_pages_carry_them_again(client, login, post_form, agent):
    agent.keyboard_shortcuts = False
    db.session.commit()
    login(agent)
    assert SCRIPT not in client.get("/dashboard").get_data(as_text=True)
    response = post_form(SAVE_URL, {"keyboard_shortcuts": "y"})
    assert response.status_code == 303
    assert _shortcuts_of(agent) is True
    html = client.get("/dashboard").get_data(as_text=True)
    assert html.count(SCRIPT) == 1 and html.count(HELP) == 1
    assert "data-shortcuts-open" in html and BACK_ON not in html
    assert "Keyboard shortcuts are on. Press ? to see them." in html


def test_the_switch_is_refused_without_the_csrf_token(client, login, agent):
    login(agent)
    response = client.post(SAVE_URL, data={})
    assert response.status_code == 400
    assert _shortcuts_of(agent) is True
    assert SCRIPT in client.get("/dashboard").get_data(as_text=True)


def test_only_a_logged_in_person_changes_their_own_switch(client, post_form, agent, admin):
    response = post_form(SAVE_URL, {})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _shortcuts_of(agent) is True and _shortcuts_of(admin) is True


def test_one_persons_choice_leaves_a_colleagues_shortcuts_alone(
    app, client, login, post_form, agent, admin
):
    login(agent)
    post_form(SAVE_URL, {})
    assert _shortcuts_of(agent) is False and _shortcuts_of(admin) is True
    other = app.test_client()
    other.post(
        "/login",
        data={"email": admin.email, "password": PASSWORD, "csrf_token": csrf_token(app, other)},
    )
    assert SCRIPT in other.get("/dashboard").get_data(as_text=True)


def test_the_messages_speak_the_agents_language(client, login, post_form, create_user):
    login(create_user(locale="pl"))
    page = client.get(post_form(SAVE_URL, {}).headers["Location"])
    assert "Skróty klawiszowe są wyłączone: klawisze liter niczego już nie uruchamiają." in (
        text_of(page)
    )
    assert "Skróty klawiszowe są wyłączone: włącz je w profilu" in text_of(page)
    assert "Używaj skrótów klawiszowych" in text_of(page)
