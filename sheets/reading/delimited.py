"""Reading a .csv file (UTF-8, with or without BOM; comma, semicolon or tab)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext

from .cells import Cell, Row
from .limits import Budget, ReadLimits, SheetError


def _text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SheetError(
            gettext(
                "The .csv file is not in UTF-8. In Excel choose “Save as” → “CSV UTF-8 "
                "(Comma delimited)”, in LibreOffice choose the character set “Unicode (UTF-8)”."
            )
        ) from error


def read_csv(data: bytes, limits: ReadLimits) -> Iterator[Row]:
    """Every cell is text; a record spanning several lines (a quoted line break) is one row.

    The limits are checked once per row when the row stays within all of them (its cells
    counted, its longest cell and its text summed); a row crossing one is checked again
    cell by cell, so the refusal names the same limit and row as before. A cell's text
    seen before gives the same (immutable) ``Cell``: a sheet repeats most of its values.
    """
    budget = Budget(limits)
    text = _text(data)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    seen: dict[str, Cell] = {}
    number = 0
    try:
        for record in reader:
            number += 1
            width = len(record)
            budget.row_elements(number, width)
            last = width - 1
            while last >= 0 and not record[last]:
                last -= 1
            kept = record[: last + 1]
            lengths = list(map(len, kept))
            if budget.whole_row(number, width, last, max(lengths, default=0), sum(lengths)):
                if last >= 0:
                    cells, count = _cells(kept, seen)
                    budget.data_row(number, count)
                    yield Row(number, cells)
                continue
            checked = _checked_cells(budget, number, record)
            if checked:
                budget.data_row(number, sum(c is not None for c in checked))
                yield Row(number, tuple(checked))
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            budget.cell_chars(number + 1, csv.field_size_limit() + 1)
        raise SheetError(
            gettext("The .csv file is malformed at row %(row)s: %(error)s")
            % {"row": number + 1, "error": error}
        ) from error


def _cells(values: list[str], seen: dict[str, Cell]) -> tuple[tuple[Cell | None, ...], int]:
    """A row's cells (``None`` for an empty one) and how many hold a value."""
    cells = tuple(
        [(seen.get(value) or _new_cell(value, seen)) if value else None for value in values]
    )
    return cells, len(values) - values.count("")


def _new_cell(value: str, seen: dict[str, Cell]) -> Cell:
    cell = seen[value] = Cell(value)
    return cell


def _checked_cells(budget: Budget, number: int, record: list[str]) -> list[Cell | None]:
    """A row's cells, its limits checked cell by cell (a row crossing one of them)."""
    cells: list[Cell | None] = []
    for column, value in enumerate(record):
        budget.element(number)
        if not value:
            continue
        budget.column(number, column)
        budget.cell_chars(number, len(value))
        budget.text(number, len(value))
        cells.extend([None] * (column - len(cells)))
        cells.append(Cell(value))
    return cells
