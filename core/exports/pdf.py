"""A report document as a tagged PDF (PDF/UA-1), through WeasyPrint.

The HTML comes from ``templates/exports/document.html``, built from the same block
macros as the report page, so call this inside an app context. WeasyPrint tags the
headings, tables (with their header cells), lists, quotes and charts (an inline SVG
becomes a Figure whose alternative text is the chart's ``<title>``), writes ``/Lang``
from ``<html lang>`` and the title from ``<title>``.
"""

from __future__ import annotations

from core.exports.document import Document
from core.exports.html import document_html

PDF_TYPE = "application/pdf"


def document_pdf(document: Document) -> bytes:
    """The document as PDF bytes: A4, page numbers, the council's name on every page.

    WeasyPrint is imported here, not with the module: it needs Pango, a system library,
    and a server without it should still run every page and every other export.
    """
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except OSError as error:  # Pango or HarfBuzz missing: say what to do, not a traceback
        raise RuntimeError(
            "PDF files cannot be made on this server: it lacks the Pango text library. "
            "Export as Word or Excel meanwhile, and ask the administrator to install it "
            "(see the README's section on reports)."
        ) from error
    # Everything the page needs is inline; refusing every URL means text in a report
    # can never make the server fetch something (no file:// or http:// reads).
    fetcher = URLFetcher(allowed_protocols=("data",))
    html = HTML(string=document_html(document), url_fetcher=fetcher, base_url="")
    return html.write_pdf(pdf_variant="pdf/ua-1")  # type: ignore[no-any-return]
