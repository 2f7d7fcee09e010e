"""XLSX exports, through the same neutralised cells as CSV."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from core.exports.cells import neutralise_row
from core.exports.csv import download_name

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(
    header: Sequence[object], rows: Iterable[Sequence[object]], title: str = "Export"
) -> bytes:
    """An XLSX workbook of one sheet; text cells are stored as text, never formulas."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for row in [header, *rows]:
        cells = []
        for value in neutralise_row(row):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                # openpyxl makes any text starting with "=" a formula: force text.
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_download(
    name: str, header: Sequence[object], rows: Iterable[Sequence[object]]
) -> Response:
    return Response(
        xlsx_bytes(header, rows),
        mimetype=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{download_name(name, ".xlsx")}"'},
    )
