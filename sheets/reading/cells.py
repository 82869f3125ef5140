"""What the readers return: rows of small typed cells.

A cell keeps what the file said about it, not only its value: whether it was a date
cell or text, and the number format it was shown with. Importers need it to tell a
date typed as text (always day-first) from a date cell an office suite made in a
month-first locale (issue 12, point 7).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

CellKind = Literal["text", "number", "date", "bool", "error"]
CellValue = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta

# Parts of a number format that are not date tokens: [$-409] locales, [Red] colours,
# "quoted" and \escaped literals.
_NOT_TOKENS = re.compile(r'\[[^\]]*\]|"[^"]*"|\\.')


def date_order(number_format: str) -> str:
    """The order of day, month and year in a number format: ``"DMY"``, ``"MDY"``, ``"YMD"``…

    Only the date part counts: an ``m`` after an ``h`` is minutes. Empty when the
    format shows no day or no month.
    """
    code = _NOT_TOKENS.sub("", number_format).lower()
    hour = code.find("h")
    if hour >= 0:
        code = code[:hour]
    order = ""
    for token in ("d", "m", "y"):
        position = code.find(token)
        if position >= 0:
            order += token
    if "d" not in order or "m" not in order:
        return ""
    return "".join(sorted(order, key=code.find)).upper()


# Excel's built-in formats 14 (short date) and 22 (short date and time) are shown in the
# order of the reader's system locale: the file says nothing of the order.
LOCALE_DATE_FORMATS = frozenset({14, 22})


@dataclass(frozen=True, slots=True)
class Cell:
    """One non-empty cell. ``number_format`` is the format code as the file gives it
    (Excel's ``dd/mm/yyyy``, or for .ods the date style spelt the same way), "" if none.

    ``locale_dependent``: the format is Excel's built-in short date (or date and time),
    which is shown in the order of whoever opens the file (openpyxl spells it
    ``mm-dd-yy``; a Vietnamese Excel shows ``dd/mm/yyyy``): the file says nothing of the
    order, so ``month_first`` is False. (An .ods date style is written in the order of
    the locale that saved it, usually with ``number:automatic-order``; that written order
    is ``number_format``.)
    """

    value: CellValue
    kind: CellKind = "text"
    number_format: str = ""
    locale_dependent: bool = False

    @property
    def is_date(self) -> bool:
        return self.kind == "date"

    @property
    def month_first(self) -> bool:
        """A date cell shown month before day (``12/06/2019`` meaning 6 December)."""
        if self.kind != "date" or self.locale_dependent:
            return False
        return date_order(self.number_format).startswith("M")


@dataclass(frozen=True, slots=True)
class Row:
    """A row holding at least one value. ``number`` is the row's number in the file (the
    first row is 1; blank rows are not returned but keep their numbers). ``cells`` ends
    with its last value; ``None`` stands for an empty cell before it."""

    number: int
    cells: tuple[Cell | None, ...]

    def values(self) -> list[CellValue | None]:
        return [None if cell is None else cell.value for cell in self.cells]
