"""CSV exports: neutralised cells and a download response with a safe file name."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from flask import Response

from core.exports.cells import neutralise_row


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
