"""Configuration read from environment variables, with safe defaults.

Order of precedence (as in Flask's tutorial): these defaults, then the
environment, then the ``test_config`` mapping given to ``create_app``.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

DEFAULT_COUNCIL_NAME = "London Borough of Northwick"
DEFAULT_SERVICE_NAME = "Case file audit"


def normalise_database_url(url: str) -> str:
    """Point PostgreSQL URLs at psycopg 3, whatever scheme the operator wrote."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY from the environment, or one kept in the instance folder.

    A generated key is written once with owner-only permissions so sessions
    survive a restart; it is never a constant in the code.
    """
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Write a private temporary file, then link it into place: the key file is
    # never seen half-written, and when two workers start together on a fresh
    # install the loser of the race reads the winner's key.
    fd, temporary = tempfile.mkstemp(dir=instance_path, prefix=".secret_key-")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        os.chmod(temporary, 0o600)
        try:
            os.link(temporary, key_file)
        except FileExistsError:
            return key_file.read_text().strip()
    finally:
        os.unlink(temporary)
    return key


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _optional_flag(name: str) -> bool | None:
    """A yes/no setting, or None when it is not set (or empty) so a default applies."""
    value = os.environ.get(name, "").strip()
    return _flag(name, False) if value else None


def _session_absolute_minutes() -> int:
    hours = os.environ.get("CAREAUDIT_SESSION_HOURS")
    if hours:
        return int(float(hours) * 60)
    legacy = os.environ.get("CAREAUDIT_SESSION_MINUTES")
    return int(legacy) if legacy else 12 * 60


def from_environment(instance_path: Path) -> dict[str, Any]:
    """Build the app's configuration from the environment."""
    default_db = "sqlite:///" + str(instance_path / "careaudit.sqlite3")
    return {
        "SECRET_KEY": load_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL", default_db)
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "COUNCIL_NAME": os.environ.get("CAREAUDIT_COUNCIL_NAME", DEFAULT_COUNCIL_NAME),
        "SERVICE_NAME": os.environ.get("CAREAUDIT_SERVICE_NAME", DEFAULT_SERVICE_NAME),
        # Where the phase banner's "Tell us what you think" links (a form or a mailto:
        # address); unset, the banner asks people to tell the quality assurance team.
        "FEEDBACK_URL": os.environ.get("CAREAUDIT_FEEDBACK_URL", "").strip() or None,
        # Cookies are Secure (HTTPS only) unless CAREAUDIT_SECURE_COOKIES=0. Unset (None),
        # core.security decides at start-up: on, except for the development server
        # (``careaudit run``, serving http://127.0.0.1), debug mode and tests.
        "SESSION_COOKIE_SECURE": _optional_flag("CAREAUDIT_SECURE_COOKIES"),
        "REMEMBER_COOKIE_SECURE": _optional_flag("CAREAUDIT_SECURE_COOKIES"),
        # Strict-Transport-Security max-age, sent whenever cookies are Secure; 0 sends none.
        "HSTS_SECONDS": int(os.environ.get("CAREAUDIT_HSTS_SECONDS", str(365 * 24 * 60 * 60))),
        # How many proxies (load balancer, nginx) stand in front of the app and set
        # X-Forwarded-For/-Proto/-Host; 0 trusts none. Rate limits and the audit trail
        # then see the user's address rather than the proxy's.
        "TRUSTED_PROXIES": int(os.environ.get("CAREAUDIT_TRUSTED_PROXIES", "0")),
        # Largest request body; the import upload pages allow IMPORT_MAX_BYTES and a margin.
        "MAX_CONTENT_LENGTH": int(os.environ.get("CAREAUDIT_MAX_REQUEST_MB", "10")) * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("CAREAUDIT_SESSION_MINUTES", "480")) * 60,
        # Server-side sessions (core.sessions): signed out after this long without a
        # request, and after this long whatever the activity. CAREAUDIT_SESSION_MINUTES,
        # the old single lifetime, is still read as the absolute lifetime when set.
        "SESSION_IDLE_MINUTES": int(os.environ.get("CAREAUDIT_SESSION_IDLE_MINUTES", "30")),
        "SESSION_ABSOLUTE_MINUTES": _session_absolute_minutes(),
        # Empty keeps sessions in the database (shared by every server).
        "SESSION_REDIS_URL": os.environ.get("CAREAUDIT_SESSION_REDIS_URL", ""),
        # Two-step verification (core.mfa): administrators always; these roles too
        # (comma-separated role names, e.g. "senior_manager,independent_reviewer").
        "MFA_ROLES": [
            r.strip() for r in os.environ.get("CAREAUDIT_MFA_ROLES", "").split(",") if r.strip()
        ],
        # How long "do not ask on this device" lasts (at most 12 hours; 0 turns it off).
        "MFA_REMEMBER_HOURS": float(os.environ.get("CAREAUDIT_MFA_REMEMBER_HOURS", "12")),
        # Only tests switch the requirement off; it is not read from the environment.
        "MFA_ENFORCED": True,
        # Sign-in throttling (core.auth.throttle), counted in the database so every
        # worker and server sees the same failures.
        "SIGN_IN_ACCOUNT_FAILURES": int(os.environ.get("CAREAUDIT_SIGN_IN_ACCOUNT_FAILURES", "10")),
        "SIGN_IN_ADDRESS_FAILURES": int(os.environ.get("CAREAUDIT_SIGN_IN_ADDRESS_FAILURES", "50")),
        # Login attempts are rate limited; use Redis when running several workers.
        "RATELIMIT_STORAGE_URI": os.environ.get("CAREAUDIT_RATELIMIT_STORAGE", "memory://"),
        "LOGIN_RATE_LIMIT": os.environ.get("CAREAUDIT_LOGIN_RATE_LIMIT", "10 per minute"),
        # Argon2 cost; tests lower it, production keeps the library's defaults.
        "PASSWORD_HASH_FAST": False,
        # Load tools from the careaudit.tools entry-point group.
        "LOAD_ENTRY_POINT_TOOLS": _flag("CAREAUDIT_LOAD_ENTRY_POINTS", True),
        # Email (Flask-Mailman), for ``careaudit remind``. MAIL_BACKEND "smtp" sends through
        # MAIL_SERVER; "console" prints the emails instead (tests use "locmem").
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "smtp"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _flag("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "careaudit@localhost"),
        "MAIL_TIMEOUT": int(os.environ.get("MAIL_TIMEOUT", "30")),
        # Reminders: days before the due date, the digest's weekday (0 is Monday), and the
        # address the emails link to.
        "REMINDER_DAYS": int(os.environ.get("CAREAUDIT_REMINDER_DAYS", "5")),
        "DIGEST_WEEKDAY": int(os.environ.get("CAREAUDIT_DIGEST_WEEKDAY", "0")),
        "BASE_URL": os.environ.get("CAREAUDIT_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # Feedback: days a worker has to acknowledge an audit of their work and reply.
        "REPLY_DAYS": int(os.environ.get("CAREAUDIT_REPLY_DAYS", "14")),
        # Safeguarding concerns (core.concerns): the Safeguarding and Quality Assurance
        # service's shared mailbox, told of every concern raised and escalated (empty: none),
        # and the working days a manager has to record a response (bank holidays excluded).
        "SAFEGUARDING_EMAIL": os.environ.get("CAREAUDIT_SAFEGUARDING_EMAIL", "").strip(),
        "CONCERN_RESPONSE_DAYS": int(os.environ.get("CAREAUDIT_CONCERN_RESPONSE_DAYS", "1")),
        # How long an emailed link to set a password works.
        "SETUP_LINK_HOURS": int(os.environ.get("CAREAUDIT_SETUP_LINK_HOURS", "72")),
        # Sign-in through the council's identity provider (core.oidc, OpenID Connect, e.g.
        # Microsoft Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0). On when
        # the issuer and client id are set; the provider is found from
        # <issuer>/.well-known/openid-configuration. Register
        # <CAREAUDIT_BASE_URL>/sign-in/oidc/callback as the redirect URI.
        "OIDC_ISSUER": os.environ.get("CAREAUDIT_OIDC_ISSUER", "").strip(),
        "OIDC_CLIENT_ID": os.environ.get("CAREAUDIT_OIDC_CLIENT_ID", "").strip(),
        "OIDC_CLIENT_SECRET": os.environ.get("CAREAUDIT_OIDC_CLIENT_SECRET", ""),
        "OIDC_LABEL": os.environ.get("CAREAUDIT_OIDC_LABEL", "")
        or "Sign in with your council account",
        # Off: nobody signs in with a careaudit password, only through the identity
        # provider (which must then be configured, or the app refuses to start).
        "LOCAL_PASSWORDS": _flag("CAREAUDIT_LOCAL_PASSWORDS", True),
        # Imports: the largest file accepted, by command or upload.
        "IMPORT_MAX_BYTES": int(os.environ.get("CAREAUDIT_IMPORT_MAX_MB", "100")) * 1024 * 1024,
        # The audit trail: entries older than this are removed by `careaudit audit-trail prune`.
        "TRAIL_RETENTION_YEARS": int(os.environ.get("CAREAUDIT_TRAIL_RETENTION_YEARS", "6")),
        # Background jobs (Huey). A redis:// URL in production (shared by every
        # server); empty means a SQLite queue in the instance folder, worked by
        # threads inside the web process so `make run` needs nothing else.
        "JOBS_REDIS_URL": os.environ.get("CAREAUDIT_JOBS_REDIS_URL", ""),
        "JOBS_SQLITE_PATH": str(instance_path / "jobs.sqlite3"),
        "JOBS_IN_PROCESS": _flag("CAREAUDIT_JOBS_IN_PROCESS", True),
        # A running job whose heartbeat is older than this is reported as failed.
        "JOBS_STALE_SECONDS": int(os.environ.get("CAREAUDIT_JOBS_STALE_SECONDS", "120")),
        # Move the objects made at start-up out of the garbage collector's sight (core.heap).
        "FREEZE_STARTUP_OBJECTS": _flag("CAREAUDIT_FREEZE_STARTUP_OBJECTS", True),
    }
