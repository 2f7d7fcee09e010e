"""The case list's fields, and how a council's columns and values map onto them.

A council maps its case list once (``ColumnMapping``, saved under a name);
the nightly file then imports with ``--mapping NAME``. Without a mapping the
file's headings must be careaudit's own (the field's label or key, in any case).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from core.extensions import db
from core.imports.plan import FileProblem
from core.imports.values import FALSE_WORDS, TRUE_WORDS
from core.models import Category, ColumnMapping, ImportKind, User


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


FIELDS_BY_KEY = {f.key: f for f in CASE_FIELDS}
#: The longest name a mapping can be saved under (``ColumnMapping.name``).
MAX_NAME = 80


def value_table(mapping: ColumnMapping | None, field: str) -> dict[str, str]:
    """``field``'s value mapping as {lower-cased file value: careaudit value}.

    What ``map_value`` does for one value, prepared once for a whole file.
    """
    if mapping is None:
        return {}
    table = (mapping.values or {}).get(field) or {}
    return {source.strip().lower(): target for source, target in table.items()}


def columns_for(headings: Iterable[str], mapping: ColumnMapping | None) -> dict[str, str]:
    """Each field's column in a file: {field key: the file's heading as written}.

    With a mapping, every column it names must be in the file (a nightly file
    that lost a column should stop, not quietly unallocate every case).
    Without one, a field's column is headed by its label or key, in any case.
    Raises ``FileProblem`` naming every missing column.
    """
    by_lower = {h.strip().lower(): h for h in headings}
    found: dict[str, str] = {}
    missing: list[str] = []
    if mapping is not None:
        for key, heading in (mapping.columns or {}).items():
            if key not in FIELDS_BY_KEY or not (heading or "").strip():
                continue
            if heading.strip().lower() in by_lower:
                found[key] = by_lower[heading.strip().lower()]
            else:
                missing.append(f"“{heading}” ({FIELDS_BY_KEY[key].label})")
        unmapped = [f.label for f in CASE_FIELDS if f.required and f.key not in mapping.columns]
        if unmapped:
            raise FileProblem(
                f"The mapping “{mapping.name}” has no column for {_join(unmapped)}. "
                "Edit the mapping and try again."
            )
        if missing:
            raise FileProblem(
                f"The file has no column {_join(missing)}, which the mapping "
                f"“{mapping.name}” expects. Check the file, or edit the mapping."
            )
        return found
    for field in CASE_FIELDS:
        for name in (field.label.lower(), field.key.lower()):
            if name in by_lower:
                found[field.key] = by_lower[name]
                break
        else:
            if field.required:
                missing.append(f"“{field.label}”")
    if missing:
        raise FileProblem(
            f"The file has no column headed {_join(missing)}. Use careaudit's headings "
            "or import with a saved mapping of the file's columns."
        )
    return found


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


# -- guessing a mapping -----------------------------------------------------------

#: Headings case recording systems and their report writers commonly use, most
#: telling first. Matched after lower-casing and dropping punctuation and spaces.
COMMON_HEADINGS: dict[str, str] = {
    "reference": "case reference; reference; case ref; case id; case number; person id; "
    "client id; lachildid; la child id; child id; person reference; mosaic id; lcs id; "
    "las id; eclipse id; carefirst id; id",
    "initials": "initials; child initials; client initials; person initials",
    "team": "team; allocated team; team name; worker team; current team; responsible team",
    "service": "service; service area; service name; allocated service",
    "worker": "worker email; allocated worker email; worker e-mail; worker staff id; "
    "allocated worker id; worker id; allocated worker; worker; social worker; case worker; "
    "key worker; allocated to; staff id",
    "category": "category; primary category; case category; main category; client category; "
    "case type; category of need",
    "status": "status; case status; open/closed; open or closed; involvement status",
    "opened_on": "opened; start date; opened date; open date; date opened; case start date; "
    "case opened; involvement start date; start",
    "closed_on": "closed; end date; closed date; close date; date closed; case end date; "
    "case closed; involvement end date; end",
}

#: Words that, found in a heading, point to a field when no common heading matches.
HEADING_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("worker", ("email",)),
    ("worker", ("worker",)),
    ("initials", ("initials",)),
    ("opened_on", ("start",)),
    ("opened_on", ("opened",)),
    ("closed_on", ("end",)),
    ("closed_on", ("closed",)),
    ("category", ("category",)),
    ("status", ("status",)),
    ("team", ("team",)),
    ("service", ("service",)),
    ("reference", ("reference",)),
)


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def suggest_columns(headings: Iterable[str]) -> dict[str, str]:
    """A first guess at a file's mapping: {field key: heading}, for the user to confirm.

    Common names come first ("Person ID", "LAchildID", "Allocated Worker",
    "Worker Email", "Case Status", "Start Date", "End Date", "Primary
    Category"), then headings containing a telling word. Each heading is used
    for one field at most; a field nothing matches is left out.
    """
    headings = [h for h in headings if h and h.strip()]
    squashed = {h: _squash(h) for h in headings}
    suggestion: dict[str, str] = {}
    used: set[str] = set()
    own = {_squash(f.label): f.key for f in CASE_FIELDS} | {_squash(k): k for k in FIELDS_BY_KEY}
    for heading, key in ((h, own.get(s)) for h, s in squashed.items()):
        if key and key not in suggestion:
            suggestion[key] = heading
            used.add(heading)
    for key, names in COMMON_HEADINGS.items():
        if key in suggestion:
            continue
        for name in names.split(";"):
            heading = next(
                (h for h, s in squashed.items() if s == _squash(name) and h not in used), None
            )
            if heading is not None:
                suggestion[key] = heading
                used.add(heading)
                break
    for key, words in HEADING_WORDS:
        if key in suggestion:
            continue
        heading = next(
            (
                h
                for h in headings
                if h not in used and all(w in h.lower().split() or w in h.lower() for w in words)
            ),
            None,
        )
        if heading is not None:
            suggestion[key] = heading
            used.add(heading)
    return {f.key: suggestion[f.key] for f in CASE_FIELDS if f.key in suggestion}


# -- saving a mapping ---------------------------------------------------------------


class MappingInvalid(ValueError):
    """A mapping cannot be saved; ``errors`` says why, by form field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def mappings(kind: ImportKind = ImportKind.CASES) -> list[ColumnMapping]:
    """The saved mappings, by name."""
    return list(
        db.session.scalars(
            select(ColumnMapping).where(ColumnMapping.kind == kind).order_by(ColumnMapping.name)
        )
    )


def check_mapping(
    name: str,
    columns: Mapping[str, str],
    values: Mapping[str, Mapping[str, str]] | None = None,
    *,
    kind: ImportKind = ImportKind.CASES,
    mapping_id: int | None = None,
) -> dict[str, str]:
    """What is wrong with a mapping, keyed "name", "columns", "<field>" or "values_<field>".

    Messages are GOV.UK style, ready for an error summary. Empty when it can be saved.
    """
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Enter a name for the mapping"
    elif len(name) > MAX_NAME:
        errors["name"] = f"The mapping's name must be {MAX_NAME} characters or fewer"
    else:
        clash = db.session.scalar(
            select(ColumnMapping).where(func.lower(ColumnMapping.name) == name.lower())
        )
        if clash is not None and clash.id != mapping_id:
            errors["name"] = f"A mapping called “{clash.name}” already exists: choose another name"
    unknown = sorted(set(columns) - set(FIELDS_BY_KEY))
    if unknown:
        errors["columns"] = f"careaudit has no field {', '.join(unknown)}"
    cleaned = {k: (v or "").strip() for k, v in columns.items() if k in FIELDS_BY_KEY}
    for field in CASE_FIELDS:
        if field.required and not cleaned.get(field.key):
            errors[field.key] = f"Choose the column that holds the {field.label.lower()}"
    chosen: dict[str, str] = {}
    for key, heading in cleaned.items():
        if heading and heading.lower() in chosen:
            other = FIELDS_BY_KEY[chosen[heading.lower()]].label.lower()
            errors[key] = f"“{heading}” is already the column for the {other}"
        elif heading:
            chosen[heading.lower()] = key
    for field, table in (values or {}).items():
        problem = _value_problem(field, table)
        if problem:
            errors[f"values_{field}"] = problem
    return errors


def _value_problem(field: str, table: Mapping[str, str]) -> str:
    spec = FIELDS_BY_KEY.get(field)
    if spec is None or not spec.mappable:
        return f"The values of {spec.label.lower() if spec else field} cannot be mapped"
    seen: set[str] = set()
    for source, target in table.items():
        source, target = (source or "").strip(), (target or "").strip()
        if not source or not target:
            return f"Enter both the file's value and careaudit's for each {spec.label.lower()}"
        if source.lower() in seen:
            return f"“{source}” is mapped twice"
        seen.add(source.lower())
        if field == "status" and target.lower() not in TRUE_WORDS | FALSE_WORDS:
            return f"“{source}” must map to open or closed, not “{target}”"
    if field == "category":
        known = {
            word.lower()
            for code, label in db.session.execute(select(Category.code, Category.label))
            for word in (code, label)
        }
        for source, target in table.items():
            if target.strip().lower() not in known:
                return f"“{source}” maps to “{target}”, which is not a category in careaudit"
    return ""


def save_mapping(
    name: str,
    columns: Mapping[str, str],
    values: Mapping[str, Mapping[str, str]] | None = None,
    user: User | None = None,
    *,
    kind: ImportKind = ImportKind.CASES,
) -> ColumnMapping:
    """Save a mapping under ``name``, replacing the one of that name (any case).

    Raises ``MappingInvalid`` with every error. Flushes; the caller commits.
    """
    existing = find_mapping(name, kind) if (name or "").strip() else None
    errors = check_mapping(
        name, columns, values, kind=kind, mapping_id=existing.id if existing else None
    )
    if errors:
        raise MappingInvalid(errors)
    mapping = existing or ColumnMapping(kind=kind)
    mapping.name = name.strip()
    mapping.columns = {k: v.strip() for k, v in columns.items() if (v or "").strip()}
    mapping.values = {
        field: {s.strip(): t.strip() for s, t in table.items()}
        for field, table in (values or {}).items()
        if table
    }
    mapping.updated_by_id = user.id if user is not None else None
    if existing is None:
        db.session.add(mapping)
    db.session.flush()
    return mapping


def parse_value_lines(text: str) -> dict[str, str]:
    """Value mappings typed one a line, "LAC = looked_after", into a dict.

    Raises ``ValueError`` naming the first line that has no "=".
    """
    table: dict[str, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        source, sep, target = line.partition("=")
        if not sep:
            raise ValueError(f"Line {number} needs an “=” between the file's value and careaudit's")
        table[source.strip()] = target.strip()
    return table


def value_lines(table: Mapping[str, str]) -> str:
    """The opposite of ``parse_value_lines``: one "value = careaudit value" a line."""
    return "\n".join(f"{source} = {target}" for source, target in table.items())
