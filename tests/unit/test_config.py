from pathlib import Path

from webapp import create_app
from webapp.config import from_environment


def test_defaults_use_sqlite_in_instance_and_a_generated_secret(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "SECRET_KEY", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    config = from_environment(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'loopdesk.db'}"
    assert config["REDIS_URL"] is None
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    key = config["SECRET_KEY"]
    assert len(key) >= 32
    # Kept in instance/ so sessions survive a restart; never a constant.
    assert (tmp_path / "secret_key").read_text() == key
    assert from_environment(str(tmp_path))["SECRET_KEY"] == key
    assert from_environment(str(tmp_path / "other"))["SECRET_KEY"] != key


def test_environment_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db:5432/loopdesk")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.com")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    monkeypatch.setenv("LOOPDESK_BASE_URL", "https://feedback.example.com/")
    config = from_environment(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db:5432/loopdesk"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"
    assert config["SECRET_KEY"] == "from-env"
    assert (config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_USE_TLS"]) == (
        "smtp.example.com",
        587,
        True,
    )
    assert config["LOOPDESK_BASE_URL"] == "https://feedback.example.com"
    assert not Path(tmp_path / "secret_key").exists()


def test_factory_applies_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("LOOPDESK_INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {"SECRET_KEY": "given", "SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True}
    )
    assert app.config["SECRET_KEY"] == "given"
    assert app.testing
    assert not (tmp_path / "secret_key").exists()
    assert {"main", "auth", "admin"} <= set(app.blueprints)
