"""The committee pack as Word: real headings and tables, pictures of the charts with
their data, read back with python-docx."""

from __future__ import annotations

import io

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from core.exports.docx import document_docx
from tests.core.exports.sample import sample_document


@pytest.fixture(scope="module")
def word() -> docx.document.Document:
    return docx.Document(io.BytesIO(document_docx(sample_document())))


def styled(word: docx.document.Document, style: str) -> list[str]:
    return [p.text for p in word.paragraphs if p.style.name == style]


def test_real_headings(word: docx.document.Document) -> None:
    assert styled(word, "Title") == ["Quality assurance report"]
    assert styled(word, "Heading 1") == ["Standards", "Trend", "Actions"]
    assert styled(word, "Heading 2") == ["What auditors said"]


def test_tables_hold_the_figures(word: docx.document.Document) -> None:
    assert len(word.tables) == 4
    standards = word.tables[0]
    assert [c.text for c in standards.rows[0].cells] == [
        "Standard",
        "Met (%)",
        "Partially met (%)",
        "Not met (%)",
        "N",
    ]
    assert [c.text for c in standards.rows[3].cells] == [
        "Standard 3: Plans are SMART",
        "12.5",
        "62.5",
        "25",
        "8",
    ]
    trend = word.tables[1]
    assert [c.text for c in trend.rows[2].cells] == ["Q2 2025-26", "54.5", "–"]


def test_header_rows_repeat_and_numbers_align_right(word: docx.document.Document) -> None:
    for table in word.tables:
        header = table.rows[0]._tr
        marker = header.trPr.find(qn("w:tblHeader"))
        assert marker is not None and marker.get(qn("w:val")) == "true"
        assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)
    actions = word.tables[3]
    assert actions.rows[1].cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert actions.rows[1].cells[0].paragraphs[0].alignment != WD_ALIGN_PARAGRAPH.RIGHT


def test_tables_have_captions_and_alternative_text(word: docx.document.Document) -> None:
    captions = styled(word, "Caption")
    assert "Actions by standard" in captions
    caption = word.tables[3]._tbl.tblPr.find(qn("w:tblCaption"))
    assert caption is not None and caption.get(qn("w:val")) == "Actions by standard"


def test_charts_are_pictures_with_caption_and_alt_text(word: docx.document.Document) -> None:
    assert len(word.inline_shapes) == 3
    first = word.inline_shapes[0]._inline.docPr
    assert first.get("title") == "Standards met, line management audits, Q4 2025-26"
    assert first.get("descr").startswith("Standard 4 was met most often")
    assert "Share of standards met, last four quarters" in styled(word, "Caption")


def test_quotes_in_the_quote_style(word: docx.document.Document) -> None:
    assert styled(word, "Quote") == ["The child's wishes are recorded in their own words."]
    texts = [p.text for p in word.paragraphs]
    assert "— Standard 1, rated Met, line management audit, March 2026" in texts


def test_properties_page_and_footer(word: docx.document.Document) -> None:
    assert word.core_properties.title == "Quality assurance report"
    assert word.core_properties.subject.startswith("Children's services")
    assert word.core_properties.author == "Exampleshire County Council"
    section = word.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    footer = section.footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer
    assert "Exampleshire County Council" in section.header.paragraphs[0].text


def test_british_english() -> None:
    word = docx.Document(io.BytesIO(document_docx(sample_document())))
    assert 'w:val="en-GB"' in word.styles.element.xml
