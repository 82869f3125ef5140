"""A cell as text, formula escaping and the list cells' escaping rule."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from common.text import clean_spaces
from common.text import fold as _fold_text

# One row of a sheet, by column name (a cell is whatever the reader gave: text, number,
# date…), and the errors found in it: column → message.
type Row = Mapping[str, Any]
type RowErrors = dict[str, str]

# Text cells this short are names, codes and dates, repeated over and over: remembered.
SHORT_TEXT = 200


@lru_cache(maxsize=65536)
def fold(text: str | None) -> str:
    """``common.text.fold``, remembered: a sheet repeats the same names thousands of times."""
    return _fold_text(text)


NON_FIELD = ""  # the column name errors about the whole row are filed under

# A cell beginning with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# The apostrophe is the escape itself: a value that begins with one gets another, so
# that the import, which takes exactly one away, gives the value back as it was.
_ESCAPED_STARTS = (*FORMULA_STARTS, "'")


def neutralise_formula(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula (or that begins with an
    apostrophe) with an apostrophe."""
    if isinstance(value, str) and value.startswith(_ESCAPED_STARTS):
        return "'" + value
    return value


def restore_formula_text(text: str) -> str:
    """Undo ``neutralise_formula`` so export → import changes nothing."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(_ESCAPED_STARTS):
        return text[1:]
    return text


# Control characters other than tab and line breaks: junk in a cell, and PostgreSQL
# refuses NUL in text outright.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def cell_text(value: object, *, multiline: bool = False) -> str:
    """A cell as text: numbers without a spurious ``.0``, spaces (also non-breaking) trimmed."""
    if type(value) is str:
        if len(value) <= SHORT_TEXT:
            return _short_lines(value) if multiline else _short_line(value)
        return _text(value, multiline=multiline)
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return _text(str(value), multiline=multiline)


def _text(value: str, *, multiline: bool) -> str:
    text = _CONTROL.sub("", value.replace("\xa0", " ").replace("\r\n", "\n"))
    text = text.strip() if multiline else clean_spaces(text)
    return restore_formula_text(text)


# One argument each, so that the cache looks a text up by itself (its fastest path).
@lru_cache(maxsize=100_000)
def _short_line(value: str) -> str:
    return _text(value, multiline=False)


@lru_cache(maxsize=100_000)
def _short_lines(value: str) -> str:
    return _text(value, multiline=True)


# The escaping rule of list cells (fields, signatories; documented in the sheet's help):
# inside an item, ``;``, brackets ``( ) [ ]`` and the backslash itself are written with a
# backslash before them (``Lê Văn Bình \(Bình Lê\)``), so that a name or a position
# holding them comes back as written. A backslash before any other character is kept.
_SPECIAL = "\\;()[]"
_ESCAPED = re.compile(r"\\([\\;()\[\]])")
_UNESCAPED = re.compile(r"([\\;()\[\]])")
# While a cell is split and parsed, escaped characters stand in the private use area.
_HIDDEN_BASE = 0xE000
_UNHIDE = str.maketrans({chr(_HIDDEN_BASE + i): c for i, c in enumerate(_SPECIAL)})


def escape_item(text: str) -> str:
    """An item of a list cell with its special characters escaped."""
    return _UNESCAPED.sub(r"\\\1", text)


def _hide_escaped(text: str) -> str:
    return _ESCAPED.sub(lambda m: chr(_HIDDEN_BASE + _SPECIAL.index(m.group(1))), text)


def unhide(text: str) -> str:
    """An item as written, its escaped characters back in place."""
    return text.translate(_UNHIDE)


def split_hidden(value: object) -> list[str]:
    """The items of a list cell, split on unescaped ``;``, escaped characters still hidden."""
    return [
        part for part in (cell_text(p) for p in _hide_escaped(cell_text(value)).split(";")) if part
    ]


def split_list(value: object) -> list[str]:
    return [unhide(part) for part in split_hidden(value)]


class CellCache:
    """Same cell text → same parsed value, or the same error: a column's cells are parsed
    once per distinct value in an import (a 10,000-row sheet names a few dozen kinds,
    statuses, dates and cities, each thousands of times).

    ``parse`` must depend only on the cell (and on what stays fixed during the import: the
    user's choices, the language); it raises ``ValueError`` for a cell it refuses, whose
    message is raised again, as a new ``ValueError``, for every other cell like it. Values
    that cannot be hashed are parsed every time. Give immutable results (tuples).
    """

    def __init__(self) -> None:
        # column → {cell: (True, value) or (False, the error's message)}; a text cell is
        # its own key, any other (type, value): 1, 1.0 and True are different cells, and
        # no text equals a tuple.
        self._columns: dict[str, dict[object, tuple[bool, Any]]] = {}

    def get[T](self, column: str, value: object, parse: Callable[[Any], T]) -> T:
        cache = self._columns.get(column)
        if cache is None:
            cache = self._columns[column] = {}
        key = value if type(value) is str else (type(value), value)
        try:
            found = cache.get(key)
        except TypeError:  # unhashable: not cached
            return parse(value)
        if found is None:
            try:
                found = (True, parse(value))
            except ValueError as error:
                found = (False, str(error))
            cache[key] = found
        if found[0]:
            return found[1]  # type: ignore[return-value]  # what parse gave (no cast call: hot)
        raise ValueError(found[1])
