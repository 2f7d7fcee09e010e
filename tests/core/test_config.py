"""Configuration from the environment: database URL, secret key, instance folder."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from core import create_app
from core.config import from_environment, load_secret_key, normalise_database_url

ENVIRONMENT = (
    "DATABASE_URL",
    "SECRET_KEY",
    "CAREAUDIT_SECURE_COOKIES",
    "CAREAUDIT_MAX_REQUEST_MB",
    "CAREAUDIT_TRUSTED_PROXIES",
    "CAREAUDIT_HSTS_SECONDS",
    "CAREAUDIT_SESSION_MINUTES",
    "CAREAUDIT_LOGIN_RATE_LIMIT",
    "CAREAUDIT_COUNCIL_NAME",
    "CAREAUDIT_SERVICE_NAME",
)


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No careaudit settings in the environment; the instance folder is a fresh temp folder."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    instance = tmp_path / "instance"
    monkeypatch.setenv("CAREAUDIT_INSTANCE_PATH", str(instance))
    return instance


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "postgres://audit:pw@db:5432/careaudit",
            "postgresql+psycopg://audit:pw@db:5432/careaudit",
        ),
        ("postgresql://audit@db/careaudit", "postgresql+psycopg://audit@db/careaudit"),
        ("postgresql+psycopg://audit@db/careaudit", "postgresql+psycopg://audit@db/careaudit"),
        ("sqlite:////srv/careaudit.sqlite3", "sqlite:////srv/careaudit.sqlite3"),
        ("sqlite://", "sqlite://"),
    ],
)
def test_database_urls_are_pointed_at_psycopg_3(given: str, expected: str):
    """Whatever PostgreSQL scheme the operator writes, psycopg 3 is used; SQLite is untouched."""
    assert normalise_database_url(given) == expected


def test_secret_key_comes_from_the_environment_when_set(clean_environment, monkeypatch):
    """SECRET_KEY in the environment is used as is, and no key file is written."""
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert load_secret_key(clean_environment) == "from-the-environment"
    assert not (clean_environment / "secret_key").exists()


def test_a_generated_secret_key_is_kept_private_and_survives_a_restart(clean_environment):
    """Without SECRET_KEY, a random key is written owner-only and read back next time."""
    key = load_secret_key(clean_environment)
    key_file = clean_environment / "secret_key"
    assert key_file.read_text() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key) >= 64
    assert load_secret_key(clean_environment) == key


def test_generated_secret_keys_are_never_a_constant(clean_environment, tmp_path: Path):
    """Two installations each get their own key."""
    first = load_secret_key(tmp_path / "one")
    second = load_secret_key(tmp_path / "two")
    assert first != second


def test_two_workers_starting_together_share_one_secret_key(clean_environment, monkeypatch):
    """A worker that finds the key written by another worker mid-start uses that key."""
    clean_environment.mkdir(parents=True)
    (clean_environment / "secret_key").write_text("written-by-the-first-worker")
    real_exists = Path.exists
    # The second worker looked before the first one wrote the file.
    monkeypatch.setattr(
        Path, "exists", lambda self: False if self.name == "secret_key" else real_exists(self)
    )
    assert load_secret_key(clean_environment) == "written-by-the-first-worker"


def test_app_defaults_to_sqlite_in_its_instance_folder(clean_environment):
    """With no DATABASE_URL, the app uses a SQLite file in its (new) instance folder."""
    app = create_app()
    assert clean_environment.is_dir()
    assert app.instance_path == str(clean_environment)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        f"sqlite:///{clean_environment / 'careaudit.sqlite3'}"
    )
    assert app.config["SECRET_KEY"] == (clean_environment / "secret_key").read_text()
    assert create_app().config["SECRET_KEY"] == app.config["SECRET_KEY"]


def test_app_uses_the_database_url_from_the_environment(clean_environment, monkeypatch):
    """DATABASE_URL, as Heroku-style platforms write it, reaches SQLAlchemy via psycopg 3."""
    monkeypatch.setenv("DATABASE_URL", "postgres://audit@db.internal/careaudit")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    app = create_app()
    assert (
        app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://audit@db.internal/careaudit"
    )
    assert app.config["SECRET_KEY"] == "from-the-environment"


def test_safe_defaults_without_any_settings(clean_environment):
    """Out of the box: HTTP-only Lax cookies, an 8-hour session, 10 sign-in attempts a minute."""
    config = from_environment(clean_environment)
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    # Unset: Secure unless developing (decided at start-up, see test_security.py).
    assert config["SESSION_COOKIE_SECURE"] is None
    assert config["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024
    assert config["TRUSTED_PROXIES"] == 0
    assert config["PERMANENT_SESSION_LIFETIME"] == 8 * 60 * 60
    assert config["LOGIN_RATE_LIMIT"] == "10 per minute"
    assert config["PASSWORD_HASH_FAST"] is False
    assert config["COUNCIL_NAME"] == "London Borough of Northwick"


@pytest.mark.parametrize("value", ["1", "yes", "on", "TRUE"])
def test_secure_cookies_are_switched_on_from_the_environment(clean_environment, monkeypatch, value):
    """CAREAUDIT_SECURE_COOKIES marks session and remember-me cookies Secure for HTTPS."""
    monkeypatch.setenv("CAREAUDIT_SECURE_COOKIES", value)
    monkeypatch.setenv("CAREAUDIT_SESSION_MINUTES", "30")
    config = from_environment(clean_environment)
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["PERMANENT_SESSION_LIFETIME"] == 30 * 60


@pytest.mark.parametrize("value", ["0", "no", "false"])
def test_secure_cookies_are_switched_off_for_anything_else(clean_environment, monkeypatch, value):
    """Any other value switches Secure cookies off; empty is the same as unset."""
    monkeypatch.setenv("CAREAUDIT_SECURE_COOKIES", value)
    assert from_environment(clean_environment)["SESSION_COOKIE_SECURE"] is False
    monkeypatch.setenv("CAREAUDIT_SECURE_COOKIES", "")
    assert from_environment(clean_environment)["SESSION_COOKIE_SECURE"] is None


def test_request_size_and_proxies_come_from_the_environment(clean_environment, monkeypatch):
    monkeypatch.setenv("CAREAUDIT_MAX_REQUEST_MB", "25")
    monkeypatch.setenv("CAREAUDIT_TRUSTED_PROXIES", "2")
    monkeypatch.setenv("CAREAUDIT_HSTS_SECONDS", "600")
    config = from_environment(clean_environment)
    assert config["MAX_CONTENT_LENGTH"] == 25 * 1024 * 1024
    assert config["TRUSTED_PROXIES"] == 2
    assert config["HSTS_SECONDS"] == 600
