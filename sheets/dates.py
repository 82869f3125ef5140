"""Date cells that may have been read month-first (issue 12, point 7).

Dates written as text are read day-first, always. A *date cell*, though, is what an
office suite made of the text when the file was opened: in an English (month-first)
locale, "12/06/2019" became 6 December 2019 while "25/06/2019" stayed text. Two traces
give it away: a date cell whose number format puts the month first, and a column that
mixes date cells with day-first text. Such a column is ambiguous: the import refuses,
listing each date cell with both readings, until the user says how that column's date
cells are to be read — as stored, or with day and month swapped back (one reading per
column: ``ImportOptions.date_readings``; or one for every ambiguous column).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sheets.reading import Cell

AS_STORED = "as-stored"
SWAPPED = "day-month-swapped"
READINGS = {
    AS_STORED: _("as stored in the file"),
    SWAPPED: _("day and month swapped (the file was opened in a month-first locale)"),
}

_DAY_FIRST_TEXT = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})\s*$")


def _date_of(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def swapped(value: object) -> dt.date | None:
    """The date with day and month exchanged (None when that is no date: day > 12)."""
    day = _date_of(value)
    if day is None or day.day > 12:  # noqa: PLR2004 — months
        return None
    return day.replace(month=day.day, day=day.month)


def _two_readings(value: object) -> bool:
    """Whether swapping day and month gives another date (7/12, not 25/12 or 5/5)."""
    other = swapped(value)
    return other is not None and other != _date_of(value)


@dataclass
class Ambiguity:
    """A date cell of an ambiguous column: its row, and both readings (dd/mm/yyyy).

    ``column`` is the header as written, ``key`` the sheet's name for the column (what a
    reading is chosen for: ``--date-cells signed_on=as-stored``)."""

    column: str
    row: int
    as_stored: str
    swapped: str
    key: str = ""


@dataclass
class DateColumn:
    """What one date column holds: its date cells (row, cell), and whether any was text."""

    # (index of the row in the dataset, from 1; its number in the file; the cell)
    date_cells: list[tuple[int, int, Cell]] = field(default_factory=list)
    day_first_text: bool = False

    def add(self, index: int, number: int, cell: Cell | None) -> None:
        if cell is None:
            return
        if cell.is_date:
            self.date_cells.append((index, number, cell))
        elif (
            not self.day_first_text
            and isinstance(cell.value, str)
            and _DAY_FIRST_TEXT.match(cell.value)
        ):
            self.day_first_text = True

    @property
    def ambiguous(self) -> bool:
        if not self.date_cells:
            return False
        return self.day_first_text or any(cell.month_first for _i, _n, cell in self.date_cells)


def _format(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else gettext("(no such date)")


def ambiguities(columns: dict[str, DateColumn], headers: dict[str, str]) -> list[Ambiguity]:
    """Every date cell of every ambiguous column, with both readings."""
    found: list[Ambiguity] = []
    for column, cells in columns.items():
        if not cells.ambiguous:
            continue
        found.extend(
            Ambiguity(
                column=headers.get(column, column),
                key=column,
                row=number,
                as_stored=_format(_date_of(cell.value)),
                swapped=_format(swapped(cell.value)),
            )
            for _index, number, cell in cells.date_cells
            if _two_readings(cell.value)
        )
    return found


class AmbiguousDatesError(Exception):
    """Date cells that may be month-first, and no reading chosen."""

    def __init__(self, found: list[Ambiguity]) -> None:
        super().__init__(
            gettext(
                "Some date cells may have been read month-first by an office suite "
                "(%(count)d cells in the columns %(columns)s): choose how to read them."
            )
            % {
                "count": len(found),
                "columns": ", ".join(dict.fromkeys(f"“{a.column}”" for a in found)),
            }
        )
        self.found = found
