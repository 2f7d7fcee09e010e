"""A report document as Word (DOCX), through python-docx.

Built from Word's own styles ("Title", "Heading 1", "Heading 2", "Caption", "Quote",
"Table Grid"), so a clerk can paste it into the council's committee paper template and
the template's look takes over. Tables are real tables whose header row repeats on
every page; charts are pictures (PNG) with alternative text, a caption and their data
table after them.
"""

from __future__ import annotations

import io
from datetime import datetime

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from core.exports.document import Block, Chart, Document, Heading, Paragraph, Quote, Table
from core.exports.text import format_cell, paragraphs, version_text

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Arial"


def document_docx(document: Document) -> bytes:
    """The document as DOCX bytes."""
    word = new_docx()
    _set_up(word, document)
    word.add_paragraph(document.title, style="Title")
    word.add_paragraph(document.subtitle, style="Subtitle")
    word.add_paragraph(version_text(document))
    for line in document.summary:
        word.add_paragraph(line)
    for section in document.sections:
        # The document's title is "Title"; sections are "Heading 1", their
        # sub-headings "Heading 2" and below: the same outline as the PDF's h1/h2/h3.
        word.add_heading(section.heading, level=1)
        for block in section.blocks:
            _add_block(word, block)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _set_up(word: DocxDocument, document: Document) -> None:
    properties = word.core_properties
    properties.title = document.title
    properties.subject = document.subtitle
    properties.author = document.council
    properties.last_modified_by = document.council
    properties.keywords = "quality assurance; audit"
    properties.comments = version_text(document)
    properties.revision = document.version or 1
    if document.issued_on:
        # The template python-docx starts from has its own 2013 dates.
        issued = datetime.fromisoformat(document.issued_on)
        properties.created = properties.modified = issued
    properties.language = "en-GB"

    normal = word.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    for name in ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Caption", "Quote"):
        style = word.styles[name]
        style.font.name = FONT
        # The built-in styles name a theme font for East Asian text too; point all at Arial.
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attribute), FONT)
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            fonts.attrib.pop(qn(theme), None)
    _set_language(word, "en-GB")

    page = word.sections[0]
    page.orientation = WD_ORIENT.PORTRAIT
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.left_margin = page.right_margin = Mm(20)
    page.top_margin = page.bottom_margin = Mm(20)
    header = page.header.paragraphs[0]
    header.text = f"{document.council}: {document.title}, {version_text(document)}"
    header.style = word.styles["Header"]
    footer = page.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    _add_field(footer, "PAGE", "1")
    footer.add_run(" of ")
    _add_field(footer, "NUMPAGES", "1")


def _set_language(word: DocxDocument, tag: str) -> None:
    """Spell-check and screen readers use the document's language (British English)."""
    defaults = word.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        return
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        return
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        run_defaults.append(properties)
    language = properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        properties.append(language)
    language.set(qn("w:val"), tag)


def _add_field(paragraph: DocxParagraph, instruction: str, placeholder: str) -> None:
    """A field Word works out when it lays out the page (PAGE, NUMPAGES)."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _add_block(word: DocxDocument, block: Block) -> None:
    if isinstance(block, Chart):
        _add_chart(word, block)
    elif isinstance(block, Table):
        _add_table(word, block)
    elif isinstance(block, Quote):
        for text in paragraphs(block.text):
            word.add_paragraph(text, style="Quote")
        source = word.add_paragraph(f"— {block.source}")
        source.paragraph_format.left_indent = Cm(1.5)
    elif isinstance(block, Heading):
        word.add_heading(block.text, level=min(max(block.level - 1, 2), 9))
    elif isinstance(block, Paragraph):
        for text in paragraphs(block.text):
            word.add_paragraph(text)


def _add_chart(word: DocxDocument, chart: Chart) -> None:
    # PNG, not SVG: Word before 2016 and LibreOffice's DOCX import do not all show SVG,
    # and a committee paper travels through many of them.
    from core.reports.charts import png

    caption = word.add_paragraph(chart.title, style="Caption")
    caption.paragraph_format.keep_with_next = True
    word.add_picture(io.BytesIO(png(chart)), width=Cm(16))
    picture = word.inline_shapes[-1]
    # Alternative text: what a screen reader says for the picture.
    picture._inline.docPr.set("title", chart.title)
    picture._inline.docPr.set("descr", chart.description or chart.title)
    if chart.description:
        word.add_paragraph(chart.description)
    _add_table(word, chart.table)


def _add_table(word: DocxDocument, table: Table) -> None:
    caption = word.add_paragraph(table.caption, style="Caption")
    caption.paragraph_format.keep_with_next = True
    columns = max(len(table.columns), max((len(row) for row in table.rows), default=0), 1)
    grid = word.add_table(rows=1 + len(table.rows), cols=columns)
    grid.style = word.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    _describe(grid, table.caption, table.note)
    header = grid.rows[0]
    _repeat_as_header(header._tr)
    for index, name in enumerate(table.columns):
        cell_paragraph = header.cells[index].paragraphs[0]
        cell_paragraph.add_run(name).bold = True
        if table.is_numeric(index):
            cell_paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row_index, row in enumerate(table.rows, start=1):
        cells = grid.rows[row_index].cells
        for index, value in enumerate(row):
            cell_paragraph = cells[index].paragraphs[0]
            cell_paragraph.add_run(format_cell(value))
            if table.is_numeric(index) and index > 0:
                cell_paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if table.note:
        word.add_paragraph(table.note)
    else:
        word.add_paragraph()  # Word runs two tables together without a paragraph between


def _repeat_as_header(row_element: object) -> None:
    """Mark a table row as the header row Word repeats at the top of every page."""
    properties = row_element.get_or_add_trPr()  # type: ignore[attr-defined]
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _describe(grid: DocxTable, caption: str, note: str) -> None:
    """The table's title and description for assistive technology (Word's alt text)."""
    properties = grid._tbl.tblPr
    title = OxmlElement("w:tblCaption")
    title.set(qn("w:val"), caption)
    properties.append(title)
    if note:
        description = OxmlElement("w:tblDescription")
        description.set(qn("w:val"), note)
        properties.append(description)
