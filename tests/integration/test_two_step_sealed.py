"""Two-step keys are kept sealed in the database: a leaked backup does not give them away,
and changing SECRET_KEY (the old one in the fallbacks) neither locks anyone out nor signs
anyone out."""

from __future__ import annotations

import flask_migrate
import pytest
from sqlalchemy import text

from tests.integration.test_two_step_sign_in import SECRET, code, fresh, turn_on
from webapp import secret_box
from webapp.cli import reseal_secrets
from webapp.extensions import db
from webapp.models import User

OLD, NEW = "old-key-" + "x" * 40, "new-key-" + "y" * 40


@pytest.fixture
def app_config() -> dict:
    return {"SECRET_KEY": OLD, "LOGIN_RATE_LIMIT": "1000 per minute"}


def _stored(user) -> str:
    user_id = user if isinstance(user, int) else user.id
    return db.session.execute(
        text("SELECT two_step_secret FROM user_account WHERE id = :id"), {"id": user_id}
    ).scalar()


def _rotate(app, keep_old: bool) -> None:
    app.config.update(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD] if keep_old else [])


def test_the_key_is_stored_sealed_and_never_in_the_clear(app, agent):
    turn_on(agent)
    stored = _stored(agent)
    assert SECRET not in stored and stored.startswith("f1:")
    assert fresh(agent).two_step_key == SECRET
    assert secret_box.seal(SECRET) != secret_box.seal(SECRET)  # nothing to compare across rows


def test_after_a_key_change_codes_still_work_and_the_key_moves_to_the_new_one(
    app, client, login, post_form, agent
):
    turn_on(agent)
    login(agent)
    assert post_form("/login/code", {"code": code()}).status_code == 303
    sealed_by_old = _stored(agent)

    _rotate(app, keep_old=True)
    assert client.get("/dashboard").status_code == 200  # the session outlives the change
    post_form("/logout")
    login(agent)
    assert post_form("/login/code", {"code": code(1)}).status_code == 303
    assert _stored(agent) != sealed_by_old  # resealed under the new key as it was used
    assert not secret_box.needs_resealing(_stored(agent))
    assert client.get("/dashboard").status_code == 200

    _rotate(app, keep_old=False)  # the old key may go now: nothing needs it
    assert fresh(agent).two_step_key == SECRET
    assert client.get("/dashboard").status_code == 200  # and nobody was signed out


def test_a_key_sealed_only_by_a_removed_key_leaves_the_recovery_codes(
    app, client, login, post_form, agent
):
    codes = turn_on(agent)
    _rotate(app, keep_old=False)
    login(agent)
    refused = post_form("/login/code", {"code": code()})
    assert refused.status_code == 422
    assert post_form("/login/code?recovery=1", {"code": codes[0]}).status_code == 303


def test_reseal_secrets_moves_every_key_and_names_the_ones_it_cannot_open(app, agent, admin):
    turn_on(agent)
    turn_on(admin)
    _rotate(app, keep_old=True)
    runner = app.test_cli_runner()
    result = runner.invoke(reseal_secrets)
    assert "Two-step keys resealed under the current SECRET_KEY: 2." in result.output
    _rotate(app, keep_old=False)
    assert fresh(agent).two_step_key == SECRET and fresh(admin).two_step_key == SECRET
    assert "resealed under the current SECRET_KEY: 0." in runner.invoke(reseal_secrets).output

    app.config.update(SECRET_KEY="third-key-" + "z" * 40)  # NEW dropped without a run
    result = runner.invoke(reseal_secrets)
    assert "resealed under the current SECRET_KEY: 0." in result.output
    assert agent.email in result.output and "recovery code" in result.output


def test_keys_stored_in_the_clear_before_are_sealed_by_the_migration(app, agent):
    turn_on(agent)
    user_id = agent.id
    db.session.commit()
    db.session.close()  # the migration alters the table: no transaction of ours may hold it
    flask_migrate.downgrade(revision="0029")
    try:
        assert _stored(user_id) == SECRET  # as 0029 kept it
        # A key from before, not yet migrated, still opens as it is (raw SQL: the model
        # has columns of later migrations).
        assert secret_box.open_sealed(_stored(user_id)) == SECRET
    finally:
        db.session.close()
        flask_migrate.upgrade()
    stored = _stored(user_id)
    assert stored.startswith("f1:") and db.session.get(User, user_id).two_step_key == SECRET
