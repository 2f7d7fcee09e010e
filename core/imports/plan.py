"""What an import would change, and what is wrong with the file."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.models import ImportRun

#: The counts every import reports, in the order pages show them.
COUNT_NAMES = ("created", "updated", "closed", "unchanged", "rejected")


@dataclass(frozen=True)
class Problem:
    """One reason a row (or XML element) cannot be imported, in plain English.

    ``row`` is the spreadsheet row number (the header is row 1) or, for XML,
    the element's path such as ``Child 12 (LAchildID C0001) / CINdetails 2``.
    ``column`` is the file's column heading or element name ("" for the row).
    """

    row: int | str
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


class FileProblem(ValueError):
    """The whole file cannot be read (wrong type, no header, too large ...)."""


@dataclass
class ImportPlan:
    """The outcome of checking a file: counts, problems and the changes to write.

    ``changes`` is the importer's own description of what to write (only the
    importer reads it). ``details`` are facts worth showing the user, such as
    ``unknown_teams``.
    """

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_NAMES, 0))
    problems: list[Problem] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    changes: Any = None

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def problem(self, row: int | str, column: str, reason: str) -> None:
        self.problems.append(Problem(row, column, reason))

    @property
    def rejected_rows(self) -> int:
        return len({p.row for p in self.problems})


class Progress(Protocol):
    """How an import reports how far it has got (a bar on the command line, a job row)."""

    def stage(self, text: str, total: int | None = None) -> None: ...

    def advance(self, n: int = 1) -> None: ...


class NoProgress:
    def stage(self, text: str, total: int | None = None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


@dataclass(frozen=True)
class ImportFileData:
    """A file given to an import: its role ("file", "header", "episodes"), name and bytes."""

    role: str
    filename: str
    content: bytes


class Importer(Protocol):
    """One kind of import. ``check`` never writes; ``apply`` writes, without committing."""

    def check(
        self, files: Mapping[str, ImportFileData], options: Mapping[str, Any], progress: Progress
    ) -> ImportPlan: ...

    def apply(self, plan: ImportPlan, run: ImportRun, progress: Progress) -> None: ...


ImporterFactory = Callable[[], Importer]
