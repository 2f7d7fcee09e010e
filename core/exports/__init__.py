"""Exports: the one way careaudit writes CSV and XLSX files for people to open.

Every export goes through :mod:`core.exports.cells` so that a cell holding a name
like ``=HYPERLINK(...)`` cannot run as a formula in a spreadsheet (formula or CSV
injection, OWASP). Views use :func:`csv_download` or :func:`xlsx_download`.
"""

from core.exports.cells import neutralise
from core.exports.csv import csv_download, csv_text
from core.exports.xlsx import xlsx_bytes, xlsx_download

__all__ = ["csv_download", "csv_text", "neutralise", "xlsx_bytes", "xlsx_download"]
