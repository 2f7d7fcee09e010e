"""The case list's fields, and how a council's columns and values map onto them.

A council maps its case list once (``ColumnMapping``, saved under a name);
the nightly file then imports with ``--mapping NAME``. Without a mapping the
file's headings must be careaudit's own (the field's label or key, in any case).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from core.extensions import db
from core.models import ColumnMapping, ImportKind


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    required: bool = False
    hint: str = ""
    #: Whether the field's values can be mapped (e.g. the council's "LAC" to Looked after).
    mappable: bool = False


CASE_FIELDS = (
    Field("reference", "Case reference", required=True, hint="The case recording system's id"),
    Field("initials", "Initials", hint="Optional; never a name"),
    Field("team", "Team", required=True, hint="The team as named in careaudit", mappable=True),
    Field("service", "Service", hint="Only needed to create teams careaudit does not have"),
    Field("worker", "Worker", hint="The allocated worker's email or staff id"),
    Field("category", "Category", required=True, mappable=True),
    Field(
        "status", "Status", hint="Open or closed (blank: open unless closed date)", mappable=True
    ),
    Field("opened_on", "Opened", hint="Date opened, 2026-03-31 or 31/03/2026"),
    Field("closed_on", "Closed", hint="Date closed"),
)
CASE_FIELD_KEYS = tuple(f.key for f in CASE_FIELDS)


def default_columns() -> dict[str, str]:
    """Without a saved mapping: each field's column is headed by its label."""
    return {f.key: f.label for f in CASE_FIELDS}


def find_mapping(name: str, kind: ImportKind = ImportKind.CASES) -> ColumnMapping | None:
    return db.session.scalar(
        select(ColumnMapping).where(
            func.lower(ColumnMapping.name) == name.strip().lower(), ColumnMapping.kind == kind
        )
    )


def map_value(mapping: ColumnMapping | None, field: str, value: str) -> str:
    """The careaudit value for a file's value of ``field`` (unchanged if not mapped)."""
    if mapping is None or not value:
        return value
    table = (mapping.values or {}).get(field) or {}
    for source, target in table.items():
        if source.strip().lower() == value.strip().lower():
            return target
    return value
