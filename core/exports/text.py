"""How every export writes a report's figures and labels as text.

The PDF, the Word document, the report page and the CSV README all say the same thing
the same way: ``1,234`` audits, ``57.1`` per cent, "Version 2, issued 20 April 2026".
Spreadsheets get the numbers themselves, not this text.
"""

from __future__ import annotations

import re
from datetime import date

from core.exports.document import Cell, Document

#: Shown for a cell with no figure (no audits in that period): never a misleading 0.
NO_DATA = "–"


def format_cell(value: Cell) -> str:
    """A table cell as text: thousands separated, at most two decimals, a dash for None."""
    if value is None or value == "":
        return NO_DATA
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        rounded = round(value, 2)
        if rounded.is_integer():
            return f"{int(rounded):,}"
        return f"{rounded:,.2f}".rstrip("0")
    return str(value)


def long_date(iso: str | None) -> str:
    """``2026-04-20`` as "20 April 2026" (GOV.UK style); anything else as it is."""
    if not iso:
        return ""
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {day:%B %Y}"


def version_text(document: Document) -> str:
    """ "Version 2, issued 20 April 2026", or "Draft, not issued"."""
    if document.status == "issued" and document.version is not None:
        return f"Version {document.version}, issued {long_date(document.issued_on)}"
    return document.version_label


def paragraphs(text: str) -> list[str]:
    """An officer's narrative split at blank lines into paragraphs."""
    return [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]
