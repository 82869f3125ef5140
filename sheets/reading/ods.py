"""Reading the first table of an .ods spreadsheet, streaming, within the limits.

odfpy (what tablib uses) cannot be bounded: it loads the whole ``content.xml`` as a
document tree and expands ``number-columns-repeated`` and ``<text:s text:c=…/>`` as it
builds cell text, so a 672-byte file asked it for a billion spaces (4 GB). python-calamine
loads the whole table as a dense range. So ``content.xml`` is read here with expat
(``xmlstream``): repeated cells and rows are counted, not expanded, unless they hold a
value, and a run of spaces is counted against the cell's limit before it is expanded.

Date formats: a cell's style names its number format either among the automatic styles
of ``content.xml`` or among the common (named) styles of ``styles.xml`` (a cell style
"Date US" the office made once and applies everywhere), possibly through its parent
style. ``styles.xml`` is read first, streaming too, and refused above ``MAX_STYLES_BYTES``
so the month-first rule (``sheets/dates``) sees the format whichever part holds it.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext

from . import xmlstream
from .archive import check_zip
from .cells import Cell, CellValue, Row
from .limits import Budget, ReadLimits, SheetError

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_NUMBER = "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"

_TAGS = {
    xmlstream.name(_TABLE, "table"): "table",
    xmlstream.name(_TABLE, "table-row"): "row",
    xmlstream.name(_TABLE, "table-cell"): "cell",
    xmlstream.name(_TABLE, "covered-table-cell"): "cell",
    xmlstream.name(_TABLE, "table-column"): "column",
    xmlstream.name(_TEXT, "p"): "p",
    xmlstream.name(_TEXT, "h"): "p",
    xmlstream.name(_TEXT, "s"): "s",
    xmlstream.name(_TEXT, "tab"): "tab",
    xmlstream.name(_TEXT, "line-break"): "line-break",
    xmlstream.name(_OFFICE, "annotation"): "annotation",
    xmlstream.name(_STYLE, "style"): "style",
    xmlstream.name(_NUMBER, "date-style"): "date-style",
    xmlstream.name(_NUMBER, "day"): "day",
    xmlstream.name(_NUMBER, "month"): "month",
    xmlstream.name(_NUMBER, "year"): "year",
    xmlstream.name(_NUMBER, "text"): "literal",
    xmlstream.name(_NUMBER, "hours"): "hours",
    xmlstream.name(_NUMBER, "minutes"): "minutes",
    xmlstream.name(_NUMBER, "seconds"): "seconds",
    xmlstream.name(_NUMBER, "day-of-week"): "day-of-week",
}


def _a(namespace: str, local: str) -> str:
    return xmlstream.name(namespace, local)


_VALUE_TYPE = _a(_OFFICE, "value-type")
_VALUE = _a(_OFFICE, "value")
_DATE_VALUE = _a(_OFFICE, "date-value")
_BOOLEAN_VALUE = _a(_OFFICE, "boolean-value")
_COLUMNS_REPEATED = _a(_TABLE, "number-columns-repeated")
_ROWS_REPEATED = _a(_TABLE, "number-rows-repeated")
_CELL_STYLE = _a(_TABLE, "style-name")
_DEFAULT_CELL_STYLE = _a(_TABLE, "default-cell-style-name")
_SPACES = _a(_TEXT, "c")
_STYLE_NAME = _a(_STYLE, "name")
_DATA_STYLE = _a(_STYLE, "data-style-name")
_NUMBER_STYLE = _a(_NUMBER, "style")
_TEXTUAL = _a(_NUMBER, "textual")

# Date style parts as format-code tokens, short and long (LibreOffice's spelling).
_TOKENS = {
    "day": ("D", "DD"),
    "month": ("M", "MM"),
    "year": ("YY", "YYYY"),
    "hours": ("H", "HH"),
    "minutes": ("M", "MM"),
    "seconds": ("S", "SS"),
    "day-of-week": ("NN", "NNNN"),
}
_MAX_STYLES = 100_000
MAX_STYLES_BYTES = 16 * 1024 * 1024  # styles.xml once unpacked; LibreOffice's are ~50 KB
_MAX_PARENTS = 10  # a style's parents followed to find its number format
_PARENT_STYLE = _a(_STYLE, "parent-style-name")


def damaged() -> str:
    return gettext("The file is damaged or is not an .ods spreadsheet.")


@dataclass
class _DateStyles:
    """Cell style → date format code, from the common styles (``styles.xml``) and the
    automatic styles before the table (``content.xml``)."""

    cell_styles: dict[str, str] = field(default_factory=dict)  # cell style → data style
    parents: dict[str, str] = field(default_factory=dict)  # cell style → its parent style
    date_formats: dict[str, str] = field(default_factory=dict)  # data style → code
    current: str | None = None
    code: list[str] = field(default_factory=list)
    in_literal: bool = False

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "style":
            style = attributes.get(_STYLE_NAME, "")
            if _DATA_STYLE in attributes:
                self.cell_styles[style] = attributes[_DATA_STYLE]
            if _PARENT_STYLE in attributes:
                self.parents[style] = attributes[_PARENT_STYLE]
        elif tag == "date-style":
            self.current, self.code = attributes.get(_STYLE_NAME, ""), []
        elif self.current is not None and tag in _TOKENS:
            short, long = _TOKENS[tag]
            token = long if attributes.get(_NUMBER_STYLE) == "long" else short
            if tag == "month" and attributes.get(_TEXTUAL) == "true":
                token = "MMMM" if attributes.get(_NUMBER_STYLE) == "long" else "MMM"
            self.code.append(token)
        elif tag == "literal":
            self.in_literal = True
        if len(self.cell_styles) + len(self.date_formats) + len(self.parents) > _MAX_STYLES:
            raise SheetError(damaged())

    def end(self, tag: str) -> None:
        if tag == "date-style" and self.current is not None:
            self.date_formats[self.current] = "".join(self.code)
            self.current = None
        elif tag == "literal":
            self.in_literal = False

    def text(self, data: str) -> None:
        if self.in_literal and self.current is not None and len(self.code) < 100:  # noqa: PLR2004
            self.code.append(data if data.isspace() or data in "/-.," else f'"{data}"')

    def format_of(self, cell_style: str | None) -> str:
        """The date format of the style, or of the nearest parent that has a number format."""
        style = cell_style
        for _step in range(_MAX_PARENTS):
            if not style:
                return ""
            if style in self.cell_styles:
                return self.date_formats.get(self.cell_styles[style], "")
            style = self.parents.get(style)
        return ""


@dataclass(slots=True)
class _StylesHandler:
    """``styles.xml``: only its styles matter (no rows)."""

    styles: _DateStyles
    rows: list[Row] = field(default_factory=list)
    done: bool = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        tag = _TAGS.get(name)
        if tag is not None:
            self.styles.start(tag, attributes)

    def end(self, name: str) -> None:
        tag = _TAGS.get(name)
        if tag is not None:
            self.styles.end(tag)

    def text(self, data: str) -> None:
        self.styles.text(data)


def _common_styles(archive: zipfile.ZipFile) -> _DateStyles:
    """The date formats of the common styles, from ``styles.xml`` if the file has one."""
    styles = _DateStyles()
    info = archive.NameToInfo.get("styles.xml")
    if info is None:
        return styles
    if info.file_size > MAX_STYLES_BYTES:
        raise SheetError(
            gettext(
                "The file's styles (styles.xml) are larger than %(mb)d MB once unpacked: "
                "it cannot be read. Save the sheet again, or as .xlsx or .csv."
            )
            % {"mb": MAX_STYLES_BYTES // (1024 * 1024)}
        )
    with archive.open(info) as source:
        for _row in xmlstream.stream(source, _StylesHandler(styles), damaged()):
            pass  # a styles part has no rows
    styles.current, styles.in_literal = None, False
    return styles


@dataclass(slots=True)
class _TableHandler:
    budget: Budget
    rows: list[Row] = field(default_factory=list)
    done: bool = False
    styles: _DateStyles = field(default_factory=_DateStyles)
    column_styles: list[str | None] = field(default_factory=list)
    table_depth: int = 0
    number: int = 0  # the last row number used
    row_repeat: int = 1
    cells: list[Cell | None] = field(default_factory=list)
    elements: int = 0
    column: int = 0  # the next cell's column
    cell: dict[str, str] | None = None
    cell_repeat: int = 1
    parts: list[str] = field(default_factory=list)
    length: int = 0
    paragraphs: int = 0
    in_paragraph: int = 0
    annotation: int = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        tag = _TAGS.get(name)
        if tag is None or self.done:  # the tables after the first, in the same chunk
            return
        if self.cell is not None:
            self._start_in_cell(tag, attributes)
        elif tag == "row":
            if self.table_depth == 1:
                self.row_repeat = max(1, int(attributes.get(_ROWS_REPEATED, "1")))
                self.cells, self.elements, self.column = [], 0, 0
        elif tag == "cell":
            if self.table_depth == 1:
                self._start_cell(attributes)
        elif tag == "table":
            self.table_depth += 1
        elif tag == "column":
            self._column(attributes)
        elif self.table_depth == 0:
            self.styles.start(tag, attributes)

    def _column(self, attributes: dict[str, str]) -> None:
        repeat = int(attributes.get(_COLUMNS_REPEATED, "1"))
        room = self.budget.limits.max_columns - len(self.column_styles)
        self.column_styles.extend([attributes.get(_DEFAULT_CELL_STYLE)] * min(repeat, room))

    def _start_cell(self, attributes: dict[str, str]) -> None:
        row = self.number + 1
        self.budget.element(row)
        self.elements += 1
        self.budget.row_elements(row, self.elements)
        self.cell = attributes
        self.cell_repeat = max(1, int(attributes.get(_COLUMNS_REPEATED, "1")))
        self.parts, self.length, self.paragraphs = [], 0, 0
        self.in_paragraph = self.annotation = 0

    def _start_in_cell(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "annotation":
            self.annotation += 1
        elif self.annotation:
            return
        elif tag == "p":
            self.in_paragraph += 1
            self.paragraphs += 1
            if self.paragraphs > 1:
                self._add("\n")
        elif tag == "s":
            # Counted before it is expanded: text:c may ask for a billion spaces.
            spaces = int(attributes.get(_SPACES, "1"))
            self.budget.cell_chars(self.number + 1, self.length + spaces)
            self._add(" " * spaces)
        elif tag == "tab":
            self._add("\t")
        elif tag == "line-break":
            self._add("\n")

    def _add(self, text: str) -> None:
        self.length += len(text)
        self.budget.cell_chars(self.number + 1, self.length)
        self.parts.append(text)

    def end(self, name: str) -> None:
        tag = _TAGS.get(name)
        if tag is None or self.done:
            return
        if tag == "cell" and self.cell is not None:
            self._end_cell(self.cell)
            self.cell = None
        elif tag == "annotation" and self.annotation:
            self.annotation -= 1
        elif tag == "p" and self.cell is not None and not self.annotation:
            self.in_paragraph -= 1
        elif tag == "row" and self.table_depth == 1:
            self._end_row()
        elif tag == "table":
            self.table_depth -= 1
            self.done = self.table_depth == 0
        elif self.table_depth == 0:
            self.styles.end(tag)

    def text(self, data: str) -> None:
        if self.cell is not None:
            if self.in_paragraph and not self.annotation:
                self._add(data)
        elif self.table_depth == 0:
            self.styles.text(data)

    def _end_cell(self, attributes: dict[str, str]) -> None:
        cell = self._value(attributes)
        if cell is None:
            self.column += self.cell_repeat
            return
        row = self.number + 1
        last = self.column + self.cell_repeat - 1
        self.budget.column(row, last)  # refused before a repeated value is expanded
        if self.cells is not None:
            self.cells.extend([None] * (self.column - len(self.cells)))
            self.cells.extend([cell] * self.cell_repeat)
        if cell.kind == "text":
            self.budget.text(row, len(str(cell.value)) * self.cell_repeat)
        self.column = last + 1

    def _value(self, attributes: dict[str, str]) -> Cell | None:
        kind = attributes.get(_VALUE_TYPE)
        if kind == "date":
            raw = attributes.get(_DATE_VALUE, "")
            style = attributes.get(_CELL_STYLE) or self._column_style()
            return Cell(_date(raw), "date", self.styles.format_of(style))
        if kind in ("float", "percentage", "currency"):
            raw = attributes.get(_VALUE, "")
            try:
                number = float(raw)
            except ValueError:
                return Cell(raw)
            return Cell(int(number) if number.is_integer() else number, "number")
        if kind == "boolean":
            return Cell(attributes.get(_BOOLEAN_VALUE) == "true", "bool")
        text = "".join(self.parts)
        return Cell(text) if text else None

    def _column_style(self) -> str | None:
        if self.column < len(self.column_styles):
            return self.column_styles[self.column]
        return None

    def _end_row(self) -> None:
        first = self.number + 1
        if not self.cells:
            # Empty rows, however many are declared, cost nothing.
            self.number += self.row_repeat
            return
        cells = tuple(self.cells)
        values = sum(cell is not None for cell in cells)
        for repeat in range(self.row_repeat):
            self.budget.data_row(first + repeat, values)
            self.budget.element(first + repeat)
            self.rows.append(Row(first + repeat, cells))
        self.number += self.row_repeat


def _date(raw: str) -> CellValue:
    try:
        return dt.datetime.fromisoformat(raw) if "T" in raw else dt.date.fromisoformat(raw)
    except ValueError:
        return raw


def read_ods(data: bytes, limits: ReadLimits) -> Iterator[Row]:
    budget = Budget(limits)
    with check_zip(data) as archive:
        if "content.xml" not in archive.NameToInfo:
            raise SheetError(damaged())
        handler = _TableHandler(budget, styles=_common_styles(archive))
        with archive.open("content.xml") as source:
            yield from xmlstream.stream(source, handler, damaged())
