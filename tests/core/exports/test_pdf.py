"""The committee pack as a PDF: tagged (PDF/UA-1), in British English, A4, with the
council's name and page numbers on every page, read back with pypdf and pikepdf.

veraPDF (the PDF/UA validator) is a Java application that is in neither PyPI nor
Debian's packages, so it cannot be installed here: the checks below are the PDF/UA
check the issue asks for where no validator is installable (structure tree, marked
content, language, title shown, PDF/UA identification, alternative text on figures).
"""

from __future__ import annotations

import io
from typing import Any

import pikepdf
import pypdf
import pytest
from flask import Flask

from core.exports.pdf import document_pdf
from tests.core.exports.sample import sample_document


@pytest.fixture(scope="module")
def pdf(render_app: Flask) -> bytes:
    return document_pdf(sample_document())


@pytest.fixture(scope="module")
def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def structure(pdf: bytes) -> list[tuple[str, Any]]:
    """Every element of the PDF's structure tree: (type, element)."""
    found: list[tuple[str, Any]] = []
    with pikepdf.open(io.BytesIO(pdf)) as document:

        def walk(node: Any) -> None:
            if isinstance(node, pikepdf.Array):
                for child in node:
                    walk(child)
            elif isinstance(node, pikepdf.Dictionary):
                if "/S" in node:
                    alt = str(node.Alt) if "/Alt" in node else None
                    found.append((str(node.S), alt))
                if "/K" in node:
                    walk(node.K)

        walk(document.Root.StructTreeRoot.K)
    return found


def test_text_has_the_headings_figures_and_quote(pages: list[str]) -> None:
    text = "\n".join(pages)
    for heading in (
        "Quality assurance report",
        "Standards",
        "Trend",
        "Actions",
        "What auditors said",
    ):
        assert heading in text
    assert "Standard 3: Plans are SMART 12.5 62.5 25 8" in text
    assert "Q4 2025-26 66.7 58.3" in text
    assert "Q2 2025-26 54.5 –" in text  # no independent audits: a dash, not 0
    assert "All standards 14 8 4 57.1" in text
    assert "The child's wishes are recorded in their own words." in text
    assert "— Standard 1, rated Met, line management audit, March 2026" in text


def test_every_page_has_council_title_version_and_number(pages: list[str]) -> None:
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Exampleshire County Council" in text
        assert "Quality assurance report, Version 2, issued 20 April 2026" in text


def test_metadata(pdf: bytes) -> None:
    info = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    assert info is not None
    assert info.title is not None and info.title.startswith("Quality assurance report")
    assert info.author == "Exampleshire County Council"


def test_tagged_in_british_english_with_title_shown(pdf: bytes) -> None:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root
        assert "/StructTreeRoot" in root
        assert bool(root.MarkInfo.Marked) is True
        assert str(root.Lang) == "en-GB"
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        with document.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"


def test_structure_has_real_headings_tables_and_quotes(pdf: bytes) -> None:
    kinds = [kind for kind, _alt in structure(pdf)]
    for kind in ("/H1", "/H2", "/H3", "/Table", "/TH", "/TD", "/Caption", "/BlockQuote", "/P"):
        assert kind in kinds, kind
    assert kinds.count("/H2") == 3  # one per section
    assert kinds.count("/Table") == 4  # three charts' data tables and the actions table


def test_charts_are_figures_with_alternative_text(pdf: bytes) -> None:
    figures = [alt for kind, alt in structure(pdf) if kind == "/Figure"]
    assert figures == [
        "Standards met, line management audits, Q4 2025-26",
        "Share of standards met, last four quarters",
        "Overall ratings by kind of audit",
    ]


def test_a4_portrait(pdf: bytes) -> None:
    box = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_draft_says_so(render_app: Flask) -> None:
    draft = sample_document()
    draft.status, draft.version, draft.issued_on = "draft", None, None
    text = pypdf.PdfReader(io.BytesIO(document_pdf(draft))).pages[0].extract_text()
    assert "Draft, not issued" in text


def test_a_server_without_pango_says_what_to_do(render_app: Flask, monkeypatch) -> None:
    """WeasyPrint cannot load without Pango: the export fails with a plain message, and
    nothing else in careaudit needs it (it is imported only to make a PDF)."""
    import builtins

    real_import = builtins.__import__

    def no_pango(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("weasyprint"):
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    with render_app.test_request_context(), pytest.raises(RuntimeError, match="Pango"):
        document_pdf(sample_document())
