"""The committee pack as a workbook: Contents, a sheet per section, numbers as numbers,
native charts drawn from the tables' cells, read back with openpyxl."""

from __future__ import annotations

import io
from dataclasses import replace

import openpyxl
import pytest
from openpyxl.chart import BarChart, LineChart

from core.exports.document import Document, Section
from core.exports.xlsx import _sheet_names, document_xlsx, xlsx_bytes
from tests.core.exports.sample import sample_document, trend_chart


@pytest.fixture(scope="module")
def book() -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(document_xlsx(sample_document())))


def rows(sheet) -> list[tuple]:
    return [r for r in sheet.iter_rows(values_only=True) if any(v is not None for v in r)]


def test_contents_then_a_sheet_per_section(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == ["Contents", "Standards", "Trend", "Actions"]
    contents = rows(book["Contents"])
    assert contents[0][0] == "Quality assurance report"
    assert ("Sheet", "Section", "Tables") in contents
    link = next(c for c in book["Contents"]["A"] if c.value == "Trend")
    assert link.hyperlink.location == "'Trend'!A1" or link.hyperlink.target == "#'Trend'!A1"


def test_each_section_has_a_title_row_and_bold_table_headers(book: openpyxl.Workbook) -> None:
    sheet = book["Actions"]
    assert sheet["A1"].value == "Actions" and sheet["A1"].font.bold
    header = next(r for r in sheet.iter_rows() if r[0].value == "Standard")
    assert [c.value for c in header] == [
        "Standard",
        "Set",
        "Done",
        "Overdue",
        "Done (%)",
        "Comment",
    ]
    assert all(c.font.bold for c in header)


def test_numbers_are_numbers_and_text_is_neutralised(book: openpyxl.Workbook) -> None:
    sheet = book["Actions"]
    data = {
        r[0].value: r
        for r in sheet.iter_rows()
        if r[0].value and "standard" in str(r[0].value).lower()
    }
    total = data["All standards"]
    assert [c.value for c in total[1:5]] == [14, 8, 4, 57.1]
    assert all(c.data_type == "n" for c in total[1:5])
    formula = data["Standard 2: Assessments are up to date"][5]
    assert formula.value == "'=1+1" and formula.data_type == "s"
    assert total[5].value is None  # None is an empty cell, not 0 or "None"


def test_native_charts_beside_their_tables(book: openpyxl.Workbook) -> None:
    assert [len(book[name]._charts) for name in book.sheetnames] == [0, 1, 2, 0]
    stacked = book["Standards"]._charts[0]
    assert isinstance(stacked, BarChart)
    assert stacked.type == "bar" and stacked.grouping == "stacked"
    trend, ratings = book["Trend"]._charts
    assert isinstance(trend, LineChart) and isinstance(ratings, BarChart)
    assert ratings.type == "col" and ratings.grouping == "clustered"
    assert trend.display_blanks == "gap"
    # Beside the table: anchored to the right of its five columns.
    assert stacked.anchor._from.col >= 5


def test_chart_series_are_the_table_cells(book: openpyxl.Workbook) -> None:
    sheet = book["Standards"]
    chart = sheet._charts[0]
    references = [s.val.numRef.f for s in chart.series]
    assert references == [f"'Standards'!${c}$8:${c}$11" for c in "BCD"]
    assert [sheet[f"B{r}"].value for r in range(8, 12)] == [57, 40, 12.5, 80]
    assert chart.series[0].cat.strRef.f == "'Standards'!$A$8:$A$11"


def test_a_table_laid_out_otherwise_gets_the_charted_figures_written_out() -> None:
    """If the data table is not a column per series, the drawn figures go under it."""
    chart = trend_chart()
    odd = replace(chart, table=replace(chart.table, columns=("Quarter", "LM", "IND")))
    document = Document("T", "C", "P", "S", [Section("trend", "Trend", [odd])])
    book = openpyxl.load_workbook(io.BytesIO(document_xlsx(document)))
    sheet = book["Trend"]
    assert any(r[0] == "Figures drawn in the chart: " + chart.title for r in rows(sheet))
    assert len(sheet._charts) == 1


def test_sheet_names_are_valid_and_unique() -> None:
    names = _sheet_names(
        ["Actions: set/done?", "History", "A" * 40, "A" * 40, "Contents", "'Quoted'", "[*]"]
    )
    assert names[0] == "Actions set done"
    assert names[1] == "History (section)"
    assert names[2] == "A" * 31 and names[3] == "A" * 27 + " (2)"
    assert names[4] == "Contents (2)"
    assert names[5] == "Quoted"
    assert names[6] == "Section"
    assert all(len(n) <= 31 for n in names) and len({n.lower() for n in names}) == len(names)


def test_the_one_table_export_still_works() -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(["Name", "Count"], [["=2+2", 3]])))
    assert list(book.active.iter_rows(values_only=True)) == [("Name", "Count"), ("'=2+2", 3)]


def test_a_series_per_row_is_charted_from_the_rows() -> None:
    """A table with a row per series (periods across) is charted from its rows as it is."""
    chart = trend_chart()
    table = replace(
        chart.table,
        columns=("Kind of audit", *chart.categories),
        rows=tuple((s.name, *s.values) for s in chart.series),
        numeric=(False, True, True, True, True),
    )
    document = Document(
        "T", "C", "P", "S", [Section("trend", "Trend", [replace(chart, table=table)])]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(document_xlsx(document)))["Trend"]
    (drawn,) = sheet._charts
    assert [s.val.numRef.f for s in drawn.series] == ["'Trend'!$B$6:$E$6", "'Trend'!$B$7:$E$7"]
    assert drawn.series[0].cat.strRef.f == "'Trend'!$B$5:$E$5"
    assert not any(str(r[0]).startswith("Figures drawn") for r in rows(sheet))
