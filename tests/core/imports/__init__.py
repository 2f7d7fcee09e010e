"""Small synthetic extract files, written the ways councils' systems write them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from core.imports.plan import ImportFileData
from core.imports.runner import run_import
from core.models import ImportKind, ImportRun

Rows = Sequence[Sequence[Any]]


def csv_bytes(
    rows: Rows, *, encoding: str = "utf-8", delimiter: str = ",", bom: bool = False
) -> bytes:
    """A CSV file as Excel or a case system would save it (CRLF line ends)."""
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows(rows)
    data = text.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: Rows, *, title: str | None = None, blank_rows: Sequence[int] = ()) -> bytes:
    """An Excel workbook: an optional merged title row above the headings, blank rows.

    ``blank_rows`` are positions in ``rows`` before which an empty row is left.
    """
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
        sheet.append([])
    for n, row in enumerate(rows):
        if n in blank_rows:
            sheet.append([])
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run(
    kind: ImportKind,
    content: bytes,
    filename: str = "extract.csv",
    *,
    dry_run: bool = False,
    **options: Any,
) -> ImportRun:
    """Run an import the way the command line does, with ``options`` (full, mapping ...)."""
    return run_import(
        kind,
        [ImportFileData("file", filename, content)],
        options,
        started_by="tests",
        dry_run=dry_run,
    )


def problems_at(run: ImportRun) -> set[tuple[Any, str]]:
    """The (row, column) of each problem the run recorded."""
    return {(p["row"], p["column"]) for p in run.problems}


def reasons(run: ImportRun) -> str:
    return " | ".join(p["reason"] for p in run.problems)
