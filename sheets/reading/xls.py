"""Reading the first sheet of an Excel 97–2003 (.xls) workbook with xlrd.

xlrd cannot stream a sheet: it loads it whole when it is opened. What bounds it is
the file: a BIFF cell record takes at least 2 bytes a cell (MULBLANK, a run of styled
empty cells), so a file within the size limit (10 MB) describes at most about 5 million
cells. That worst case (19,000 rows × 256 styled empty cells, 10.4 MB, made by xlwt)
peaks at 145 MB and is refused by ``max_cell_elements`` after xlrd has loaded it (11 s on
two busy cores). The limits are then checked on the loaded rows like everywhere else,
so a sheet beyond them is refused with the same messages.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import xlrd
from django.utils.translation import gettext

from .cells import LOCALE_DATE_FORMATS, Cell, CellValue, Row
from .limits import Budget, ReadLimits, SheetError


def damaged() -> str:
    return gettext("The file is damaged or is not an .xls workbook.")


def _formats(book: Any) -> list[str]:
    """Format code of each cell style (xf) of the workbook."""
    codes = []
    for xf in book.xf_list:
        found = book.format_map.get(xf.format_key)
        codes.append(found.format_str if found is not None else "")
    return codes


def _locale_formats(book: Any) -> list[bool]:
    """Whether each cell style has Excel's built-in, locale-ordered short date."""
    return [xf.format_key in LOCALE_DATE_FORMATS for xf in book.xf_list]


def _number(_book: Any, value: Any, number_format: str) -> Cell:
    number: CellValue = int(value) if float(value).is_integer() else value
    return Cell(number, "number", number_format)


def _date(book: Any, value: Any, number_format: str) -> Cell:
    try:
        return Cell(xlrd.xldate.xldate_as_datetime(value, book.datemode), "date", number_format)
    except (ValueError, OverflowError, xlrd.xldate.XLDateError):
        return Cell(value, "number", number_format)


def _text(_book: Any, value: Any, _number_format: str) -> Cell:
    return Cell(value)


def _boolean(_book: Any, value: Any, _number_format: str) -> Cell:
    return Cell(bool(value), "bool")


def _error(_book: Any, value: Any, _number_format: str) -> Cell:
    return Cell(xlrd.error_text_from_code.get(value, "#ERROR"), "error")


_KINDS = {
    xlrd.XL_CELL_TEXT: _text,
    xlrd.XL_CELL_NUMBER: _number,
    xlrd.XL_CELL_DATE: _date,
    xlrd.XL_CELL_BOOLEAN: _boolean,
    xlrd.XL_CELL_ERROR: _error,
}


def _cell(book: Any, kind: int, value: Any, number_format: str) -> Cell | None:
    if kind not in _KINDS or value == "":
        return None
    return _KINDS[kind](book, value, number_format)


def read_xls(data: bytes, limits: ReadLimits) -> Iterator[Row]:
    budget = Budget(limits)
    try:
        book = xlrd.open_workbook(
            file_contents=data, on_demand=True, formatting_info=True, ragged_rows=True
        )
        sheet = book.sheet_by_index(0)
    except Exception as error:  # xlrd raises many kinds for damaged files
        raise SheetError(damaged()) from error
    formats, locales = _formats(book), _locale_formats(book)
    try:
        for index in range(sheet.nrows):
            number = index + 1
            width = sheet.row_len(index)
            budget.row_elements(number, width)
            cells: list[Cell | None] = []
            for column in range(width):
                budget.element(number)
                xf = sheet.cell_xf_index(index, column)
                cell = _cell(
                    book,
                    sheet.cell_type(index, column),
                    sheet.cell_value(index, column),
                    formats[xf] if 0 <= xf < len(formats) else "",
                )
                if cell is None:
                    continue
                if cell.kind == "date" and 0 <= xf < len(locales) and locales[xf]:
                    cell = dataclasses.replace(cell, locale_dependent=True)
                budget.column(number, column)
                if cell.kind == "text":
                    budget.cell_chars(number, len(str(cell.value)))
                    budget.text(number, len(str(cell.value)))
                cells.extend([None] * (column - len(cells)))
                cells.append(cell)
            if cells:
                budget.data_row(number, sum(c is not None for c in cells))
                yield Row(number, tuple(cells))
    finally:
        book.release_resources()
