"""A :class:`~common.word.styles.DocumentStyle` applied to a python-docx document.

Word's own named styles are redefined rather than formatting each paragraph by hand, so
that staff who edit the document keep the look (a new heading typed in Word is a
"Heading 2" like the others) and the navigation pane and a table of contents work. The
template's theme fonts and colours are dropped: everything is the style's font, black.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from common.scripts import EAST_ASIAN_FONTS

from . import ooxml
from .styles import DocumentStyle

ALIGNMENTS = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
TABLE_TEXT = "Table Text"
TOC_LEVEL = "toc {}"  # Word's built-in names of the table of contents' levels

# Abstract numbering ids of ours, clear of the template's (0-10).
_HEADINGS, _BULLETS, _DECIMALS, _LETTERS = 900, 901, 902, 903


@dataclass(slots=True)
class Numbering:
    """The document's numbering: the heading outline, and one instance per list."""

    element: Any
    next_id: int = 900
    headings: int | None = None

    def new_list(self, kind: str) -> int:
        """A fresh numbering instance for one list ("bullet", "decimal", "letter")."""
        abstract = {"bullet": _BULLETS, "decimal": _DECIMALS, "letter": _LETTERS}[kind]
        return self._instance(abstract, restart=kind != "bullet")

    def _instance(self, abstract_id: int, *, restart: bool) -> int:
        num_id = self.next_id
        self.next_id += 1
        self.element.append(ooxml.numbering_instance(num_id, abstract_id, restart=restart))
        return num_id


def apply(document: Any, style: DocumentStyle) -> Numbering:
    """Page setup, styles, numbering and settings of ``style`` on a new document."""
    _page_setup(document, style)
    _defaults(document, style)
    _text_styles(document, style)
    numbering = _numbering(document, style)
    _heading_styles(document, style, numbering)
    _list_styles(document, style)
    _toc_styles(document, style)
    _settings(document, style)
    return numbering


def _page_setup(document: Any, style: DocumentStyle) -> None:
    section = document.sections[0]
    section.page_width = Mm(style.page_width_mm)
    section.page_height = Mm(style.page_height_mm)
    top, bottom, left, right = style.margins_mm
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.header_distance = Mm(style.header_distance_mm)
    section.footer_distance = Mm(style.footer_distance_mm)


def _defaults(document: Any, style: DocumentStyle) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    ooxml.set_fonts(rpr, style.font, EAST_ASIAN_FONTS["zh-CN"], style.font)
    ooxml.set_size(rpr, style.body_pt)
    ooxml.child(rpr, "lang", val=style.language, eastAsia="zh-CN")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ooxml.child(ppr, "spacing", after=str(round(style.space_after_pt * 20)))
    spacing.set(qn("w:line"), str(round(style.line_spacing * 240)))
    spacing.set(qn("w:lineRule"), "auto")


def reset(document: Any, name: str, *, based_on: str | None = "Normal") -> Any:
    """The named style with its template formatting removed, black text."""
    try:
        style = document.styles[name]
    except KeyError:
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    ooxml.remove_children(style.element, "pPr", "rPr", "rsid")
    style.base_style = document.styles[based_on] if based_on else None
    style.font.color.rgb = None
    return style


def _font(style: Any, size: float, *, bold: bool = False, italic: bool = False) -> None:
    rpr = style.element.get_or_add_rPr()
    ooxml.set_size(rpr, size)
    ooxml.set_emphasis(rpr, bold=bold, italic=italic)


def _text_styles(document: Any, style: DocumentStyle) -> None:
    normal = reset(document, "Normal", based_on=None)
    normal.element.set(qn("w:default"), "1")
    _font(normal, style.body_pt)

    body = reset(document, "Body Text")
    body.paragraph_format.alignment = ALIGNMENTS[style.body_align]
    body.paragraph_format.first_line_indent = Mm(style.first_line_indent_mm)
    body.paragraph_format.space_after = Pt(style.space_after_pt)

    title = reset(document, "Title")
    _font(title, style.title_pt, bold=True)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(0)
    title.paragraph_format.keep_with_next = True

    subtitle = reset(document, "Subtitle")
    _font(subtitle, style.heading_pt[0], bold=True)
    ooxml.child(subtitle.element.get_or_add_rPr(), "caps")
    subtitle.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.paragraph_format.space_before = Pt(12)
    subtitle.paragraph_format.space_after = Pt(0)
    subtitle.paragraph_format.keep_with_next = True

    caption = reset(document, "Caption")
    _font(caption, style.small_pt, italic=True)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.space_after = Pt(style.space_after_pt)

    table_text = reset(document, TABLE_TEXT)
    _font(table_text, style.table_pt)
    table_text.paragraph_format.space_before = Pt(2)
    table_text.paragraph_format.space_after = Pt(2)
    table_text.paragraph_format.line_spacing = 1.0

    for name, size in (("Header", style.page_number_pt), ("Footer", style.page_number_pt)):
        part = reset(document, name)
        _font(part, size)
        part.paragraph_format.space_after = Pt(0)
        part.paragraph_format.line_spacing = 1.0


