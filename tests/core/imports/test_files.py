"""Reading extracts whatever their encoding or layout: CSV and XLSX into rows by heading."""

from __future__ import annotations

import pytest

from core.imports.files import column_lookup, read_table
from core.imports.plan import FileProblem
from tests.core.imports import csv_bytes, xlsx_bytes

ROWS = [
    ["Case reference", "Team", "Service"],
    ["C1", "CIN North", "Children in Need"],
    ["C2", "Équipe Sud", "Older People’s Social Work"],
]
EXPECTED = [
    (2, {"Case reference": "C1", "Team": "CIN North", "Service": "Children in Need"}),
    (3, {"Case reference": "C2", "Team": "Équipe Sud", "Service": "Older People’s Social Work"}),
]


@pytest.mark.parametrize(
    "content",
    [
        csv_bytes(ROWS),
        csv_bytes(ROWS, bom=True),
        csv_bytes(ROWS, encoding="cp1252"),
        csv_bytes(ROWS, delimiter=";"),
        csv_bytes(ROWS, delimiter="\t"),
    ],
    ids=["utf-8", "utf-8 with BOM", "windows-1252", "semicolons", "tabs"],
)
def test_csv_in_every_usual_encoding_and_delimiter(content):
    """Accented letters and curly apostrophes survive; the BOM is not part of a heading."""
    table = read_table(content, "cases.csv")
    assert table.headings == ROWS[0]
    assert table.rows == EXPECTED


def test_xlsx_with_a_merged_title_row_and_blank_rows():
    """The heading row is found below the title; blank rows are skipped."""
    content = xlsx_bytes(ROWS, title="Open cases at 31 March", blank_rows=[2])
    table = read_table(content, "cases.xlsx", expected=["case reference", "team"])
    assert table.header_row == 3
    assert table.headings == ROWS[0]
    assert table.rows == [(4, EXPECTED[0][1]), (6, EXPECTED[1][1])]


def test_the_heading_row_is_found_without_expected_headings():
    """Without hints, the first of the fullest rows is the heading row."""
    content = csv_bytes([["Case list export"], [], *ROWS])
    table = read_table(content, "cases.csv")
    assert table.header_row == 3
    assert [n for n, _ in table.rows] == [4, 5]


def test_repeated_headings_are_kept_apart_and_matched_in_any_case():
    table = read_table(csv_bytes([["Team", "TEAM", "Worker"], ["A", "B", "w@x.example"]]), "f.csv")
    assert table.headings == ["Team", "TEAM (2)", "Worker"]
    assert column_lookup(table)["worker"] == "Worker"


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "cases.csv", "The file is empty"),
        (b"\n\n", "cases.csv", "The file is empty"),
        (b"anything", "cases.xls", r"Old Excel files \(\.xls\) cannot be read"),
        (
            b"PK\x03\x04 not really a workbook",
            "cases.xlsx",
            "cannot be opened as an Excel workbook",
        ),
        (b"\x00\x01\x02binary", "cases.csv", "not a CSV file"),
        (b"Case reference\r\n" + b"x" * 10_001 + b"\r\n", "cases.csv", "this is not a case list"),
    ],
)
def test_files_that_cannot_be_read_say_why(content, filename, message):
    with pytest.raises(FileProblem, match=message):
        read_table(content, filename)
