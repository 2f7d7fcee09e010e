"""XLSX exports, through the same neutralised cells as CSV: one table, or a whole report."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.drawing.fill import ColorChoice, PatternFillProperties
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.exports.cells import neutralise, neutralise_row
from core.exports.csv import download_name
from core.exports.document import Chart, Document, Heading, Paragraph, Quote, Section, Table
from core.exports.text import version_text

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


# --- A whole report document: a Contents sheet, then one sheet per section ---------------

#: Excel refuses these in sheet names, and names longer than 31 characters.
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
#: Excel keeps "History" for its own change tracking.
_RESERVED_SHEET_NAMES = {"history"}
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEADER_FILL = PatternFill("solid", fgColor="F3F2F1")
#: Bar fills after the first (solid) one: patterns that survive greyscale printing.
_PATTERNS = ("wdUpDiag", "smGrid", "wdDnDiag", "dkHorz", "dkVert", "smCheck")
_LINE_MARKERS = ("circle", "square", "triangle", "diamond", "x", "star", "plus")
_LINE_DASHES = ("solid", "dash", "sysDot", "dashDot", "lgDash", "sysDash", "lgDashDot")
#: About how tall one spreadsheet row is at the default height, for placing charts.
_ROW_CM = 0.53


def document_xlsx(document: Document) -> bytes:
    """The document as an XLSX workbook: "Contents", then a sheet per section.

    Tables keep their numbers as numbers; each chart is a native Excel chart drawn
    from its data table's cells, placed beside that table.
    """
    workbook = Workbook()
    contents = workbook.active
    contents.title = "Contents"
    names = _sheet_names([section.heading for section in document.sections])
    for section, name in zip(document.sections, names, strict=True):
        _write_section(workbook.create_sheet(name), section, document)
    _write_contents(contents, document, names)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_names(headings: Sequence[str]) -> list[str]:
    taken = {"contents"}
    names: list[str] = []
    for heading in headings:
        base = _NOT_IN_SHEET_NAME.sub(" ", heading).strip().strip("'").strip() or "Section"
        base = re.sub(r"\s+", " ", base)
        if base.lower() in _RESERVED_SHEET_NAMES:
            base = f"{base} (section)"
        name, number = base[:31], 1
        while name.lower() in taken:
            number += 1
            suffix = f" ({number})"
            name = base[: 31 - len(suffix)].rstrip() + suffix
        taken.add(name.lower())
        names.append(name)
    return names


def _put(sheet: Worksheet, row: int, column: int, value: object, font: Font | None = None) -> Any:
    """Write one cell: text neutralised and stored as text, numbers as numbers, None empty."""
    cell = sheet.cell(row=row, column=column)
    if value is not None and value != "":
        cell.value = neutralise(value)
        if isinstance(cell.value, str):
            cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def _write_contents(sheet: Worksheet, document: Document, names: Sequence[str]) -> None:
    _put(sheet, 1, 1, document.title, _TITLE)
    _put(sheet, 2, 1, document.council)
    _put(sheet, 3, 1, document.subtitle)
    _put(sheet, 4, 1, version_text(document))
    row = 5
    for line in document.summary:
        _put(sheet, row, 1, line)
        row += 1
    row += 1
    for column, header in enumerate(("Sheet", "Section", "Tables"), start=1):
        _put(sheet, row, column, header, _BOLD).fill = _HEADER_FILL
    for section, name in zip(document.sections, names, strict=True):
        row += 1
        link = _put(sheet, row, 1, name)
        quoted = name.replace("'", "''")
        link.hyperlink = f"#'{quoted}'!A1"
        link.style = "Hyperlink"
        _put(sheet, row, 2, section.heading)
        _put(sheet, row, 3, "; ".join(table.caption for table in section.tables()))
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 40
    sheet.column_dimensions["C"].width = 80


def _write_section(sheet: Worksheet, section: Section, document: Document) -> None:
    _put(sheet, 1, 1, section.heading, _TITLE)
    _put(sheet, 2, 1, f"{document.title}. {document.subtitle}. {version_text(document)}")
    row = 4
    widest = 1
    for block in section.blocks:
        if isinstance(block, Chart):
            first, last = _write_table(sheet, block.table, row)
            widest = max(widest, len(block.table.columns))
            row = _place_chart(sheet, block, first, last, row)
        elif isinstance(block, Table):
            _first, row = _write_table(sheet, block, row)
            widest = max(widest, len(block.columns))
        elif isinstance(block, Quote):
            _put(sheet, row, 1, block.text)
            _put(sheet, row + 1, 1, f"— {block.source}", Font(italic=True))
            row += 2
        elif isinstance(block, Heading):
            _put(sheet, row, 1, block.text, Font(bold=True, size=12))
            row += 1
        elif isinstance(block, Paragraph):
            _put(sheet, row, 1, block.text)
            row += 1
        row += 1
    sheet.column_dimensions["A"].width = 45
    for column in range(2, widest + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 16


def _write_table(sheet: Worksheet, table: Table, row: int) -> tuple[int, int]:
    """Caption, bold header row and data rows from ``row``; returns (header row, last row)."""
    _put(sheet, row, 1, table.caption, _BOLD)
    header = row + 1
    for column, name in enumerate(table.columns, start=1):
        cell = _put(sheet, header, column, name, _BOLD)
        cell.fill = _HEADER_FILL
        if table.is_numeric(column - 1):
            cell.alignment = Alignment(horizontal="right", wrap_text=True)
    last = header
    for values in table.rows:
        last += 1
        for column, value in enumerate(values, start=1):
            _put(sheet, last, column, value)
    if table.note:
        _put(sheet, last + 1, 1, table.note, Font(italic=True))
        return header, last + 1
    return header, last


def _place_chart(sheet: Worksheet, chart: Chart, header: int, last: int, top: int) -> int:
    """Add a native chart beside the table just written; returns the next free row."""
    width = len(chart.table.columns)
    layout = _layout(chart)
    if layout is None:
        # The data table is laid out another way: write the drawn figures out plainly
        # (a category column, a column per series) under it and chart those.
        data = Table(
            caption=f"Figures drawn in the chart: {chart.title}",
            columns=(
                chart.table.columns[0] if chart.table.columns else "",
                *(s.name for s in chart.series),
            ),
            rows=tuple(
                (category, *(s.values[i] for s in chart.series))
                for i, category in enumerate(chart.categories)
            ),
        )
        header, last = _write_table(sheet, data, last + 2)
        layout = ("columns", [*range(1, len(chart.series) + 1)])
        width = max(width, len(data.columns))
    orientation, positions = layout
    excel_chart = _excel_chart(chart)
    for index, position in enumerate(positions):
        if orientation == "columns":
            values = Reference(
                sheet, min_col=position + 1, min_row=header, max_row=header + len(chart.categories)
            )
        else:
            row = header + 1 + position
            values = Reference(sheet, min_col=1, max_col=len(chart.categories) + 1, min_row=row)
        excel_chart.add_data(values, titles_from_data=True, from_rows=orientation == "rows")
        _style_series(excel_chart.series[-1], chart, index)
    if orientation == "columns":
        labels = Reference(
            sheet, min_col=1, min_row=header + 1, max_row=header + len(chart.categories)
        )
    else:
        labels = Reference(sheet, min_col=2, max_col=len(chart.categories) + 1, min_row=header)
    for series in excel_chart.series:
        # Categories are text (standards, quarters): a string reference, or Excel
        # numbers them 1, 2, 3.
        series.cat = AxDataSource(strRef=StrRef(f=str(labels)))
    sheet.add_chart(excel_chart, f"{get_column_letter(width + 2)}{top}")
    rows_taken = int(excel_chart.height / _ROW_CM) + 1
    return max(last, top + rows_taken)


def _layout(chart: Chart) -> tuple[str, list[int]] | None:
    """Where the chart's series are in its data table, if the table holds exactly them.

    ``("columns", [j...])``: a column per series, a row per category (the usual way);
    ``("rows", [i...])``: a row per series, a column per category. ``None`` otherwise.
    """
    table = chart.table
    headers = [_plain(name) for name in table.columns[1:]]
    firsts = [_plain(str(row[0])) if row else "" for row in table.rows]
    categories = [_plain(c) for c in chart.categories]
    if firsts[: len(categories)] == categories and len(firsts) >= len(categories):
        columns = []
        for series in chart.series:
            if _plain(series.name) not in headers:
                return None
            j = headers.index(_plain(series.name)) + 1
            cells = tuple(row[j] if j < len(row) else None for row in table.rows[: len(categories)])
            if not _same(cells, series.values):
                return None
            columns.append(j)
        return ("columns", columns)
    if headers[: len(categories)] == categories:
        rows = []
        for series in chart.series:
            if _plain(series.name) not in firsts:
                return None
            i = firsts.index(_plain(series.name))
            if not _same(table.rows[i][1 : len(categories) + 1], series.values):
                return None
            rows.append(i)
        return ("rows", rows)
    return None


def _plain(text: str) -> str:
    """A header without its unit: "Met (%)" and "Met" name the same series."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", text).strip().casefold()


