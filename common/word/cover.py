"""The first-page and last-page layouts: Decree 30's heading block, a title block, the
signature and recipients block."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from . import ooxml
from .blocks import Cover, Signature, plain
from .metrics import text_width_mm
from .styles import MOTTO, NATIONAL_TITLE

if TYPE_CHECKING:
    from .writer import Writer

__all__ = ["MOTTO", "NATIONAL_TITLE", "decree_30_heading", "signature", "title_block"]
BODY_COLUMN = 0.38  # the issuing body's share of the text width (cells 2 and 3)
RULE_SHARE = 0.4  # rules under the body's name and the title: 1/3 to 1/2 of the text
SIGNATURE_SPACE_LINES = 4  # room for the signature and the seal


def _borderless_table(writer: Writer, rows: int, widths_mm: list[float]) -> Any:
    table = writer.docx.add_table(rows=rows, cols=len(widths_mm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    ooxml.remove_borders(table)
    ooxml.set_cell_margins(table, left_mm=0, right_mm=0)
    ooxml.set_column_widths(table, widths_mm)
    return table


def _tight(paragraph: Any, *, before: float = 0) -> Any:
    form = paragraph.paragraph_format
    form.space_before, form.space_after = Pt(before), Pt(0)
    form.line_spacing = 1.0
    return paragraph


def decree_30_heading(writer: Writer, cover: Cover) -> None:
    """Cells 1 to 5a of Decree 30's layout (Appendix I, section IV).

    A borderless two-column table: on the left the parent body, the issuing body (bold)
    with a rule under it and the number; on the right the national title, the motto
    with a rule as long as it, and the place and date, on the number's line. Under it,
    centred, the document type and its summary with a rule.
    """
    from .writer import CellWriter

    style = writer.style
    left_mm = style.text_width_mm * BODY_COLUMN
    right_mm = style.text_width_mm - left_mm
    table = _borderless_table(writer, 2, [left_mm, right_mm])
    body, national = CellWriter(table.cell(0, 0)), CellWriter(table.cell(0, 1))
    size = style.body_name_pt
    for text, bold in ((cover.parent_body, False), (cover.issuing_body, True)):
        if text:
            paragraph = _tight(writer.add_paragraph(align="center", into=body))
            writer.write(paragraph, text.upper(), bold=bold, size=size)
    if cover.issuing_body:
        name_mm = text_width_mm(cover.issuing_body.upper(), size, bold=True)
        writer.rule(min(name_mm, left_mm) * RULE_SHARE, left_mm, into=body)

    paragraph = _tight(writer.add_paragraph(align="center", into=national))
    title, motto = style.labels.national_title, style.labels.motto
    writer.write(paragraph, title, bold=True, size=style.national_title_pt)
    paragraph = _tight(writer.add_paragraph(align="center", into=national))
    writer.write(paragraph, motto, bold=True, size=style.motto_pt)
    writer.rule(text_width_mm(motto, style.motto_pt, bold=True), right_mm, into=national)

    number, dated = CellWriter(table.cell(1, 0)), CellWriter(table.cell(1, 1))
    if cover.reference:
        paragraph = _tight(writer.add_paragraph(align="center", into=number), before=6)
        writer.write(
            paragraph, f"{style.labels.reference} {cover.reference}", size=style.reference_pt
        )
    paragraph = _tight(writer.add_paragraph(align="center", into=dated), before=6)
    writer.write(
        paragraph, style.date_line(cover.place, cover.date), italic=True, size=style.date_pt
    )

    if cover.kind:
        kind = writer.add_paragraph("Subtitle")
        kind.paragraph_format.space_before = Pt(18)
        writer.write(kind, cover.kind)
    title = writer.add_paragraph("Title")
    writer.write(title, cover.title)
    title_mm = text_width_mm(cover.title, style.title_pt, bold=True)
    writer.rule(min(title_mm, style.text_width_mm) * RULE_SHARE, style.text_width_mm)
    _lines(writer, cover)


def title_block(writer: Writer, cover: Cover) -> None:
    """A plain title block: issuer, type, title, further lines, place and date, reference."""
    for text, bold in ((cover.parent_body, False), (cover.issuing_body, True)):
        if text:
            writer.write(_tight(writer.add_paragraph(align="center")), text, bold=bold)
    if cover.kind:
        kind = writer.add_paragraph("Subtitle")
        kind.paragraph_format.space_before = Pt(72 if cover.title_page else 18)
        writer.write(kind, cover.kind)
    title = writer.add_paragraph("Title")
    title.paragraph_format.space_before = Pt(6)
    writer.write(title, cover.title)
    _lines(writer, cover)
    if cover.place or cover.date:
        dated = writer.add_paragraph(align="center")
        dated.paragraph_format.space_before = Pt(24)
        writer.write(dated, writer.style.date_line(cover.place, cover.date), italic=True)
    if cover.reference:
        reference = writer.add_paragraph(align="center")
        writer.write(reference, f"{writer.style.labels.reference} {cover.reference}")


def _lines(writer: Writer, cover: Cover) -> None:
    for index, line in enumerate(cover.lines):
        paragraph = writer.add_paragraph(align="center")
        paragraph.paragraph_format.space_before = Pt(12 if index == 0 else 0)
        writer.write(paragraph, line)
    writer.add_paragraph()


def signature(writer: Writer, block: Signature) -> None:
    """Cells 9a/9b (recipients) on the left and 7a-7c (capacity, position, name) on the
    right, in a borderless table, kept together on one page."""
    from .writer import CellWriter

    style = writer.style
    formal = style.cover == "decree-30"
    left_mm = style.text_width_mm * 0.45
    table = _borderless_table(writer, 1, [left_mm, style.text_width_mm - left_mm])
    ooxml.keep_row_together(table.rows[0])
    recipients, signer = CellWriter(table.cell(0, 0)), CellWriter(table.cell(0, 1))
    if block.recipients:
        label = _tight(writer.add_paragraph(align="left", into=recipients), before=6)
        writer.write(
            label, style.labels.recipients, bold=True, italic=formal, size=style.recipients_label_pt
        )
        for line in _recipient_lines(block.recipients, formal=formal):
            paragraph = _tight(writer.add_paragraph(align="left", into=recipients))
            writer.write(paragraph, line, size=style.recipients_pt)
    lines = [block.authority, block.position]
    for text in filter(None, lines):
        paragraph = _tight(writer.add_paragraph(align="center", into=signer), before=6)
        writer.write(paragraph, text.upper() if formal else text, bold=formal)
    for _ in range(SIGNATURE_SPACE_LINES):
        _tight(writer.add_paragraph(into=signer))
    name = _tight(writer.add_paragraph(align="center", into=signer))
    writer.write(name, block.name, bold=True)
    for paragraph in table.cell(0, 1).paragraphs:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _recipient_lines(recipients: Any, *, formal: bool) -> list[str]:
    """Decree 30's list: each line "- name;", the last (the archive) ending with "."."""
    names = [plain(name).strip().rstrip(";.").strip() for name in recipients]
    if not formal:
        return names
    return [f"- {name}{'.' if i == len(names) - 1 else ';'}" for i, name in enumerate(names)]
