"""A report as data: the one model the report page and every export render.

The committee pack is built once as a :class:`Document` (headings, paragraphs,
tables, charts with their data, pinned comments) and then rendered: to HTML on
the report page, and to PDF, Word, Excel and CSV by the modules beside this one.
An issued report stores its document as JSON (:meth:`Document.to_json`), so it
renders the same, byte for byte in its figures, however the data changes later.

Nothing here queries the database or knows about audits: builders (see
``core.reports.content``) fill it in, renderers read it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

Cell = str | int | float | None

#: How a chart draws its series: ``stacked_bar`` for shares that add up to 100
#: (met / partially met / not met per standard), ``bar`` for grouped bars,
#: ``line`` for a trend over periods.
ChartKind = Literal["stacked_bar", "bar", "line"]


@dataclass(frozen=True)
class Table:
    """A table with a caption, column headers and rows.

    The first column of each row is the row's header (a standard, a period).
    ``numeric`` says which columns are numbers (right-aligned; typed cells in
    Excel). Percentages are stored as numbers (``57``) with ``unit`` ``"%"`` in
    the column header text, never as strings, so Excel can chart them.
    """

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    numeric: tuple[bool, ...] = ()
    #: A sentence under the table (e.g. "N is the number of audits where the standard applied").
    note: str = ""
    #: A short stable name, used for the CSV file and the Excel sheet.
    key: str = ""

    def is_numeric(self, index: int) -> bool:
        return index < len(self.numeric) and self.numeric[index]


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Chart:
    """A chart and the data it draws; renderers draw it their own way.

    ``categories`` label the x axis (or the bars), each series has one value
    per category (``None`` where there is no data). ``table`` is the same data
    as a table, shown beside the chart for screen readers and in greyscale
    print. ``description`` is a one-sentence summary for assistive technology.
    """

    title: str
    kind: ChartKind
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    table: Table
    unit: str = "%"
    description: str = ""
    key: str = ""


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Heading:
    """A sub-heading inside a section (the section's own heading is level 2)."""

    text: str
    level: int = 3


@dataclass(frozen=True)
class Quote:
    """A pinned evidence comment, as the auditor wrote it.

    ``source`` says where it comes from without identifying anyone, e.g.
    "Standard 3, rated Not met, line management audit, March 2026". Case
    references, names of staff and initials are never put here.
    """

    text: str
    source: str


Block = Paragraph | Heading | Table | Chart | Quote

_BLOCK_TYPES: dict[str, type] = {
    "paragraph": Paragraph,
    "heading": Heading,
    "table": Table,
    "chart": Chart,
    "quote": Quote,
}


@dataclass
class Section:
    key: str
    heading: str
    blocks: list[Block] = field(default_factory=list)

    def tables(self) -> list[Table]:
        """Every table in the section, charts' data tables included, in order."""
        out: list[Table] = []
        for block in self.blocks:
            if isinstance(block, Table):
                out.append(block)
            elif isinstance(block, Chart):
                out.append(block.table)
        return out


@dataclass
class Document:
    """A whole report: what the committee reads.

    ``status`` is ``"draft"`` or ``"issued"``; an issued document carries its
    ``version`` and ``issued_on`` (an ISO date) and every export says so.
    """

    title: str
    council: str
    period_label: str
    scope_label: str
    sections: list[Section] = field(default_factory=list)
    status: str = "draft"
    version: int | None = None
    issued_on: str | None = None
    #: Lines under the title: filters in force, when the figures were counted.
    summary: list[str] = field(default_factory=list)

    @property
    def subtitle(self) -> str:
        return f"{self.scope_label}: {self.period_label}"

    @property
    def version_label(self) -> str:
        if self.status == "issued" and self.version is not None:
            return f"Version {self.version}, issued {_long_date(self.issued_on)}"
        return "Draft, not issued"

    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables()]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; :meth:`from_json` gives the same document back."""
        data = asdict(self)
        for section, raw in zip(self.sections, data["sections"], strict=True):
            raw["blocks"] = [_block_json(block) for block in section.blocks]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document:
        sections = [
            Section(s["key"], s["heading"], [_block_from(b) for b in s["blocks"]])
            for s in data.get("sections", [])
        ]
        fields = {k: v for k, v in data.items() if k != "sections"}
        return cls(sections=sections, **fields)


def _block_json(block: Block) -> dict[str, Any]:
    name = next(n for n, t in _BLOCK_TYPES.items() if isinstance(block, t))
    return {"type": name, **asdict(block)}


def _table_from(data: dict[str, Any]) -> Table:
    return Table(
        caption=data["caption"],
        columns=tuple(data["columns"]),
        rows=tuple(tuple(row) for row in data["rows"]),
        numeric=tuple(data.get("numeric", ())),
        note=data.get("note", ""),
        key=data.get("key", ""),
    )


def _block_from(data: dict[str, Any]) -> Block:
    kind = data["type"]
    if kind == "table":
        return _table_from(data)
    if kind == "chart":
        return Chart(
            title=data["title"],
            kind=data["kind"],
            categories=tuple(data["categories"]),
            series=tuple(Series(s["name"], tuple(s["values"])) for s in data["series"]),
            table=_table_from(data["table"]),
            unit=data.get("unit", "%"),
            description=data.get("description", ""),
            key=data.get("key", ""),
        )
    fields = {k: v for k, v in data.items() if k != "type"}
    return _BLOCK_TYPES[kind](**fields)


def _long_date(iso: str | None) -> str:
    """``2026-04-20`` as "20 April 2026" (GOV.UK style); anything else as it is."""
    if not iso:
        return ""
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {day:%B %Y}"
