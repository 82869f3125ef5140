"""WordprocessingML that python-docx has no API for: languages, fields, borders, numbering.

Every helper puts its element where the schema orders it (Word refuses a document whose
property elements are out of order; LibreOffice is more lenient, so tests alone would
not notice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

_RPR_ORDER = [
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
]
_PPR_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]
_TRPR_ORDER = [
    "cnfStyle",
    "divId",
    "gridBefore",
    "gridAfter",
    "wBefore",
    "wAfter",
    "cantSplit",
    "trHeight",
    "tblHeader",
    "tblCellSpacing",
    "jc",
    "hidden",
    "ins",
    "del",
    "trPrChange",
]
_TBLPR_ORDER = [
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
    "tblCaption",
    "tblDescription",
    "tblPrChange",
]
_TCPR_ORDER = [
    "cnfStyle",
    "tcW",
    "gridSpan",
    "hMerge",
    "vMerge",
    "tcBorders",
    "shd",
    "noWrap",
    "tcMar",
    "textDirection",
    "tcFitText",
    "vAlign",
    "hideMark",
    "headers",
    "cellIns",
    "cellDel",
    "cellMerge",
    "tcPrChange",
]
_ORDERS = {"rPr": _RPR_ORDER, "pPr": _PPR_ORDER, "trPr": _TRPR_ORDER}
_ORDERS |= {"tblPr": _TBLPR_ORDER, "tcPr": _TCPR_ORDER}

TWIPS_PER_MM = 1440 / 25.4


def twips(mm: float) -> str:
    return str(round(mm * TWIPS_PER_MM))


def child(parent: BaseOxmlElement, tag: str, **attributes: str) -> Any:
    """The ``w:tag`` child of a property element, created in schema order; attributes set."""
    element = parent.find(qn(f"w:{tag}"))
    if element is None:
        element = OxmlElement(f"w:{tag}")
        order = _ORDERS[parent.tag.rsplit("}", 1)[1]]
        successors = [f"w:{name}" for name in order[order.index(tag) + 1 :]]
        parent.insert_element_before(element, *successors)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


def remove_children(parent: BaseOxmlElement, *tags: str) -> None:
    for tag in tags:
        for element in parent.findall(qn(f"w:{tag}")):
            parent.remove(element)


def set_size(rpr: BaseOxmlElement, points: float) -> None:
    """Both the Latin and the complex-script size (Lao or Thai text uses ``w:szCs``)."""
    half_points = str(round(points * 2))
    child(rpr, "sz", val=half_points)
    child(rpr, "szCs", val=half_points)


def set_emphasis(rpr: BaseOxmlElement, *, bold: bool | None, italic: bool | None) -> None:
    """Bold and italic for every script (``w:b`` and ``w:bCs``, ``w:i`` and ``w:iCs``)."""
    for value, tags in ((bold, ("b", "bCs")), (italic, ("i", "iCs"))):
        if value is None:
            continue
        for tag in tags:
            child(rpr, tag, val="1" if value else "0")


def set_fonts(rpr: BaseOxmlElement, font: str, east_asian: str, complex_script: str) -> None:
    rfonts = child(rpr, "rFonts", ascii=font, hAnsi=font, eastAsia=east_asian)
    rfonts.set(qn("w:cs"), complex_script)
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rfonts.attrib.pop(qn(f"w:{theme}"), None)


def add_field(paragraph: Any, instruction: str, result: str = "") -> None:
    """A complex field (``PAGE``, ``NUMPAGES``…) at the end of a python-docx paragraph."""
    begin_field(paragraph, instruction)
    if result:
        paragraph.add_run(result)
    end_field(paragraph)


def begin_field(paragraph: Any, instruction: str) -> None:
    """Field start, instruction and separator; the runs after it are the field's result."""
    paragraph.add_run()._r.append(_field_char("begin"))
    code = paragraph.add_run()._r
    text = OxmlElement("w:instrText")
    text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    text.text = f" {instruction} "
    code.append(text)
    paragraph.add_run()._r.append(_field_char("separate"))


def end_field(paragraph: Any) -> None:
    paragraph.add_run()._r.append(_field_char("end"))


def _field_char(kind: str) -> Any:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    return element


