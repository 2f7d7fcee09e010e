"""CSV exports: neutralised cells and a download response with a safe file name.

A whole report document becomes a zip of CSV files, one per table (see
:func:`document_csv_zip`).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from flask import Response

from core.exports.cells import neutralise_row
from core.exports.document import Document
from core.exports.text import version_text


def csv_text(header: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    """The CSV text of ``header`` and ``rows``, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(neutralise_row(header))
    for row in rows:
        writer.writerow(neutralise_row(row))
    return out.getvalue()


_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def download_name(name: str, suffix: str) -> str:
    """A file name made of ASCII letters, digits, dots and dashes only.

    HTTP headers are Latin-1, and quotes or semicolons would end the header's value:
    anything else (a non-Latin digit from a tampered URL, a space) becomes ``-``.
    """
    stem = _UNSAFE_IN_NAME.sub("-", name.removesuffix(suffix)).strip("-.") or "export"
    return f"{stem[:100]}{suffix}"


def csv_download(name: str, header: Sequence[object], rows: Iterable[Sequence[object]]) -> Response:
    """A CSV file to download, named ``name`` (made safe)."""
    return Response(
        csv_text(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{download_name(name, ".csv")}"'},
    )


ZIP_TYPE = "application/zip"
#: Excel reads a CSV file as UTF-8 only when it starts with a byte order mark.
BOM = "\ufeff"


def document_csv_zip(document: Document) -> bytes:
    """Every table of the document (charts' data tables too) as a CSV file, zipped.

    Files are numbered in the document's order and named from the section's and the
    table's keys (``01-standards-standards.csv``); ``README.txt`` lists each file with
    its caption. Cells are neutralised like every other CSV careaudit writes.
    """
    stamp = _zip_time(document)
    listing = [
        document.title,
        document.council,
        document.subtitle,
        version_text(document),
        *document.summary,
        "",
        "Files (UTF-8 CSV, one table each; an empty cell means no data):",
        "",
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        number = 0
        for section in document.sections:
            for table in section.tables():
                number += 1
                name = download_name(
                    f"{number:02d}-{section.key or 'section'}-{table.key or 'table'}", ".csv"
                )
                text = BOM + csv_text(table.columns, table.rows)
                archive.writestr(_entry(name, stamp), text.encode("utf-8"))
                listing.append(f"{name}: {table.caption} ({section.heading})")
                if table.note:
                    listing.append(f"    {table.note}")
        readme = "\r\n".join(listing) + "\r\n"
        archive.writestr(_entry("README.txt", stamp), (BOM + readme).encode("utf-8"))
    return out.getvalue()


def _zip_time(document: Document) -> tuple[int, int, int, int, int, int]:
    """An issued report's files carry its issue date, so the same version zips the same."""
    if document.issued_on:
        try:
            day = date.fromisoformat(document.issued_on)
            return (day.year, day.month, day.day, 0, 0, 0)
        except ValueError:
            pass
    return datetime.now().timetuple()[:6]  # type: ignore[return-value]


def _entry(name: str, stamp: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info
