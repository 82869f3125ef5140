"""Runs and table rows written straight into the XML, in schema order.

python-docx's API finds each property element's place among its siblings on every call
(``get_or_add_rPr``, ``run.bold``…): a 200-row table took seconds. Text is the bulk of
a document, so its runs, and the body rows of tables, are built here with lxml in the
order the schema wants, a few microseconds each.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from docx.oxml.ns import qn
from lxml import etree

from common.scripts import COMPLEX_FONTS, EAST_ASIAN_FONTS, Segment, segments

from .blocks import Align, Text, runs

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
JUSTIFICATION = {"left": "left", "center": "center", "right": "right", "justify": "both"}


@functools.cache
def _w(name: str) -> str:
    return qn(f"w:{name}")


def _add(parent: Any, tag: str, **attributes: str) -> Any:
    element = etree.SubElement(parent, _w(tag))
    for name, value in attributes.items():
        element.set(_w(name), value)
    return element


@dataclass(frozen=True, slots=True)
class _Format:
    bold: bool
    italic: bool
    size: float | None


def _properties(
    segment: Segment, language: str, font: str, form: _Format
) -> list[tuple[str, dict[str, str]]]:
    """A run's property elements, in the order ``w:rPr`` requires."""
    tagged = segment.script != "latin" or segment.language != language
    found: list[tuple[str, dict[str, str]]] = []
    if tagged and segment.slot == "east_asian":
        east_asian = EAST_ASIAN_FONTS.get(segment.language, EAST_ASIAN_FONTS["zh-CN"])
        found.append(("rFonts", {"eastAsia": east_asian, "hint": "eastAsia"}))
    elif tagged and segment.slot == "complex":
        face = COMPLEX_FONTS.get(segment.language, font)
        found.append(("rFonts", {"ascii": face, "hAnsi": face, "cs": face}))
    if form.bold:
        found += [("b", {}), ("bCs", {})]
    if form.italic:
        found += [("i", {}), ("iCs", {})]
    if form.size:
        half_points = str(round(form.size * 2))
        found += [("sz", {"val": half_points}), ("szCs", {"val": half_points})]
    if tagged and segment.slot == "complex":
        found.append(("cs", {}))
    if tagged:
        slot = {"east_asian": "eastAsia", "complex": "bidi", "latin": "val"}[segment.slot]
        attributes = {slot: segment.language}
        if segment.slot == "complex":
            attributes["val"] = segment.language
        found.append(("lang", attributes))
    return found


# What XML 1.0 cannot hold at all (a title typed with ESC or BEL, a pasted NUL): dropped,
# since lxml refuses the whole document otherwise.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(run: Any, text: str) -> None:
    """Text with line breaks and tabs as Word writes them (``w:br``, ``w:tab``)."""
    text = _NOT_XML.sub("", text)
    for line_number, line in enumerate(text.split("\n")):
        if line_number:
            _add(run, "br")
        for tab_number, piece in enumerate(line.split("\t")):
            if tab_number:
                _add(run, "tab")
            if piece:
                element = _add(run, "t")
                element.text = piece
                if piece != piece.strip():
                    element.set(XML_SPACE, "preserve")


def append_runs(  # noqa: PLR0913 (the run properties a caller may set)
    paragraph: Any,
    text: Text,
    *,
    language: str,
    font: str,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
) -> None:
    """Runs of ``text`` at the end of a ``w:p``: one per script, each tagged with its
    language and font where it is not the document's (:mod:`common.scripts`)."""
    for part in runs(text):
        for segment in segments(part.text, language, part.lang):
            run = _add(paragraph, "r")
            form = _Format(part.bold or bold, part.italic or italic, size)
            properties = _properties(segment, language, font, form)
            if properties:
                rpr = _add(run, "rPr")
                for tag, attributes in properties:
                    _add(rpr, tag, **attributes)
            _text(run, segment.text)


def append_row(  # noqa: PLR0913 (a row is its cells, their widths, alignments and style)
    table: Any,
    cells: Sequence[Text],
    *,
    widths_twips: Sequence[str],
    aligns: Sequence[Align],
    style_id: str,
    language: str,
    font: str,
) -> None:
    """A body row that does not split across pages, one paragraph per cell."""
    row = _add(table, "tr")
    _add(_add(row, "trPr"), "cantSplit")
    for text, width, align in zip(cells, widths_twips, aligns, strict=True):
        cell = _add(row, "tc")
        _add(_add(cell, "tcPr"), "tcW", w=width, type="dxa")
        paragraph = _add(cell, "p")
        properties = _add(paragraph, "pPr")
        _add(properties, "pStyle", val=style_id)
        _add(properties, "jc", val=JUSTIFICATION[align])
        append_runs(paragraph, text, language=language, font=font)
