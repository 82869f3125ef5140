"""Reading the first sheet of an Excel 97–2003 (.xls) workbook with xlrd.

xlrd cannot stream a sheet: it loads it whole when it is opened. What bounds it is
the file: a BIFF cell record takes at least 6 bytes, so a file within the size limit
(10 MB) describes at most about 1.7 million cells, which xlrd holds in well under
300 MB (bench/reader_memory.py measures the worst case). The limits are then checked
on the loaded rows like everywhere else, so a sheet beyond them is refused with the
same messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import xlrd
from django.utils.translation import gettext

from .cells import Cell, CellValue, Row
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
    formats = _formats(book)
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
