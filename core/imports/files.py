"""Reading a CSV or XLSX extract into rows keyed by the file's column headings.

Case recording systems and the people who run their reports produce files in
every shape: UTF-8 with or without a byte order mark, Windows-1252, Excel
workbooks with a title row, merged group headings above the real ones, blank
rows. This module finds the heading row and hands back plain text cells, each
with its row number as the user sees it in Excel.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from core.imports.plan import FileProblem
from core.imports.values import clean

#: How many rows from the top may hold titles or group headings before the header.
HEADER_SEARCH_ROWS = 20
#: A cell larger than this is not something a case list holds.
MAX_CELL_CHARS = 10_000


@dataclass
class Table:
    """The file's headings and its non-blank rows as ``(row number, {heading: text})``."""

    headings: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    #: Where the headings were found (1-based), for messages.
    header_row: int = 1

    def __len__(self) -> int:
        return len(self.rows)


def decode(content: bytes) -> str:
    """Text from UTF-8 (with or without a BOM) or, failing that, Windows-1252."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return content.decode("cp1252")
        except UnicodeDecodeError as error:
            raise FileProblem(
                "The file's characters cannot be read. Save it as CSV UTF-8 and try again."
            ) from error


def is_xlsx(filename: str, content: bytes) -> bool:
    return filename.lower().endswith((".xlsx", ".xlsm")) or content[:2] == b"PK"


def read_table(content: bytes, filename: str, expected: Iterable[str] = ()) -> Table:
    """Read a CSV or XLSX file. ``expected`` headings help find the heading row."""
    if not content.strip():
        raise FileProblem("The file is empty")
    lower = filename.lower()
    if lower.endswith(".xls") and not lower.endswith(".xlsx"):
        raise FileProblem(
            "Old Excel files (.xls) cannot be read. Save the file as .xlsx or CSV and try again."
        )
    raw_rows = _xlsx_rows(content) if is_xlsx(filename, content) else _csv_rows(content)
    return _to_table(raw_rows, [e.lower() for e in expected])


def _csv_rows(content: bytes) -> Iterator[list[Any]]:
    if b"\x00" in content[:4096]:
        raise FileProblem("This is not a CSV file: it holds binary data")
    text = decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t", "|"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as error:
        raise FileProblem(
            f"Row {reader.line_num} cannot be read as CSV ({error}). Check quotes in that row."
        ) from None


def _xlsx_rows(content: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise FileProblem(
            "The file cannot be opened as an Excel workbook. Save it as .xlsx or CSV and try again."
        ) from error
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def _to_table(raw_rows: Iterator[list[Any]], expected: list[str]) -> Table:
    top: list[tuple[int, list[str]]] = []
    rows = iter(enumerate(raw_rows, start=1))
    for number, raw in rows:
        top.append((number, [_cell(v, number) for v in raw]))
        if len(top) >= HEADER_SEARCH_ROWS:
            break
    filled = [(n, cells) for n, cells in top if any(cells)]
    if not filled:
        raise FileProblem("The file has no rows")
    header_row, heading_cells = _find_header(filled, expected)
    headings = _headings(heading_cells)
    table = Table(headings=[h for h in headings if h], header_row=header_row)

    def add(number: int, cells: list[str]) -> None:
        if not any(cells):
            return  # blank rows, as spreadsheets have at the end
        table.rows.append(
            (number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headings) if h})
        )

    for number, cells in top:
        if number > header_row:
            add(number, cells)
    for number, raw in rows:
        add(number, [_cell(v, number) for v in raw])
    return table


def _cell(value: Any, row: int) -> str:
    text = clean(value)
    if len(text) > MAX_CELL_CHARS:
        raise FileProblem(
            f"Row {row} has a cell of {len(text):,} characters; this is not a case list"
        )
    return text


def _find_header(filled: list[tuple[int, list[str]]], expected: list[str]) -> tuple[int, list[str]]:
    """The heading row: the one naming most expected columns, else the first fullest row.

    Title rows and merged group headings fill fewer cells than the real
    headings, so they are passed over.
    """
    if expected:
        scored = [
            (sum(1 for c in cells if c.lower() in expected), -n, n, cells) for n, cells in filled
        ]
        best = max(scored)
        if best[0] > 0:
            return best[2], best[3]
    widest = max(sum(1 for c in cells if c) for _, cells in filled)
    for number, cells in filled:
        if sum(1 for c in cells if c) == widest:
            return number, cells
    return filled[0]  # pragma: no cover - the loop always returns


def _headings(cells: list[str]) -> list[str]:
    """Headings as written, made unique ("Team", "Team (2)") so no column is lost."""
    seen: dict[str, int] = {}
    headings = []
    for cell in cells:
        name = " ".join(cell.split())
        if not name:
            headings.append("")
            continue
        key = name.lower()
        seen[key] = seen.get(key, 0) + 1
        headings.append(name if seen[key] == 1 else f"{name} ({seen[key]})")
    return headings


def column_lookup(table: Table) -> dict[str, str]:
    """Lower-cased heading -> heading as written, for case-insensitive matching."""
    return {h.lower(): h for h in table.headings}
