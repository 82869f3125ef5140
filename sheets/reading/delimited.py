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
    """Every cell is text; a record spanning several lines (a quoted line break) is one row."""
    budget = Budget(limits)
    text = _text(data)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for record in reader:
            number += 1
            budget.row_elements(number, len(record))
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
            if cells:
                budget.data_row(number, sum(c is not None for c in cells))
                yield Row(number, tuple(cells))
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            budget.cell_chars(number + 1, csv.field_size_limit() + 1)
        raise SheetError(
            gettext("The .csv file is malformed at row %(row)s: %(error)s")
            % {"row": number + 1, "error": error}
        ) from error
