"""Searching the audit trail: read the page's filters tolerantly, build the query."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select

from core.extensions import db
from core.models import Case, TrailEntry

PAGE_SIZE = 50
#: The most rows one CSV export holds (a narrower search gets the rest).
EXPORT_LIMIT = 50_000
#: How many entries "who has looked at this case" lists.
CASE_HISTORY_LIMIT = 50

_FIELDS = ("user", "case", "audit", "action", "start", "end")


def _text(args: Mapping[str, str], name: str) -> str:
    # NUL bytes are refused by PostgreSQL; nobody types them.
    return (args.get(name) or "").replace("\x00", "").strip()[:200]


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@dataclass
class TrailSearch:
    """The filters as typed (to show back), and a message for each one that is wrong."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> TrailSearch:
        search = cls({name: _text(args, name) for name in _FIELDS})
        audit = search.values["audit"]
        if audit and not (audit.isascii() and audit.isdigit() and len(audit) <= 18):
            search.errors["audit"] = "Enter the audit number, like 123"
        for name, label in (("start", "from"), ("end", "to")):
            typed = search.values[name]
            if typed and _date(typed) is None:
                search.errors[name] = f"Enter the ‘{label}’ date as a real date, like 2026-12-01"
        start, end = _date(search.values["start"]), _date(search.values["end"])
        if start and end and end < start:
            search.errors["end"] = "The ‘to’ date must be the same as or after the ‘from’ date"
        page = _text(args, "page")
        if page.isascii() and page.isdigit():
            search.page = max(1, min(int(page[:7]), 1_000_000))
        return search

    @property
    def params(self) -> dict[str, str]:
        """The filters for links (next page, CSV export), empty ones left out."""
        return {k: v for k, v in self.values.items() if v}

    def describe(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.params.items()) or "everything"

    def statement(self) -> Select:
        """Entries matching the valid filters, newest first, with the case's reference."""
        statement = (
            select(TrailEntry, Case.reference)
            .outerjoin(Case, Case.id == TrailEntry.case_id)
            .order_by(TrailEntry.id.desc())
        )
        user = self.values["user"]
        if user:
            statement = statement.where(
                func.lower(TrailEntry.actor_label).contains(user.lower(), autoescape=True)
            )
        reference = self.values["case"]
        if reference:
            statement = statement.where(func.upper(Case.reference) == reference.upper())
        if self.values["audit"] and "audit" not in self.errors:
            statement = statement.where(
                TrailEntry.object_type == "audit",
                TrailEntry.object_id == str(int(self.values["audit"])),
            )
        if self.values["action"]:
            statement = statement.where(TrailEntry.action == self.values["action"])
        start = _date(self.values["start"]) if "start" not in self.errors else None
        end = _date(self.values["end"]) if "end" not in self.errors else None
        if start:
            statement = statement.where(TrailEntry.at >= datetime.combine(start, time.min))
        if end and end < date.max:
            after = datetime.combine(end + timedelta(days=1), time.min)
            statement = statement.where(TrailEntry.at < after)
        return statement

    def count(self) -> int:
        statement = self.statement().order_by(None)
        return db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def actions() -> list[str]:
    """Every action recorded so far, for the search's list."""
    statement = select(TrailEntry.action).distinct().order_by(TrailEntry.action)
    return list(db.session.scalars(statement))


def case_history(case_id: int, limit: int = CASE_HISTORY_LIMIT) -> list[TrailEntry]:
    """Who viewed or changed the case's file and its audits, most recent first."""
    return list(
        db.session.scalars(
            select(TrailEntry)
            .where(TrailEntry.case_id == case_id)
            .order_by(TrailEntry.id.desc())
            .limit(limit)
        )
    )
