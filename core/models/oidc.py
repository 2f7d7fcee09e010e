"""Which council account (at the identity provider) is which careaudit user (core.oidc)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.models._types import utcnow


class OidcIdentity(db.Model):
    """A careaudit user's council account, remembered by the provider's ``sub`` claim.

    The first sign-in through the provider finds the user by email and records the
    subject here; from then on the subject decides, so an email address the council
    reuses for someone else (or a user whose address changes) cannot open another
    person's careaudit account. Kept per issuer and client id: Entra ID's subjects
    differ per app registration, so a new registration starts over by email.
    """

    __tablename__ = "oidc_identity"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    issuer: Mapped[str] = mapped_column(String(300))
    client_id: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("issuer", "client_id", "subject"),
        UniqueConstraint("user_id", "issuer", "client_id"),
    )