def _same(cells: Sequence[object], values: Sequence[float | None]) -> bool:
    if len(cells) != len(values):
        return False
    for cell, value in zip(cells, values, strict=True):
        if value is None:
            if cell not in (None, ""):
                return False
        elif not isinstance(cell, int | float) or abs(float(cell) - float(value)) > 1e-9:
            return False
    return True


def _excel_chart(chart: Chart) -> Any:
    from core.reports.charts import value_axis_label

    excel_chart: Any
    if chart.kind == "line":
        excel_chart = LineChart()
    else:
        excel_chart = BarChart()
        if chart.kind == "stacked_bar":
            excel_chart.type = "bar"
            excel_chart.grouping = "stacked"
            excel_chart.overlap = 100
            excel_chart.gapWidth = 60
            # Excel draws horizontal bars bottom-up: turn the axis so the first
            # category is at the top, as in the table.
            excel_chart.x_axis.scaling.orientation = "maxMin"
            excel_chart.height = max(7.5, 2.5 + 1.1 * len(chart.categories))
        else:
            excel_chart.type = "col"
            excel_chart.grouping = "clustered"
    excel_chart.title = chart.title
    excel_chart.width = 18
    excel_chart.x_axis.title = chart.table.columns[0] if chart.table.columns else None
    excel_chart.y_axis.title = value_axis_label(chart)
    if chart.unit == "%":
        excel_chart.y_axis.scaling.min = 0
        excel_chart.y_axis.scaling.max = 100
    # openpyxl 3.1 marks axes as deleted unless told otherwise; Excel then hides them.
    excel_chart.x_axis.delete = False
    excel_chart.y_axis.delete = False
    excel_chart.legend.position = "b"
    excel_chart.display_blanks = "gap"  # an empty cell (no data) is a gap, not zero
    return excel_chart


def _style_series(series: Any, chart: Chart, index: int) -> None:
    """Colour plus a pattern, or a marker and dash, so series differ in greyscale too."""
    from core.reports.charts import PALETTE

    colour = PALETTE[index % len(PALETTE)].lstrip("#").upper()
    if chart.kind == "line":
        series.marker.symbol = _LINE_MARKERS[index % len(_LINE_MARKERS)]
        series.marker.size = 7
        series.marker.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
        series.graphicalProperties.line.dashStyle = _LINE_DASHES[index % len(_LINE_DASHES)]
        series.graphicalProperties.line.width = 22000  # EMU: about 1.75 pt
        series.smooth = False
        return
    series.graphicalProperties.line.solidFill = "0B0C0C"
    if index == 0:
        series.graphicalProperties.solidFill = colour
    else:
        series.graphicalProperties.pattFill = PatternFillProperties(
            prst=_PATTERNS[(index - 1) % len(_PATTERNS)],
            fgClr=ColorChoice(srgbClr="0B0C0C"),
            bgClr=ColorChoice(srgbClr=colour),
        )
