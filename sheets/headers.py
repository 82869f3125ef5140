"""Where the header row is, and which column each header names (issue 12, points 2 and 3).

Office sheets often start with a title ("DANH MỤC THỎA THUẬN…") and a blank row: the
header is the first of the first ``HEADER_SEARCH_ROWS`` rows that names at least
``ENOUGH_KNOWN`` known columns (fewer when the sheet has fewer columns); the rows above
it are ignored. A header names a column by its English name, by one of the sheet's
aliases (its Vietnamese names and their variants), or by a mapping the user gave;
case, accents, spaces, ``_``, ``-`` and ``.`` do not count ("Số hiệu", "SO HIEU",
"so_hieu" are one header).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain

from django.utils.translation import gettext

from common.text import fold
from sheets.reading import Row, SheetError

HEADER_SEARCH_ROWS = 20
ENOUGH_KNOWN = 3

_SEPARATORS = re.compile(r"[\s_\-.:/*]+")


def header_key(text: object) -> str:
    """The form headers are compared in: folded, separators as single spaces."""
    return _SEPARATORS.sub(" ", fold(str(text))).strip()


def header_index(
    columns: Sequence[str],
    aliases: Mapping[str, Sequence[str]],
    mapping: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Header key → column: the English names, the aliases, then the user's mapping."""
    index: dict[str, str] = {}
    for column in columns:
        index[header_key(column)] = column
        for alias in aliases.get(column, ()):
            index[header_key(alias)] = column
    for column, header in (mapping or {}).items():
        index[header_key(header)] = column
    return index


@dataclass
class HeaderRow:
    """The header found: its row number, where each column is, what was not recognised."""

    number: int
    positions: dict[str, int] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # column → header as written
    ignored: list[str] = field(default_factory=list)  # headers matching no column


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(" \t\r\n\xa0"))


def read_header(row: Row, index: Mapping[str, str], ignore: Sequence[str] = ()) -> HeaderRow:
    """What ``row`` says as a header row (``ignore``: headers the user chose to leave out)."""
    found = HeaderRow(number=row.number)
    skipped = {header_key(name) for name in ignore}
    for position, value in enumerate(row.values()):
        if _blank(value):
            continue
        name = str(value).strip()
        key = header_key(name)
        column = None if key in skipped else index.get(key)
        if column is None:
            found.ignored.append(name)
            continue
        if column in found.positions:
            raise SheetError(
                gettext("The column “%(name)s” appears twice in the header row.") % {"name": name}
            )
        found.positions[column], found.headers[column] = position, name
    return found


def find_header(
    rows: Iterator[Row],
    index: Mapping[str, str],
    *,
    columns: Sequence[str],
    header_row: int | None = None,
    ignore: Sequence[str] = (),
) -> tuple[HeaderRow, Iterator[Row]]:
    """The header row, and the rows after it (the data).

    ``header_row`` (a row number, from 1) takes that row as the header whatever it holds.
    """
    if header_row is not None:
        for row in rows:
            if row.number == header_row:
                return read_header(row, index, ignore), rows
            if row.number > header_row:
                break
        raise SheetError(
            gettext("Row %(row)d is empty: it cannot be the header.") % {"row": header_row}
        )
    enough = min(ENOUGH_KNOWN, len(columns))
    read: list[tuple[Row, HeaderRow]] = []
    for row in rows:
        found = read_header(row, index, ignore)
        if len(found.positions) >= enough:
            return found, rows
        read.append((row, found))
        if row.number >= HEADER_SEARCH_ROWS:
            break
    # A sheet of fewer columns: the row naming the most of them (the first of equals).
    best = max(range(len(read)), key=lambda i: len(read[i][1].positions), default=None)
    if best is not None and read[best][1].positions:
        return read[best][1], chain((row for row, _found in read[best + 1 :]), rows)
    raise SheetError(
        gettext(
            "None of the first %(rows)d rows holds the column names (at least %(enough)d of: "
            "%(columns)s). Give the header's row number if it is further down."
        )
        % {"rows": HEADER_SEARCH_ROWS, "enough": enough, "columns": ", ".join(columns)}
    )
