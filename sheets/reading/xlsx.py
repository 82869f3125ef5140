"""Reading the first worksheet of an .xlsx workbook, streaming, within the limits.

openpyxl (even read-only) cannot be bounded the same way: its worksheet parser builds
each ``<row>`` element with all its cells before it yields the row (one row of six
million sparse ``<c r="XFD1"/>`` cells took 3.1 GB), fills every missing row number
with an empty row (50,000 rows numbered 1,000 apart took 110 s), and loads the shared
strings whole; python-calamine loads the sheet as one dense range. So the parts are
read here with expat (``xmlstream``), counting every cell as it is parsed; openpyxl
still provides the knowledge of number formats (built-in codes, which ones are dates)
and the date arithmetic.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from . import xmlstream
from .archive import check_zip
from .cells import LOCALE_DATE_FORMATS, Cell, CellKind, CellValue, Row
from .limits import Budget, ReadLimits, SheetError, SheetLimitError, column_index

_MAIN = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # "Strict Open XML"
)
_RELATIONSHIP_IDS = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}id",
)
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"

# The small parts (workbook, relationships) are parsed whole; they are refused beyond this.
_SMALL_PART = 5 * 1024 * 1024
_MAX_STYLES = 100_000


def _tags(*local_names: str) -> dict[str, str]:
    return {xmlstream.name(ns, local): local for ns in _MAIN for local in local_names}


def damaged() -> str:
    return gettext("The file is damaged or is not an .xlsx workbook.")


@dataclass
class _Style:
    number_format: str
    is_date: bool
    is_timedelta: bool
    locale_dependent: bool = False


# -- the small parts ----------------------------------------------------------------------


@dataclass
class _Parts:
    sheet: str
    shared_strings: str | None
    styles: str | None
    epoch: dt.datetime = CALENDAR_WINDOWS_1900


def _small(archive: zipfile.ZipFile, part: str) -> bytes:
    info = archive.getinfo(part)
    if info.file_size > _SMALL_PART:
        raise SheetError(damaged())
    return archive.read(info)


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Id → (type, target part) of a part's relationships."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if rels not in archive.NameToInfo:
        return {}
    found = {}
    for relationship in fromstring(_small(archive, rels)).iter(_PACKAGE_RELS):
        target = relationship.get("Target", "")
        target = target[1:] if target.startswith("/") else posixpath.join(folder, target)
        found[relationship.get("Id", "")] = (
            relationship.get("Type", ""),
            posixpath.normpath(target),
        )
    return found


def _parts(archive: zipfile.ZipFile) -> _Parts:
    workbook = "xl/workbook.xml"
    if workbook not in archive.NameToInfo:
        raise SheetError(damaged())
    root = fromstring(_small(archive, workbook))
    relationships = _relationships(archive, workbook)
    by_type = {kind.rsplit("/", 1)[-1]: target for kind, target in relationships.values()}
    sheet = None
    for element in root.iter():
        if element.tag.endswith("}sheet"):
            for attribute in _RELATIONSHIP_IDS:
                if element.get(attribute) in relationships:
                    sheet = relationships[element.get(attribute, "")][1]
            break
    epoch = CALENDAR_WINDOWS_1900
    for element in root.iter():
        if element.tag.endswith("}workbookPr") and element.get("date1904") in ("1", "true"):
            epoch = CALENDAR_MAC_1904
    sheet = sheet or "xl/worksheets/sheet1.xml"
    if sheet not in archive.NameToInfo:
        raise SheetError(damaged())
    strings = by_type.get("sharedStrings")
    styles = by_type.get("styles")
    return _Parts(
        sheet=sheet,
        shared_strings=strings if strings in archive.NameToInfo else None,
        styles=styles if styles in archive.NameToInfo else None,
        epoch=epoch,
    )


# -- styles: which number format each cell style has -----------------------------------------

_STYLE_TAGS = _tags("numFmt", "cellXfs", "xf")


@dataclass
class _StylesHandler:
    budget: Budget
    formats: dict[int, str] = field(default_factory=dict)
    cell_formats: list[int] = field(default_factory=list)
    in_cell_xfs: bool = False
    rows: list[Row] = field(default_factory=list)
    done: bool = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        tag = _STYLE_TAGS.get(name)
        if tag == "numFmt":
            self.formats[int(attributes.get("numFmtId", "0"))] = attributes.get("formatCode", "")
        elif tag == "cellXfs":
            self.in_cell_xfs = True
        elif tag == "xf" and self.in_cell_xfs:
            self.cell_formats.append(int(attributes.get("numFmtId", "0")))
            if len(self.cell_formats) > _MAX_STYLES:
                raise SheetError(damaged())
        if len(self.formats) > _MAX_STYLES:
            raise SheetError(damaged())

    def end(self, name: str) -> None:
        if _STYLE_TAGS.get(name) == "cellXfs":
            self.in_cell_xfs = False
            self.done = True

    def text(self, data: str) -> None:
        pass

    def styles(self) -> list[_Style]:
        styles = []
        for number_format_id in self.cell_formats:
            own = self.formats.get(number_format_id)
            code = own or BUILTIN_FORMATS.get(number_format_id, "")
            timedelta = bool(code) and is_timedelta_format(code)
            locale = not own and number_format_id in LOCALE_DATE_FORMATS
            styles.append(_Style(code, bool(code) and is_date_format(code), timedelta, locale))
        return styles


# -- shared strings -----------------------------------------------------------------------

_STRING_TAGS = _tags("si", "t", "rPh")


@dataclass(slots=True)
class _StringsHandler:
    """Shared strings; one longer than a cell may hold is kept as its length only, and
    refused, with its row, when a cell uses it."""

    budget: Budget
    strings: list[str | int] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    length: int = 0
    in_text: bool = False
    in_phonetic: bool = False
    kept: int = 0
    rows: list[Row] = field(default_factory=list)
    done: bool = False

    def start(self, name: str, attributes: dict[str, str]) -> None:  # noqa: ARG002
        tag = _STRING_TAGS.get(name)
        if tag == "t":
            self.in_text = not self.in_phonetic
        elif tag == "si":
            self.parts, self.length = [], 0
            self.budget.element(1)
        elif tag == "rPh":
            self.in_phonetic = True

    def end(self, name: str) -> None:
        tag = _STRING_TAGS.get(name)
        if tag == "t":
            self.in_text = False
        elif tag == "rPh":
            self.in_phonetic = False
        elif tag == "si":
            if self.length > self.budget.limits.max_cell_chars:
                self.strings.append(self.length)
            else:
                self.strings.append("".join(self.parts))
                self.kept += self.length
                if self.kept > self.budget.limits.max_total_chars:
                    raise SheetLimitError(
                        gettext(
                            "The file is refused: its texts hold more than %(max)s characters "
                            "in all. Split it into several files."
                        )
                        % {"max": f"{self.budget.limits.max_total_chars:,}"},
                        limit="max_total_chars",
                        row=0,
                    )
            self.parts = []

    def text(self, data: str) -> None:
        if self.in_text:
            self.length += len(data)
            if self.length <= self.budget.limits.max_cell_chars:
                self.parts.append(data)


# -- the worksheet ------------------------------------------------------------------------

_SHEET_TAGS = _tags("row", "c", "v", "is", "t", "rPh", "sheetData")
_NO_STYLE = _Style("", is_date=False, is_timedelta=False)
_TEXT_KINDS: dict[str, CellKind] = {"inlineStr": "text", "str": "text", "e": "error"}


@dataclass(slots=True)
class _SheetHandler:
    budget: Budget
    strings: list[str | int]
    styles: list[_Style]
    epoch: dt.datetime
    rows: list[Row] = field(default_factory=list)
    done: bool = False
    number: int = 0
    cells: dict[int, Cell] = field(default_factory=dict)
    elements: int = 0  # cells described in this row
    column: int = -1
    kind: str = "n"
    style: int = 0
    parts: list[str] = field(default_factory=list)
    length: int = 0
    has_value: bool = False
    in_value: bool = False
    in_inline: bool = False
    in_phonetic: bool = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        tag = _SHEET_TAGS.get(name)
        if tag == "c":
            self._start_cell(attributes)
        elif tag == "v" or (tag == "t" and self.in_inline and not self.in_phonetic):
            self.in_value = self.has_value = True
        elif tag == "row":
            number = attributes.get("r")
            self.number = int(number) if number else self.number + 1
            self.budget.row_number(self.number)
            self.cells, self.elements, self.column = {}, 0, -1
        elif tag == "is":
            self.in_inline = True
        elif tag == "rPh":
            self.in_phonetic = True

    def _start_cell(self, attributes: dict[str, str]) -> None:
        self.budget.element(self.number)
        self.elements += 1
        self.budget.row_elements(self.number, self.elements)
        reference = attributes.get("r")
        if reference:
            self.column = column_index(reference.rstrip("0123456789"))
        else:
            self.column += 1
        self.kind = attributes.get("t", "n")
        self.style = int(attributes.get("s", "0"))
        self.parts, self.length, self.has_value = [], 0, False

    def end(self, name: str) -> None:
        tag = _SHEET_TAGS.get(name)
        if tag == "c":
            if self.has_value:
                self._end_cell()
        elif tag in ("v", "t"):
            self.in_value = False
        elif tag == "row":
            self._end_row()
        elif tag == "is":
            self.in_inline = False
        elif tag == "rPh":
            self.in_phonetic = False
        elif tag == "sheetData":
            self.done = True

    def text(self, data: str) -> None:
        if self.in_value:
            self.length += len(data)
            self.budget.cell_chars(self.number, self.length)
            self.parts.append(data)

    def _end_cell(self) -> None:
        cell = self._cell("".join(self.parts))
        if cell is None:
            return
        self.budget.column(self.number, self.column)
        if cell.kind == "text":
            self.budget.text(self.number, len(str(cell.value)))
        self.cells[self.column] = cell

    def _cell(self, raw: str) -> Cell | None:
        kind = self.kind
        if kind == "s":
            return self._shared(raw)
        if kind in _TEXT_KINDS:
            return Cell(raw, _TEXT_KINDS[kind]) if raw else None
        if kind == "b":
            return Cell(raw in ("1", "true"), "bool")
        return self._number(raw) if raw else None

    def _number(self, raw: str) -> Cell:
        style = self.styles[self.style] if self.style < len(self.styles) else _NO_STYLE
        if self.kind == "d":
            return Cell(_iso(raw), "date", style.number_format)
        value: int | float = float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
        if style.is_date:
            try:
                when: CellValue = from_excel(value, self.epoch, timedelta=style.is_timedelta)
            except (ValueError, OverflowError, TypeError):
                return Cell(value, "number", style.number_format)
            return Cell(when, "date", style.number_format, style.locale_dependent)
        return Cell(value, "number", style.number_format)

    def _shared(self, raw: str) -> Cell | None:
        try:
            found = self.strings[int(raw)]
        except (ValueError, IndexError) as error:
            raise SheetError(damaged()) from error
        if isinstance(found, int):  # longer than a cell may hold
            self.budget.cell_chars(self.number, found)
        return Cell(found) if found else None

    def _end_row(self) -> None:
        if not self.cells:
            return
        self.budget.data_row(self.number, len(self.cells))
        width = max(self.cells) + 1
        cells: list[Cell | None] = [None] * width
        for column, cell in self.cells.items():
            cells[column] = cell
        self.rows.append(Row(self.number, tuple(cells)))
        self.cells = {}


def _iso(raw: str) -> CellValue:
    try:
        return dt.datetime.fromisoformat(raw)
    except ValueError:
        return raw


def read_xlsx(data: bytes, limits: ReadLimits) -> Iterator[Row]:
    budget = Budget(limits)
    with check_zip(data) as archive:
        try:
            parts = _parts(archive)
        except SheetError:
            raise
        except Exception as error:  # broken XML in the small parts, bad relationships
            raise SheetError(damaged()) from error
        styles: list[_Style] = []
        if parts.styles:
            handler = _StylesHandler(budget)
            with archive.open(parts.styles) as source:
                xmlstream.consume(source, handler, damaged())
            styles = handler.styles()
        strings: list[str | int] = []
        if parts.shared_strings:
            strings_handler = _StringsHandler(budget)
            with archive.open(parts.shared_strings) as source:
                xmlstream.consume(source, strings_handler, damaged())
            strings = strings_handler.strings
        sheet = _SheetHandler(budget, strings, styles, parts.epoch)
        with archive.open(parts.sheet) as source:
            yield from xmlstream.stream(source, sheet, damaged())
