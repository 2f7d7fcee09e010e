"""Exports: the one way careaudit writes CSV and XLSX files for people to open.

Every export goes through :mod:`core.exports.cells` so that a cell holding a name
like ``=HYPERLINK(...)`` cannot run as a formula in a spreadsheet (formula or CSV
injection, OWASP). Views use :func:`csv_download` or :func:`xlsx_download`.

A report (:class:`core.exports.document.Document`) renders to every format from the
modules beside this one: ``pdf.document_pdf``, ``docx.document_docx``,
``xlsx.document_xlsx`` and ``csv.document_csv_zip``. They are imported from there, not
here, so starting the app does not load WeasyPrint, python-docx or matplotlib.
"""

from core.exports.cells import neutralise
from core.exports.csv import csv_download, csv_text
from core.exports.xlsx import xlsx_bytes, xlsx_download

__all__ = ["csv_download", "csv_text", "neutralise", "xlsx_bytes", "xlsx_download"]
