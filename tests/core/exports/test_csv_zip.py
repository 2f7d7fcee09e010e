"""Every table of the committee pack as a CSV file in a zip, with a README."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from core.exports.csv import document_csv_zip
from tests.core.exports.sample import sample_document


@pytest.fixture(scope="module")
def archive() -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(document_csv_zip(sample_document())))


def read(archive: zipfile.ZipFile, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_one_numbered_file_per_table_and_a_readme(archive: zipfile.ZipFile) -> None:
    assert archive.namelist() == [
        "01-standards-standards.csv",
        "02-trend-trend.csv",
        "03-trend-ratings.csv",
        "04-actions-actions.csv",
        "README.txt",
    ]


def test_utf8_with_a_byte_order_mark_for_excel(archive: zipfile.ZipFile) -> None:
    for name in archive.namelist():
        assert archive.read(name).startswith("\ufeff".encode())


def test_figures_match_the_tables(archive: zipfile.ZipFile) -> None:
    document = sample_document()
    tables = document.tables()
    for name, table in zip(archive.namelist()[:-1], tables, strict=True):
        found = read(archive, name)
        assert found[0] == list(table.columns)
        assert len(found) == 1 + len(table.rows)
    standards = read(archive, "01-standards-standards.csv")
    assert standards[3] == ["Standard 3: Plans are SMART", "12.5", "62.5", "25", "8"]
    trend = read(archive, "02-trend-trend.csv")
    assert trend[2] == ["Q2 2025-26", "54.5", ""]  # no data: an empty cell


def test_cells_are_neutralised(archive: zipfile.ZipFile) -> None:
    actions = read(archive, "04-actions-actions.csv")
    assert actions[2][-1] == "'=1+1"


def test_readme_lists_files_with_captions(archive: zipfile.ZipFile) -> None:
    readme = archive.read("README.txt").decode("utf-8-sig")
    assert "Exampleshire County Council" in readme
    assert "Version 2, issued 20 April 2026" in readme
    assert "04-actions-actions.csv: Actions by standard (Actions)" in readme
    assert "01-standards-standards.csv: Standards met, partially met and not met" in readme


def test_an_issued_report_zips_the_same_every_time() -> None:
    assert document_csv_zip(sample_document()) == document_csv_zip(sample_document())
