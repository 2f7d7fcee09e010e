"""Column helpers shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

from sqlalchemy import Enum as SAEnum


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def enum_column(enum_cls: type[Enum]) -> SAEnum:
    """Store an enum by its value in a plain VARCHAR (no native PG enum type).

    Values, not names, so the database reads the same words as the code and the
    reports; VARCHAR so adding a member needs no ALTER TYPE migration.
    """
    return SAEnum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=40,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
