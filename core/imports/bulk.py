"""Writing many rows quickly, on SQLite and PostgreSQL alike.

SQLAlchemy's executemany is fast on SQLite. On PostgreSQL, a 1,000-row
multi-VALUES statement has 9,000 placeholders that the driver parses each
time, which made a 100,000-case import spend most of its time in psycopg. So
on PostgreSQL each chunk is one statement with one *array* per column, turned
back into rows by ``unnest``: a handful of parameters however many rows, well
under the 65,535-parameter limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, insert, text, update

from core.extensions import db

#: Rows per statement.
CHUNK = 5000


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _arrays(table: Table, columns: Sequence[str]) -> str:
    dialect = db.session.get_bind().dialect
    return ", ".join(
        f"CAST(:p{i} AS {table.c[name].type.compile(dialect=dialect)}[])"
        for i, name in enumerate(columns)
    )


def _params(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> dict[str, list[Any]]:
    return {f"p{i}": [row[name] for row in rows] for i, name in enumerate(columns)}


def insert_rows(
    table: Table, rows: Sequence[dict[str, Any]], returning: Sequence[str] = ()
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (dicts with the same keys) in chunks; the ``returning`` columns of each.

    The returned rows come in no particular order: return a key (such as a
    reference) with the id.
    """
    if not rows:
        return []
    columns = list(rows[0])
    out: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        if _postgres():
            names = ", ".join(f'"{name}"' for name in columns)
            arrays = _arrays(table, columns)
            sql = f'INSERT INTO "{table.name}" ({names}) SELECT * FROM unnest({arrays})'
            if returning:
                sql += " RETURNING " + ", ".join(f'"{name}"' for name in returning)
            result = db.session.execute(text(sql), _params(chunk, columns))
        elif returning:
            result = db.session.execute(
                insert(table).returning(*(table.c[name] for name in returning)), list(chunk)
            )
        else:
            db.session.execute(insert(table), list(chunk))
            continue
        if returning:
            out.extend(tuple(row) for row in result)
    return out


def update_rows(table: Table, rows: Sequence[dict[str, Any]], key: str = "id") -> None:
    """Update rows by ``key``: each dict holds the key and the new values (the same keys)."""
    if not rows:
        return
    columns = list(rows[0])
    values = [name for name in columns if name != key]
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        if _postgres():
            names = ", ".join(f'"{name}"' for name in columns)
            sets = ", ".join(f'"{name}" = v."{name}"' for name in values)
            sql = (
                f'UPDATE "{table.name}" AS t SET {sets} '
                f"FROM unnest({_arrays(table, columns)}) AS v({names}) "
                f'WHERE t."{key}" = v."{key}"'
            )
            db.session.execute(text(sql), _params(chunk, columns))
        else:
            statement = update(table).where(table.c[key] == bindparam("_key"))
            db.session.execute(
                statement,
                [{"_key": row[key], **{name: row[name] for name in values}} for row in chunk],
            )
