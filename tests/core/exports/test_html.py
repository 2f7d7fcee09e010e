"""The block macros (templates/exports/_blocks.html) shared by the report page and the PDF."""

from __future__ import annotations

from flask import Flask, render_template_string

from core.exports.document import Document, Paragraph, Quote, Section
from core.exports.html import document_html


def render_sections(document: Document) -> str:
    return render_template_string(
        '{% import "exports/_blocks.html" as blocks %}'
        "{% for s in sections %}{{ blocks.render_section(s) }}{% endfor %}",
        sections=document.sections,
    )


def test_tables_scroll_in_their_own_focusable_region(render_app: Flask, document: Document) -> None:
    html = render_sections(document)
    assert (
        '<div class="careaudit-table-scroll" role="region" aria-label="Actions by standard" '
        'tabindex="0">' in html
    )
    assert (
        '<caption class="govuk-table__caption govuk-table__caption--s">Actions by standard' in html
    )
    assert (
        '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Done (%)</th>'
        in html
    )
    assert '<th scope="row" class="govuk-table__header">All standards</th>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">57.1</td>' in html


def test_sections_headings_charts_and_quotes(render_app: Flask, document: Document) -> None:
    html = render_sections(document)
    assert '<section class="careaudit-report-section" id="section-trend"' in html
    assert '<h2 class="govuk-heading-l" id="section-trend-heading">Trend</h2>' in html
    assert '<h3 class="govuk-heading-m">What auditors said</h3>' in html
    assert html.count('<svg role="img"') == 3
    assert "<blockquote" in html and "Standard 1, rated Met" in html


def test_text_is_escaped(render_app: Flask) -> None:
    """A narrative or comment is text: markup in it is shown, never run."""
    document = Document(
        "T",
        "C",
        "P",
        "S",
        [
            Section(
                "s",
                "<b>S</b>",
                [
                    Paragraph("<script>alert(1)</script>"),
                    Quote("<img src=x onerror=alert(1)>", "Standard <1>"),
                ],
            )
        ],
    )
    html = render_sections(document)
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html


def test_paragraphs_split_at_blank_lines(render_app: Flask) -> None:
    document = Document("T", "C", "P", "S", [Section("s", "S", [Paragraph("One.\n\nTwo.")])])
    html = render_sections(document)
    assert '<p class="govuk-body">One.</p>' in html and '<p class="govuk-body">Two.</p>' in html


def test_the_pdf_page_is_british_english_with_a_title(
    render_app: Flask, document: Document
) -> None:
    html = document_html(document)
    assert '<html lang="en-GB">' in html
    assert "<title>Quality assurance report: Children&#39;s services" in html
    assert "Version 2, issued 20 April 2026" in html
    assert "size: A4 portrait" in html