def _numbering(document: Any, style: DocumentStyle) -> Numbering:
    element = document.part.numbering_part.element
    indent = round(style.first_line_indent_mm * ooxml.TWIPS_PER_MM)
    hanging = round(6 * ooxml.TWIPS_PER_MM)
    item_left = indent + hanging if indent else round(8 * ooxml.TWIPS_PER_MM)
    abstracts = [
        ooxml.abstract_numbering(
            _BULLETS, [ooxml.Level("bullet", style.bullet, item_left, hanging)]
        ),
        ooxml.abstract_numbering(_DECIMALS, [ooxml.Level("decimal", "%1.", item_left, hanging)]),
        ooxml.abstract_numbering(_LETTERS, [ooxml.Level("lowerLetter", "%1)", item_left, hanging)]),
    ]
    if style.heading_numbering:
        levels = [
            ooxml.Level(number_format, text, 0, 0, indent, style_id=f"Heading{i}")
            for i, (number_format, text) in enumerate(style.heading_numbering, start=1)
        ]
        abstracts.append(ooxml.abstract_numbering(_HEADINGS, levels))
    first_num = element.find(qn("w:num"))
    for abstract in abstracts:
        if first_num is None:
            element.append(abstract)
        else:
            first_num.addprevious(abstract)
    numbering = Numbering(element)
    if style.heading_numbering:
        numbering.headings = numbering._instance(_HEADINGS, restart=False)
    return numbering


def _heading_styles(document: Any, style: DocumentStyle, numbering: Numbering) -> None:
    indent = Mm(style.first_line_indent_mm)
    for level in (1, 2, 3):
        heading = reset(document, f"Heading {level}")
        _font(
            heading,
            style.heading_pt[level - 1],
            bold=True,
            italic=style.heading_italic[level - 1],
        )
        if style.heading_caps[level - 1]:
            ooxml.child(heading.element.get_or_add_rPr(), "caps")
        paragraph = heading.paragraph_format
        paragraph.keep_with_next = True
        paragraph.keep_together = True
        paragraph.space_before = Pt(12 if level == 1 else 6)
        paragraph.space_after = Pt(6)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        ppr = heading.element.get_or_add_pPr()
        if numbering.headings is not None:
            ooxml.set_numbering(ppr, numbering.headings, level - 1)
            paragraph.first_line_indent = indent
            paragraph.left_indent = Mm(0)
        ooxml.child(ppr, "outlineLvl", val=str(level - 1))

    toc_heading = reset(document, "TOC Heading")
    _font(toc_heading, style.heading_pt[0], bold=True)
    toc_heading.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    toc_heading.paragraph_format.space_after = Pt(12)
    toc_heading.paragraph_format.keep_with_next = True


def _list_styles(document: Any, style: DocumentStyle) -> None:
    for name in ("List Bullet", "List Number"):
        item = reset(document, name)
        item.paragraph_format.alignment = ALIGNMENTS[style.body_align]
        item.paragraph_format.space_after = Pt(style.space_after_pt / 2)


def _toc_styles(document: Any, style: DocumentStyle) -> None:
    for level in (1, 2, 3):
        entry = reset(document, TOC_LEVEL.format(level))
        entry.paragraph_format.left_indent = Mm(6 * (level - 1))
        entry.paragraph_format.space_after = Pt(2)
        entry.paragraph_format.tab_stops.add_tab_stop(
            Mm(style.text_width_mm), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
        )
        _font(entry, style.body_pt, bold=level == 1)


def _settings(document: Any, style: DocumentStyle) -> None:
    settings = document.settings.element
    for tag, value in (("decimalSymbol", ","), ("listSeparator", ";")):
        element = settings.find(qn(f"w:{tag}"))
        if element is not None and style.language.startswith("vi"):
            element.set(qn("w:val"), value)
    theme_language = settings.find(qn("w:themeFontLang"))
    if theme_language is not None:
        theme_language.set(qn("w:val"), style.language)
        theme_language.set(qn("w:eastAsia"), "zh-CN")


def ask_to_update_fields(document: Any) -> None:
    """Word refreshes the fields (the table of contents' page numbers) on opening."""
    settings = document.settings.element
    if settings.find(qn("w:updateFields")) is not None:
        return
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    successors = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids")
    settings.insert_element_before(update, *(f"w:{tag}" for tag in successors))
