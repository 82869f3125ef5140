"""Bounded spreadsheet readers: .xlsx, .xls, .ods and .csv as rows of typed cells.

``read_rows(file_name, data)`` streams the first sheet of an uploaded file as
:class:`Row` objects (only rows holding a value, each with its number in the file),
refusing with a :class:`SheetError` (a :class:`SheetLimitError` naming the limit and
the row) as soon as the file crosses one of the :class:`ReadLimits`. Within the
default limits any file is read in bounded memory (bench/reader_memory.py: under
300 MB peak RSS for each format) and time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import PurePath

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .archive import check_zip
from .cells import Cell, CellKind, CellValue, Row, date_order
from .delimited import read_csv
from .limits import DEFAULT_LIMITS, ReadLimits, SheetError, SheetLimitError
from .ods import read_ods
from .xls import read_xls
from .xlsx import read_xlsx

__all__ = [
    "DEFAULT_LIMITS",
    "FORMATS",
    "MAX_FILE_SIZE",
    "READERS",
    "Cell",
    "CellKind",
    "CellValue",
    "ReadLimits",
    "Row",
    "SheetError",
    "SheetLimitError",
    "check_zip",
    "date_order",
    "extension_of",
    "read_rows",
]

MAX_FILE_SIZE = 10 * 1024 * 1024

FORMATS = {
    ".xlsx": _("Excel workbook (.xlsx)"),
    ".xls": _("Excel 97–2003 workbook (.xls)"),
    ".ods": _("OpenDocument spreadsheet (.ods)"),
    ".csv": _("CSV, UTF-8 (.csv)"),
}

READERS: dict[str, Callable[[bytes, ReadLimits], Iterator[Row]]] = {
    ".xlsx": read_xlsx,
    ".xls": read_xls,
    ".ods": read_ods,
    ".csv": read_csv,
}


def extension_of(file_name: str) -> str:
    return PurePath(file_name or "").suffix.lower()


def read_rows(file_name: str, data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> Iterator[Row]:
    """The rows of the first sheet of ``data``, read by the reader its extension names."""
    extension = extension_of(file_name)
    if extension not in READERS:
        raise SheetError(
            gettext("“%(name)s” is not a spreadsheet this office can import: use %(formats)s.")
            % {"name": file_name, "formats": ", ".join(FORMATS)}
        )
    if len(data) > MAX_FILE_SIZE:
        raise SheetError(
            gettext("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_SIZE // (1024 * 1024)}
        )
    return READERS[extension](data, limits)
