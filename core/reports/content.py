"""What a report says, as a :class:`core.exports.document.Document`.

The report page and the committee pack are both built here, from the
pre-aggregated counts (see ``core.reports.summary``), so the page, the PDF, the
Word document, the workbook and the CSV files always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from core.exports.document import Document, Quote
from core.models import User

TrendUnit = Literal["quarter", "month"]


@dataclass(frozen=True)
class ReportRequest:
    """Which report: a period, a part of the council, filters and sections.

    Keys are the report page's URL parameters (``core.reports.periods`` and
    ``core.reports.scopes``). Empty filter tuples mean "all".
    """

    period: str
    scope: str
    kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    #: Section keys to include (see :func:`available_sections`); empty = all.
    sections: tuple[str, ...] = ()
    trend_unit: TrendUnit = "quarter"
    trend_length: int = 8
    #: Officer's narrative per section key, shown under the section heading.
    narratives: dict[str, str] = field(default_factory=dict, compare=False)
    #: Pinned comments per section key.
    pins: dict[str, list[Quote]] = field(default_factory=dict, compare=False)


def available_sections(request: ReportRequest, user: User) -> list[tuple[str, str]]:
    """``(key, heading)`` of every section this report can have, in order."""
    raise NotImplementedError  # being written: the report page's builder


def build_document(request: ReportRequest, user: User, title: str = "Audit report") -> Document:
    """The report as a document; raises ``ValueError`` for a period or scope the user can't use."""
    raise NotImplementedError  # being written: the report page's builder
