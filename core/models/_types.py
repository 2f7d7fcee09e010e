"""Column helpers shared by the models."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, literal_column
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


def constant(value: Enum | int | date) -> ColumnElement[Any]:
    """One of the code's own values (a member of its enumerations, a number, a date)
    written into the SQL as a literal rather than bound as a parameter.

    psycopg prepares a statement run often on a connection, and PostgreSQL then plans it
    once if a plan made without the parameters' values costs no more than those made
    with them: a status or a list's length left as a parameter is what keeps it planning
    the statement afresh on every run (issue 12). Never for a value a user typed.
    """
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, date):
        value = value.isoformat()
    if isinstance(value, int):
        return literal_column(str(int(value)))
    return literal_column("'" + str(value).replace("'", "''") + "'")
