"""The limits every reader enforces while it streams, and the refusals that name them.

A spreadsheet file describes far more than it stores: ``<text:s text:c="1000000000"/>``
(a run of spaces), ``table:number-columns-repeated``/``number-rows-repeated`` and an
.xlsx cell at ``XFD1`` each ask for millions of cells in a few bytes. The readers
never expand such a description before counting it against these limits, so a file
within them is read in bounded memory and time, and a file beyond them is refused at
the row where it crosses one (see SECURITY.md, "Uploaded spreadsheets").
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.utils.translation import gettext


class SheetError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


class SheetLimitError(SheetError):
    """The file crosses one of the reading limits (``limit`` names which, ``row`` where)."""

    def __init__(self, message: str, *, limit: str, row: int) -> None:
        super().__init__(message)
        self.limit = limit
        self.row = row


def _n(number: float) -> str:
    return f"{number:,}"


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """What one uploaded sheet may hold. The defaults are documented in SECURITY.md."""

    # Rows holding at least one value (blank rows are free, whatever their number): the
    # import's 50,000 rows of data below up to 20 rows of title and header.
    max_rows: int = 50_020
    # Columns read; a value further right is refused (it would be lost otherwise).
    max_columns: int = 60
    # The last row number a spreadsheet may have (.xlsx and LibreOffice: 1,048,576).
    max_row_number: int = 1_048_576
    # Characters in one cell, expanded (an agreement's notes may run to tens of thousands).
    max_cell_chars: int = 100_000
    # Characters in all cells together, expanded.
    max_total_chars: int = 20_000_000
    # Cells holding a value.
    max_cells: int = 1_000_000
    # Cells the file describes, empty or not, each counted once however often repeated:
    # the parsing work.
    max_cell_elements: int = 3_000_000
    # Cells one row describes, empty or not (Excel's widest row is 16,384).
    max_row_elements: int = 16_384
    # Work: processor time of the whole read (the reading thread's, so that other
    # processes on a busy machine do not count against the file). A sheet at the limits
    # takes 10–25 s (bench/README.md); a read inside a web request should pass a few.
    max_seconds: float = 60.0


DEFAULT_LIMITS = ReadLimits()

# The clock is read once per this many cells.
_CLOCK_EVERY = 4096


class Budget:
    """Counts what a reader has read against its limits; every method refuses by raising."""

    __slots__ = ("chars", "data_cells", "deadline", "elements", "limits", "rows", "until_clock")

    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits
        self.deadline = time.thread_time() + limits.max_seconds
        self.rows = 0
        self.data_cells = 0
        self.elements = 0
        self.chars = 0
        self.until_clock = _CLOCK_EVERY

    def element(self, row: int) -> None:
        """One more cell described by the file (empty or not)."""
        self.elements += 1
        if self.elements > self.limits.max_cell_elements:
            raise SheetLimitError(
                gettext(
                    "The file is refused at row %(row)s: it describes more than %(max)s cells, "
                    "empty or not. Save it again without the formatting of empty cells, or "
                    "split it."
                )
                % {"row": _n(row), "max": _n(self.limits.max_cell_elements)},
                limit="max_cell_elements",
                row=row,
            )
        self.until_clock -= 1
        if self.until_clock <= 0:
            self.until_clock = _CLOCK_EVERY
            self.clock(row)

    def whole_row(
        self, row: int, elements: int, last_column: int, longest: int, chars: int
    ) -> bool:
        """Count a whole row at once (``elements`` cells described, its last value in
        ``last_column``, its longest cell and its text) when it stays within every limit;
        False, counting nothing, when it would cross one: the caller then counts it cell
        by cell, so the refusal reads as it always did."""
        limits = self.limits
        if (
            self.elements + elements > limits.max_cell_elements
            or last_column >= limits.max_columns
            or longest > limits.max_cell_chars
            or self.chars + chars > limits.max_total_chars
        ):
            return False
        self.elements += elements
        self.chars += chars
        self.until_clock -= elements
        if self.until_clock <= 0:
            self.until_clock = _CLOCK_EVERY
            self.clock(row)
        return True

    def clock(self, row: int) -> None:
        if time.thread_time() > self.deadline:
            raise SheetLimitError(
                gettext(
                    "The file is refused at row %(row)s: reading it took more than "
                    "%(seconds)s seconds of work."
                )
                % {"row": _n(row), "seconds": f"{self.limits.max_seconds:g}"},
                limit="max_seconds",
                row=row,
            )

    def row_elements(self, row: int, count: int) -> None:
        if count > self.limits.max_row_elements:
            raise SheetLimitError(
                gettext("Row %(row)s describes more than %(max)s cells, the most a row may have.")
                % {"row": _n(row), "max": _n(self.limits.max_row_elements)},
                limit="max_row_elements",
                row=row,
            )

    def row_number(self, row: int) -> None:
        if row > self.limits.max_row_number:
            raise SheetLimitError(
                gettext("Row %(row)s is beyond the last row a spreadsheet may have (%(max)s).")
                % {"row": _n(row), "max": _n(self.limits.max_row_number)},
                limit="max_row_number",
                row=row,
            )

    def data_row(self, row: int, cells: int) -> None:
        """One more row holding ``cells`` values."""
        self.row_number(row)
        self.rows += 1
        if self.rows > self.limits.max_rows:
            raise SheetLimitError(
                gettext(
                    "The sheet has more than %(max)s rows (row %(row)s is one too many): "
                    "split it into several files."
                )
                % {"row": _n(row), "max": _n(self.limits.max_rows)},
                limit="max_rows",
                row=row,
            )
        self.data_cells += cells
        if self.data_cells > self.limits.max_cells:
            raise SheetLimitError(
                gettext(
                    "The file is refused at row %(row)s: it holds more than %(max)s cells "
                    "with a value. Split it into several files."
                )
                % {"row": _n(row), "max": _n(self.limits.max_cells)},
                limit="max_cells",
                row=row,
            )

    def column(self, row: int, column: int) -> None:
        """A value in ``column`` (0-based)."""
        if column >= self.limits.max_columns:
            raise SheetLimitError(
                gettext(
                    "Row %(row)s has a value in column %(column)s, but only the first %(max)s "
                    "columns are read: move it or delete it."
                )
                % {"row": _n(row), "column": column_name(column), "max": self.limits.max_columns},
                limit="max_columns",
                row=row,
            )

    def cell_chars(self, row: int, length: int) -> None:
        """A cell of ``length`` characters (called as a cell grows, before it is expanded)."""
        if length > self.limits.max_cell_chars:
            raise SheetLimitError(
                gettext(
                    "Row %(row)s: a cell holds more than %(max)s characters, the most one cell "
                    "may hold."
                )
                % {"row": _n(row), "max": _n(self.limits.max_cell_chars)},
                limit="max_cell_chars",
                row=row,
            )

    def text(self, row: int, length: int) -> None:
        """``length`` more characters of text kept."""
        self.chars += length
        if self.chars > self.limits.max_total_chars:
            raise SheetLimitError(
                gettext(
                    "The file is refused at row %(row)s: it holds more than %(max)s characters "
                    "of text in all. Split it into several files."
                )
                % {"row": _n(row), "max": _n(self.limits.max_total_chars)},
                limit="max_total_chars",
                row=row,
            )


def column_name(index: int) -> str:
    """Spreadsheet column letters for a 0-based index: 0 → A, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(65 + remainder) + name
    return name


def column_index(letters: str) -> int:
    """0-based index of spreadsheet column letters: A → 0, XFD → 16383."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1
