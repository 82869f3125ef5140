"""Blocks to a .docx file: :func:`build_docx`."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm, Pt

from . import cover as cover_layout
from . import ooxml, stylesheet
from .blocks import (
    Align,
    BulletList,
    Cover,
    Document,
    Heading,
    Image,
    NumberedList,
    PageBreak,
    Paragraph,
    Signature,
    Table,
    TableOfContents,
    Text,
    plain,
)
from .runs import append_row, append_runs
from .styles import STYLES, DocumentStyle

MAX_HEADING_LEVEL = 3


class DocumentError(ValueError):
    """The content cannot be written as asked (a table row of the wrong length…)."""


def build_docx(document: Document, style: DocumentStyle | str = "administrative_vi") -> bytes:
    """The .docx file of ``document`` in ``style`` ("administrative_vi" or "english")."""
    chosen = STYLES[style] if isinstance(style, str) else style
    return Writer(document, chosen).build()


class CellWriter:
    """Paragraphs into a table cell, the cell's own first (empty) paragraph first."""

    def __init__(self, cell: Any) -> None:
        self.cell = cell
        self.used = False

    def add_paragraph(self) -> Any:
        if self.used:
            return self.cell.add_paragraph()
        self.used = True
        return self.cell.paragraphs[0]


class Writer:
    def __init__(self, document: Document, style: DocumentStyle) -> None:
        self.document = document
        self.style = style
        self.docx = docx.Document()
        self.numbering = stylesheet.apply(self.docx, style)
        self._style_ids: dict[str, str] = {}
        self._handlers: dict[type, Callable[[Any], None]] = {
            Cover: self._cover,
            Heading: self._heading,
            Paragraph: self._paragraph,
            BulletList: self._bullets,
            NumberedList: self._numbered,
            Table: self._table,
            Image: self._image,
            PageBreak: self._page_break,
            TableOfContents: self._table_of_contents,
            Signature: self._signature,
        }

    # ------------------------------------------------------------------ the document
    def build(self) -> bytes:
        self._properties()
        self._headers_and_footers()
        for block in self.document.blocks:
            self._handlers[type(block)](block)
        buffer = io.BytesIO()
        self.docx.save(buffer)
        return buffer.getvalue()

    def _properties(self) -> None:
        properties = self.docx.core_properties
        cover = next((b for b in self.document.blocks if isinstance(b, Cover)), None)
        properties.title = self.document.title or (cover.title if cover else "")
        properties.author = properties.last_modified_by = self.document.author
        properties.subject = self.document.subject
        properties.keywords = ", ".join(self.document.keywords)
        properties.language = self.style.language
        properties.comments = ""
        properties.revision = 1
        properties.created = properties.modified = datetime.now(UTC).replace(microsecond=0)

    def _headers_and_footers(self) -> None:
        """Page numbers (PAGE field) and the running text, none on the first page when
        the style says so (Decree 30) or the document opens with a title page."""
        section = self.docx.sections[0]
        title_page = any(isinstance(b, Cover) and b.title_page for b in self.document.blocks)
        if self.style.page_number_in_header or title_page:
            section.different_first_page_header_footer = True
            section.first_page_header.is_linked_to_previous = False
            section.first_page_footer.is_linked_to_previous = False
        numbered, running = (
            (section.header, section.footer)
            if self.style.page_number_in_header
            else (section.footer, section.header)
        )
        number = numbered.paragraphs[0]
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        ooxml.add_field(number, "PAGE", "1")
        if self.document.header_text:
            text = running.paragraphs[0]
            text.alignment = (
                WD_ALIGN_PARAGRAPH.CENTER
                if self.style.page_number_in_header
                else WD_ALIGN_PARAGRAPH.RIGHT
            )
            self.write(text, self.document.header_text, italic=True, size=self.style.small_pt)

    # ------------------------------------------------------------------ text
    def style_id(self, name: str) -> str:
        """A paragraph style's id, looked up once (python-docx searches every style by
        name on each ``paragraph.style = name``)."""
        if name not in self._style_ids:
            self._style_ids[name] = self.docx.styles[name].style_id
        return self._style_ids[name]

    def add_paragraph(
        self,
        style: str | None = None,
        *,
        align: Align | None = None,
        into: CellWriter | None = None,
    ) -> Any:
        paragraph = (into or self.docx).add_paragraph()
        if style:
            paragraph._p.style = self.style_id(style)
        if align:
            paragraph.alignment = stylesheet.ALIGNMENTS[align]
        return paragraph

    def write(
        self,
        paragraph: Any,
        text: Text,
        *,
        bold: bool = False,
        italic: bool = False,
        size: float | None = None,
    ) -> None:
        """Runs of ``text`` into a python-docx paragraph (see :func:`.runs.append_runs`)."""
        append_runs(
            paragraph._p,
            text,
            language=self.style.language,
            font=self.style.font,
            bold=bold,
            italic=italic,
            size=size,
        )

    def rule(self, width_mm: float, available_mm: float, *, into: CellWriter | None = None) -> None:
        """A centred solid line ``width_mm`` long (Decree 30 draws it under the motto, the
        issuing body and the title) as the bottom border of a thin empty paragraph."""
        paragraph = self.add_paragraph(into=into)
        margin = max((available_mm - min(width_mm, available_mm)) / 2, 0)
        form = paragraph.paragraph_format
        form.left_indent = form.right_indent = Mm(margin)
        form.first_line_indent = Mm(0)
        form.space_before = form.space_after = Pt(0)
        form.line_spacing = Pt(3)
        ooxml.bottom_border(paragraph)

    # ------------------------------------------------------------------ blocks
    def _cover(self, block: Cover) -> None:
        if self.style.cover == "decree-30":
            cover_layout.decree_30_heading(self, block)
        else:
            cover_layout.title_block(self, block)
        if block.title_page:
            self._page_break(PageBreak())

    def _heading(self, block: Heading) -> None:
        if not 1 <= block.level <= MAX_HEADING_LEVEL:
            raise DocumentError(f"Heading level {block.level}: levels are 1 to 3.")
        self.write(self.add_paragraph(f"Heading {block.level}"), block.text)

    def _paragraph(self, block: Paragraph) -> None:
        paragraph = self.add_paragraph("Body Text", align=block.align)
        if not block.indent:
            paragraph.paragraph_format.first_line_indent = Mm(0)
        self.write(paragraph, block.text)

    def _bullets(self, block: BulletList) -> None:
        self._list(block.items, "List Bullet", self.numbering.new_list("bullet"))

    def _numbered(self, block: NumberedList) -> None:
        kind = "letter" if block.letters else "decimal"
        self._list(block.items, "List Number", self.numbering.new_list(kind))

    def _list(self, items: Any, style: str, num_id: int) -> None:
        for item in items:
            paragraph = self.add_paragraph(style)
            ooxml.set_numbering(paragraph._p.get_or_add_pPr(), num_id)
            self.write(paragraph, item)

    def _table(self, block: Table) -> None:
        columns = len(block.header)
        for number, row in enumerate(block.rows, start=1):
            if len(row) != columns:
                raise DocumentError(
                    f"Table “{block.caption or plain(block.header[0])}”, row {number}: "
                    f"{len(row)} cells, but the header has {columns}."
                )
        if block.caption:
            caption = self.add_paragraph("Caption")
            caption.paragraph_format.keep_with_next = True
            self.write(caption, block.caption)
        widths = self._widths(block.widths, columns)
        table = self.docx.add_table(rows=1, cols=columns)
        table.style = self.docx.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        header = table.rows[0]
        ooxml.repeat_as_header(header)
        ooxml.keep_row_together(header)
        for cell, text in zip(header.cells, block.header, strict=True):
            paragraph = self.add_paragraph(stylesheet.TABLE_TEXT, into=CellWriter(cell))
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self.write(paragraph, text, bold=True)
        ooxml.set_column_widths(table, widths)
        lefts: list[Align] = ["left"] * (columns - len(block.align))
        aligns: list[Align] = [*block.align, *lefts]
        for values in block.rows:
            append_row(
                table._tbl,
                values,
                widths_twips=[ooxml.twips(w) for w in widths],
                aligns=aligns,
                style_id=self.style_id(stylesheet.TABLE_TEXT),
                language=self.style.language,
                font=self.style.font,
            )
        self.add_paragraph().paragraph_format.space_after = Pt(0)  # tables never touch

    def _widths(self, weights: Any, columns: int) -> list[float]:
        weights = list(weights) or [1.0] * columns
        if len(weights) != columns or min(weights) <= 0:
            raise DocumentError(f"Column widths {weights}: give {columns} positive numbers.")
        total = sum(weights)
        return [self.style.text_width_mm * w / total for w in weights]

    def _image(self, block: Image) -> None:
        paragraph = self.add_paragraph(align="center")
        paragraph.paragraph_format.first_line_indent = Mm(0)
        paragraph.paragraph_format.keep_with_next = bool(block.caption)
        width = Mm(min(block.width_mm, self.style.text_width_mm))
        shape = paragraph.add_run().add_picture(io.BytesIO(block.data), width=width)
        ooxml.set_alt_text(shape, block.alt_text)
        if block.caption:
            self.write(self.add_paragraph("Caption"), block.caption)

    def _page_break(self, _block: PageBreak) -> None:
        self.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def _table_of_contents(self, block: TableOfContents) -> None:
        self.write(self.add_paragraph("TOC Heading"), block.title or self.style.labels.contents)
        instruction = f'TOC \\o "1-{block.levels}" \\h \\z \\u'
        entries = list(self._headings(block.levels))
        if not entries:
            paragraph = self.add_paragraph()
            ooxml.begin_field(paragraph, instruction)
            self.write(paragraph, self.style.labels.toc_placeholder, italic=True)
            ooxml.end_field(paragraph)
        for index, (level, label) in enumerate(entries):
            paragraph = self.add_paragraph(stylesheet.TOC_LEVEL.format(level))
            if index == 0:
                ooxml.begin_field(paragraph, instruction)
            self.write(paragraph, label)
            if index == len(entries) - 1:
                ooxml.end_field(paragraph)
        stylesheet.ask_to_update_fields(self.docx)

    def _headings(self, levels: int) -> Iterator[tuple[int, str]]:
        """The headings as the TOC lists them, numbered as the style numbers them."""
        counters = [0] * MAX_HEADING_LEVEL
        numbering = self.style.heading_numbering
        for block in self.document.blocks:
            if not isinstance(block, Heading) or not 1 <= block.level <= MAX_HEADING_LEVEL:
                continue
            counters[block.level - 1] += 1
            counters[block.level :] = [0] * (MAX_HEADING_LEVEL - block.level)
            if block.level > levels:
                continue
            label = plain(block.text)
            if numbering:
                number_format, text = numbering[block.level - 1]
                number = _format_number(number_format, counters[block.level - 1])
                label = f"{text.replace(f'%{block.level}', number)} {label}"
            yield block.level, label

    def _signature(self, block: Signature) -> None:
        cover_layout.signature(self, block)


def _format_number(number_format: str, value: int) -> str:
    if number_format == "upperRoman":
        return _roman(value)
    if number_format == "lowerLetter":
        return "abcdefghijklmnopqrstuvwxyz"[(value - 1) % 26]
    return str(value)


def _roman(value: int) -> str:
    numerals = (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    )  # fmt: skip
    result = ""
    for amount, numeral in numerals:
        count, value = divmod(value, amount)
        result += numeral * count
    return result
