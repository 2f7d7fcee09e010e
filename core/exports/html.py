"""A report document as HTML: the page behind the PDF, and the helpers its macros use.

``templates/exports/_blocks.html`` holds the macros that draw a section and each kind of
block (``render_section``, ``render_block``). The report page and the PDF both use them,
so what the committee reads on paper is what the lead saw on screen.
"""

from __future__ import annotations

from flask import Flask, render_template
from markupsafe import Markup

from core.exports.document import Chart, Document
from core.exports.text import format_cell, paragraphs, version_text


def chart_svg(chart: Chart) -> Markup:
    """The chart's inline SVG (matplotlib is imported on the first chart, not at start-up)."""
    from core.reports.charts import svg

    # Safe: matplotlib escapes the labels it writes, and charts.svg escapes title and desc.
    return Markup(svg(chart))


def register_template_helpers(app: Flask) -> None:
    """Make the block macros' helpers Jinja globals, so macros imported without context
    (``{% import "exports/_blocks.html" as blocks %}``) can use them."""
    app.jinja_env.globals["chart_svg"] = chart_svg
    app.jinja_env.globals["version_text"] = version_text
    app.jinja_env.filters["report_cell"] = format_cell
    app.jinja_env.filters["paragraphs"] = paragraphs


def document_html(document: Document) -> str:
    """The whole document as one standalone HTML page, styled for A4 print (for WeasyPrint)."""
    return render_template("exports/document.html", document=document)