def bottom_border(paragraph: Any, *, size_eighths: int = 6) -> None:
    """A solid rule under a paragraph (Decree 30's "đường kẻ ngang, nét liền")."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = child(ppr, "pBdr")
    line = OxmlElement("w:bottom")
    for name, value in (("val", "single"), ("sz", str(size_eighths)), ("space", "1")):
        line.set(qn(f"w:{name}"), value)
    line.set(qn("w:color"), "000000")
    borders.append(line)


def repeat_as_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    child(tr_pr, "tblHeader")


def keep_row_together(row: Any) -> None:
    child(row._tr.get_or_add_trPr(), "cantSplit")


def set_column_widths(table: Any, widths_mm: Sequence[float]) -> None:
    """Fixed column widths, in both places Word and LibreOffice read them."""
    tbl = table._tbl
    tbl_pr = tbl.tblPr
    child(tbl_pr, "tblW", w=twips(sum(widths_mm)), type="dxa")
    child(tbl_pr, "tblLayout", type="fixed")
    for column, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths_mm, strict=True):
        column.set(qn("w:w"), twips(width))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            child(cell._tc.get_or_add_tcPr(), "tcW", w=twips(width), type="dxa")


def remove_borders(table: Any) -> None:
    borders = child(table._tbl.tblPr, "tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), "nil")
        borders.append(line)


def set_cell_margins(table: Any, *, left_mm: float, right_mm: float) -> None:
    margins = child(table._tbl.tblPr, "tblCellMar")
    for side, mm in (("left", left_mm), ("right", right_mm)):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), twips(mm))
        element.set(qn("w:type"), "dxa")
        margins.append(element)


def set_alt_text(inline_shape: Any, description: str) -> None:
    """The picture's alternative text (``wp:docPr/@descr``), read by screen readers."""
    doc_pr = inline_shape._inline.docPr
    doc_pr.set("descr", description)


# ----------------------------------------------------------------------------- numbering
@dataclass(frozen=True, slots=True)
class Level:
    """One level of a numbering: format, text ("%1."), indents in twips, linked style.

    With no ``hanging`` indent the number is followed by a space, else by a tab.
    """

    number_format: str
    text: str
    left: int
    hanging: int
    first_line: int = 0
    style_id: str | None = None


def abstract_numbering(abstract_id: int, levels: Sequence[Level]) -> Any:
    """A ``w:abstractNum`` with the given levels."""
    element = OxmlElement("w:abstractNum")
    element.set(qn("w:abstractNumId"), str(abstract_id))
    element.append(_valued("multiLevelType", "multilevel" if len(levels) > 1 else "singleLevel"))
    for index, level in enumerate(levels):
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), str(index))
        lvl.append(_valued("start", "1"))
        lvl.append(_valued("numFmt", level.number_format))
        if level.style_id:
            lvl.append(_valued("pStyle", level.style_id))
        if not level.hanging:
            lvl.append(_valued("suff", "space"))
        lvl.append(_valued("lvlText", level.text))
        lvl.append(_valued("lvlJc", "left"))
        ppr = OxmlElement("w:pPr")
        ind = OxmlElement("w:ind")
        ind.set(qn("w:left"), str(level.left))
        if level.hanging:
            ind.set(qn("w:hanging"), str(level.hanging))
        else:
            ind.set(qn("w:firstLine"), str(level.first_line))
        ppr.append(ind)
        lvl.append(ppr)
        element.append(lvl)
    return element


def numbering_instance(num_id: int, abstract_id: int, *, restart: bool) -> Any:
    """A ``w:num`` over an abstract numbering; ``restart`` starts it again at 1."""
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(num_id))
    num.append(_valued("abstractNumId", str(abstract_id)))
    if restart:
        override = OxmlElement("w:lvlOverride")
        override.set(qn("w:ilvl"), "0")
        override.append(_valued("startOverride", "1"))
        num.append(override)
    return num


def set_numbering(ppr: BaseOxmlElement, num_id: int, level: int = 0) -> None:
    num_pr = child(ppr, "numPr")
    remove_children(num_pr, "ilvl", "numId")
    num_pr.append(_valued("ilvl", str(level)))
    num_pr.append(_valued("numId", str(num_id)))


def _valued(tag: str, value: str) -> Any:
    element = OxmlElement(f"w:{tag}")
    element.set(qn("w:val"), value)
    return element
