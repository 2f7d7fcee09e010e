"""Server-side sign-in sessions and the record of sign-in attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db


class UserSession(db.Model):
    """One signed-in browser. The cookie holds a random token; only its SHA-256 is kept here,
    so a copy of the database cannot be replayed as cookies."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    #: The absolute end, however active the user is.
    expires_at: Mapped[datetime]
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    #: The rest of Flask's session (CSRF secret, flashed messages), as tagged JSON.
    data: Mapped[str] = mapped_column(Text, default="{}")
    ended_at: Mapped[datetime | None]
    #: "signed out", "signed out everywhere", "idle timeout", "expired", "deactivated", ...
    ended_reason: Mapped[str | None] = mapped_column(String(60))

    __table_args__ = (Index("ix_user_session_user_id_ended_at", "user_id", "ended_at"),)


class SignInAttempt(db.Model):
    """A checked sign-in, kept for throttling. The email is stored as a SHA-256 of its
    lower-cased form: the count works for unknown addresses without keeping what was typed."""

    __tablename__ = "sign_in_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_hash: Mapped[str] = mapped_column(String(64))
    ip_address: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime]
    success: Mapped[bool]
    #: The trusted browser's device id (core.auth.devices), or None for any other browser.
    device: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        Index("ix_sign_in_attempt_email_hash_at", "email_hash", "at"),
        Index("ix_sign_in_attempt_ip_address_at", "ip_address", "at"),
    )
