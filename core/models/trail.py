"""The audit trail: who viewed or changed what, when and from where.

Append-only and tamper-evident: each entry's ``hash`` is SHA-256 over its own
fields and the previous entry's hash (``core.trail.chain``). Ids are given by
the chain (the last id plus one), never by a sequence, so the primary key
itself refuses a second entry claiming the same place: the chain cannot fork.
No foreign keys: an entry outlives anything it names, and names the actor as
they were at the time (``actor_label``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.models._types import utcnow

#: The action recorded each time someone opens an audit: most entries about an audit.
AUDIT_VIEWED = "audit.viewed"
#: The condition of the index of steps (every entry but views), written into the SQL: a
#: query must repeat it word for word for the database to use that index.
NOT_A_VIEW = f"action <> '{AUDIT_VIEWED}'"


class TrailEntry(db.Model):
    __tablename__ = "trail_entry"
    __table_args__ = (
        Index("ix_trail_entry_object", "object_type", "object_id"),
        # An audit's history reads its steps in order without stepping over its views,
        # which grow with every look (issue 12: no page slows down as history grows).
        Index(
            "ix_trail_entry_object_steps",
            "object_type",
            "object_id",
            "at",
            "id",
            sqlite_where=text(NOT_A_VIEW),
            postgresql_where=text(NOT_A_VIEW),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: When, in UTC.
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    #: The actor's name and email at the time, or the command that acted.
    actor_label: Mapped[str] = mapped_column(String(300))
    #: What happened, e.g. "case.viewed", "audit.submitted", "sign_in.failed".
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    #: The case file concerned, so "who has looked at this case" is one query.
    case_id: Mapped[int | None] = mapped_column(index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    #: Only the fields that changed; never password hashes or tokens.
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
