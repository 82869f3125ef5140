"""Running a spreadsheet import: reading the file safely, the dry run, the real run, the log.

The files come from staff machines and are not trusted:

* size: at most ``MAX_FILE_SIZE`` bytes (the upload form checks it before anything else);
* .xlsx and .ods are ZIP archives: their declared uncompressed sizes and compression
  ratios are checked *before* a single XML byte is parsed, so a zip bomb is refused
  without being inflated; the XML is parsed with defusedxml (openpyxl uses it when it
  is installed, the .ods reader below calls it directly), streaming, row by row;
* rows: at most ``MAX_ROWS``; a run of ``MAX_TRAILING_EMPTY_ROWS`` empty rows ends the
  sheet, so a LibreOffice sheet "formatted" down to row 1,048,576 is read in a moment;
* .csv must be UTF-8 (with or without BOM): anything else is refused with a clear
  message instead of being shown as mojibake.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import IO, TYPE_CHECKING, Any
from xml.etree.ElementTree import Element

import tablib
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.bulk_writes import announce_bulk_write
from common.text import fold

from .models import ImportLog

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase
    from import_export.results import Result

    from .resources import Editor, SheetResource

MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 60
MAX_TRAILING_EMPTY_ROWS = 1000
MAX_UNCOMPRESSED = 100 * 1024 * 1024  # all members together
# Plain XML rarely compresses beyond 1:100 (a LibreOffice sheet formatted down to the last
# row reaches a few hundred); a zip bomb does thousands.
MAX_RATIO = 1000  # uncompressed / compressed, for members bigger than 1 MB

FORMATS = {
    ".xlsx": _("Excel workbook (.xlsx)"),
    ".xls": _("Excel 97–2003 workbook (.xls)"),
    ".ods": _("OpenDocument spreadsheet (.ods)"),
    ".csv": _("CSV, UTF-8 (.csv)"),
}


class SheetError(Exception):
    """The file as a whole cannot be imported; the message is for the user."""


# -- reading ------------------------------------------------------------------------------


def check_zip(data: bytes) -> zipfile.ZipFile:
    """Open an .xlsx/.ods archive after checking what it claims to inflate to."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise SheetError(gettext("The file is damaged or is not a spreadsheet.")) from error
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise SheetError(
                gettext("The file is refused: it expands to far more than its size (a “zip bomb”).")
            )
    if total > MAX_UNCOMPRESSED:
        raise SheetError(
            gettext("The file is refused: its contents are larger than %(mb)d MB once unpacked.")
            % {"mb": MAX_UNCOMPRESSED // (1024 * 1024)}
        )
    return archive


Row = Sequence[object]
RowReader = Callable[[bytes], Iterator[Row]]
IterParse = Callable[..., Iterator[tuple[str, Element]]]


def _rows_xlsx(data: bytes) -> Iterator[Row]:
    check_zip(data).close()
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for damaged files
        raise SheetError(gettext("The file is damaged or is not an .xlsx workbook.")) from error
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            yield list(row)
    finally:
        book.close()


def _rows_xls(data: bytes) -> Iterator[Row]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
        sheet = book.sheet_by_index(0)
    except Exception as error:
        raise SheetError(gettext("The file is damaged or is not an .xls workbook.")) from error
    for r in range(sheet.nrows):
        values: list[object] = []
        for c in range(min(sheet.ncols, MAX_COLUMNS)):
            cell = sheet.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_DATE:
                try:
                    values.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                    values.append(cell.value)
            elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                values.append(None)
            else:
                values.append(cell.value)
        yield values


_ODS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}


def _q(ns: str, name: str) -> str:
    return f"{{{_ODS[ns]}}}{name}"


def _ods_cell_value(cell: Element, paragraphs: list[str]) -> object:
    kind = cell.get(_q("office", "value-type"))
    if kind == "date":
        raw = cell.get(_q("office", "date-value"), "")
        try:
            return dt.datetime.fromisoformat(raw) if "T" in raw else dt.date.fromisoformat(raw)
        except ValueError:
            return raw
    if kind in ("float", "percentage", "currency"):
        raw = cell.get(_q("office", "value"), "")
        try:
            number = float(raw)
        except ValueError:
            return raw
        return int(number) if number.is_integer() else number
    if kind == "boolean":
        return cell.get(_q("office", "boolean-value")) == "true"
    text = "\n".join(paragraphs)
    return text or None


def _paragraph_text(p: Element) -> str:
    """Text of a <text:p>, with <text:s/> spaces, tabs and line breaks."""
    parts = [p.text or ""]
    for child in p.iter():
        if child is p:
            continue
        if child.tag == _q("text", "s"):
            parts.append(" " * int(child.get(_q("text", "c"), "1")))
        elif child.tag == _q("text", "tab"):
            parts.append("\t")
        elif child.tag == _q("text", "line-break"):
            parts.append("\n")
        elif child.text:
            parts.append(child.text)
        if child.tail:
            parts.append(child.tail)
    return "".join(parts)


def _rows_ods(data: bytes) -> Iterator[Row]:
    """Stream the first table of an .ods, expanding repeated cells only where they hold data."""
    from defusedxml.ElementTree import iterparse

    with check_zip(data) as archive:
        try:
            stream = archive.open("content.xml")
        except KeyError as error:
            raise SheetError(
                gettext("The file is damaged or is not an .ods spreadsheet.")
            ) from error
        with stream:
            yield from _ods_table_rows(stream, iterparse)


def _ods_table_rows(stream: IO[bytes], iterparse: IterParse) -> Iterator[Row]:
    try:
        yield from _ods_first_table(stream, iterparse)
    except SheetError:
        raise
    except Exception as error:  # defusedxml refusals and broken XML alike
        raise SheetError(gettext("The file is damaged or is not an .ods spreadsheet.")) from error


_ODS_TABLE = _q("table", "table")
_ODS_ROW = _q("table", "table-row")
_ODS_CELLS = (_q("table", "table-cell"), _q("table", "covered-table-cell"))
_ODS_PARAGRAPH = _q("text", "p")


def _ods_first_table(stream: IO[bytes], iterparse: IterParse) -> Iterator[Row]:
    in_table = False
    row: list[object] | None = None
    paragraphs: list[str] = []
    for event, element in iterparse(stream, events=("start", "end")):
        tag = element.tag
        if tag == _ODS_TABLE:
            if event == "end":
                return  # only the first sheet
            in_table = True
        elif not in_table:
            continue
        elif tag == _ODS_ROW:
            if event == "start":
                row, paragraphs = [], []
            else:
                yield from _ods_row_end(row or [], element)
                row = None
        elif tag in _ODS_CELLS:
            if event == "start":
                paragraphs = []
            else:
                _ods_cell_end(row, element, paragraphs)
        elif tag == _ODS_PARAGRAPH and event == "end":
            paragraphs.append(_paragraph_text(element))


def _ods_row_end(row: list[object], element: Element) -> Iterator[Row]:
    """The finished row, as many times as it is repeated (bounded)."""
    repeat = int(element.get(_q("table", "number-rows-repeated"), "1"))
    while row and row[-1] is None:
        row.pop()
    if row:
        for _ in range(min(repeat, MAX_ROWS + 1)):
            yield list(row)
    else:
        # Empty rows, however many are declared, cost nothing.
        for _ in range(min(repeat, MAX_TRAILING_EMPTY_ROWS + 1)):
            yield []
    element.clear()


def _ods_cell_end(row: list[object] | None, element: Element, paragraphs: list[str]) -> None:
    """Add the finished cell to the row, repeated as declared but never past MAX_COLUMNS."""
    if row is None:
        return  # a cell outside any row: ignored
    value = _ods_cell_value(element, paragraphs)
    repeat = int(element.get(_q("table", "number-columns-repeated"), "1"))
    room = MAX_COLUMNS - len(row)
    if room > 0:
        row.extend([value] * min(repeat, room))
    element.clear()


def _rows_csv(data: bytes) -> Iterator[Row]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SheetError(
            gettext(
                "The .csv file is not in UTF-8. In Excel choose “Save as” → “CSV UTF-8 "
                "(Comma delimited)”, in LibreOffice choose the character set “Unicode (UTF-8)”."
            )
        ) from error
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as error:
        raise SheetError(
            gettext("The .csv file is malformed: %(error)s") % {"error": error}
        ) from error


READERS: dict[str, RowReader] = {
    ".xlsx": _rows_xlsx,
    ".xls": _rows_xls,
    ".ods": _rows_ods,
    ".csv": _rows_csv,
}


def extension_of(file_name: str) -> str:
    return PurePath(file_name or "").suffix.lower()


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(" \t\r\n\xa0"))


@dataclass
class Sheet:
    dataset: tablib.Dataset
    row_numbers: list[int]  # spreadsheet row of each dataset row (the header is row 1)
    headers: dict[str, str]  # column → header as written in the file
    ignored: list[str] = field(default_factory=list)


def header_index(columns: Sequence[str], aliases: Mapping[str, Sequence[str]]) -> dict[str, str]:
    index = {}
    for column in columns:
        index[fold(column)] = column
        index[fold(column.replace("_", " "))] = column
        for alias in aliases.get(column, ()):
            index[fold(alias)] = column
    return index


def read_sheet(
    file_name: str, data: bytes, *, columns: Sequence[str], aliases: Mapping[str, Sequence[str]]
) -> Sheet:
    """Read the first sheet into a Dataset with the English column names."""
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
    rows = iter(READERS[extension](data))
    header = next(rows, None)
    if not header or all(_blank(v) for v in header):
        raise SheetError(gettext("The first row must hold the column names; it is empty."))
    positions, headers, ignored = _header_positions(header, columns, aliases)
    dataset, numbers = _data_rows(rows, columns, positions)
    return Sheet(dataset, numbers, headers, ignored)


def _header_positions(
    header: Row, columns: Sequence[str], aliases: Mapping[str, Sequence[str]]
) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """Where each column is, its header as written, and the headers that match no column."""
    index = header_index(columns, aliases)
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored = []
    for position, value in enumerate(header):
        if _blank(value):
            continue
        name = str(value).strip()
        column = index.get(fold(name))
        if column is None:
            ignored.append(name)
            continue
        if column in positions:
            raise SheetError(
                gettext("The column “%(name)s” appears twice in the header row.") % {"name": name}
            )
        positions[column], headers[column] = position, name
    missing = [c for c in columns if c not in positions]
    if missing:
        raise SheetError(
            gettext("The header row lacks the columns: %(missing)s.")
            % {"missing": ", ".join(missing)}
        )
    return positions, headers, ignored


def _data_rows(
    rows: Iterator[Row], columns: Sequence[str], positions: Mapping[str, int]
) -> tuple[tablib.Dataset, list[int]]:
    """The data rows after the header, with their spreadsheet row numbers."""
    dataset = tablib.Dataset(headers=list(columns))
    numbers: list[int] = []
    empty_run = 0
    for number, values in enumerate(rows, 2):
        if all(_blank(v) for v in values):
            empty_run += 1
            if empty_run > MAX_TRAILING_EMPTY_ROWS:
                break
            continue
        empty_run = 0
        if len(dataset) >= MAX_ROWS:
            raise SheetError(
                gettext("The sheet has more than %(max)s rows: split it into several files.")
                % {"max": f"{MAX_ROWS:,}"}
            )
        dataset.append(
            [values[positions[c]] if positions[c] < len(values) else None for c in columns]
        )
        numbers.append(number)
    if not numbers:
        raise SheetError(gettext("The sheet has a header row but no data."))
    return dataset, numbers


# -- running ------------------------------------------------------------------------------


@dataclass
class RowReport:
    number: int
    status: str  # new / updated / unchanged / error
    key: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    STATUS_LABELS = {
        "new": _("new"),
        "updated": _("updated"),
        "unchanged": _("unchanged"),
        "error": _("error"),
    }

    @property
    def status_label(self) -> str:
        return str(self.STATUS_LABELS[self.status])


@dataclass
class ImportOutcome:
    file_name: str
    dry_run: bool
    rows: list[RowReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # about the file or the whole import
    ignored_columns: list[str] = field(default_factory=list)
    log: ImportLog | None = None

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def new(self) -> int:
        return self.count("new")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def with_errors(self) -> int:
        return self.count("error")

    @property
    def ok(self) -> bool:
        return not self.errors and not self.with_errors

    @property
    def error_rows(self) -> list[RowReport]:
        return [r for r in self.rows if r.status == "error"]

    def summary(self) -> str:
        return gettext(
            "%(new)d new, %(updated)d updated, %(unchanged)d unchanged, %(errors)d with errors"
        ) % {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.with_errors,
        }


# The resource class that reads each kind of sheet, by dotted path (imported when first
# used): each app registers its own sheets from its AppConfig.ready, so that this module
# needs no app above agreements (visits and action items are the delegations app's).
_SHEET_RESOURCES: dict[str, str] = {}


def register_sheet(sheet: str, resource_path: str) -> None:
    """Let ``run_import(sheet=…)`` read ``sheet`` with the resource class at ``resource_path``."""
    _SHEET_RESOURCES[sheet] = resource_path


def resource_for(sheet: str) -> type[SheetResource[Any]]:
    return import_string(_SHEET_RESOURCES[sheet])


def _report(resource: SheetResource[Any], sheet: Sheet, result: Result) -> list[RowReport]:
    headers = sheet.headers
    reports = []
    for index, row_result in enumerate(result.rows, 1):
        number = sheet.row_numbers[index - 1]
        key = resource.row_key(sheet.dataset[index - 1])
        extra = resource.reports.get(index, {})
        report = RowReport(number=number, status="", key=key, notes=list(extra.get("notes", [])))
        if row_result.validation_error is not None:
            report.status = "error"
            for column, messages in row_result.validation_error.message_dict.items():
                label = headers.get(column, column) if column else ""
                for message in messages:
                    report.errors.append((label, message))
        elif row_result.errors:
            report.status = "error"
            report.errors = [("", str(e.error)) for e in row_result.errors]
        elif row_result.import_type == row_result.IMPORT_TYPE_NEW:
            report.status = "new"
        elif row_result.import_type == row_result.IMPORT_TYPE_UPDATE:
            report.status = "updated"
            report.changes = [
                (headers.get(c, c), old, new) for c, old, new in extra.get("changes", [])
            ]
        else:
            report.status = "unchanged"
        reports.append(report)
    return reports


# Any number since it names the lock; the same for every sheet, because an agreement and a
# visit sheet may both create the same new city or partnership.
IMPORT_LOCK = 5_005_005


def _one_import_at_a_time() -> None:
    """Real imports wait for each other (until the end of the transaction).

    Two editors confirming the same sheet at the same moment would otherwise both
    create the same records; the second now waits, then finds them stored and reports
    its rows unchanged.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])


@dataclass
class _GcPause:
    """The imports under way in this process, and the thresholds to restore after the last."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    users: int = 0
    saved: tuple[int, int, int] = field(default_factory=gc.get_threshold)


_gc_pause = _GcPause()


@contextmanager
def fewer_gc_passes(threshold: int = 20_000) -> Iterator[None]:
    """Let the cyclic garbage collector run less often while a sheet is read.

    An import allocates a few hundred thousand short-lived objects (cells, model
    instances, messages); with CPython's default threshold (700) the collector walks
    the young generation thousands of times for nothing, about a fifth of the import's
    CPU time. Memory is unaffected in practice (nothing of the import lives in cycles)
    and the previous thresholds are restored afterwards, even on error.
    """
    pause = _gc_pause
    with pause.lock:  # imports in several threads: the first sets, the last restores
        if pause.users == 0:
            pause.saved = gc.get_threshold()
            gc.set_threshold(max(threshold, pause.saved[0]), *pause.saved[1:])
        pause.users += 1
    try:
        yield
    finally:
        with pause.lock:
            pause.users -= 1
            if pause.users == 0:
                gc.set_threshold(*pause.saved)


def run_import(  # noqa: PLR0913 — keyword-only: what to read, as whom, how, told how far
    *,
    sheet: str,
    file_name: str,
    data: bytes,
    user: Editor = None,
    dry_run: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> ImportOutcome:
    """Dry run (nothing kept) or real import (all rows or none), logged when real.

    ``progress(rows done, rows in the sheet)`` is called now and then while the rows are
    checked (a background import's progress bar, agreements/import_jobs.py).
    """
    outcome = ImportOutcome(file_name=file_name, dry_run=dry_run)
    resource_class = resource_for(sheet)
    try:
        read = read_sheet(
            file_name, data, columns=resource_class.COLUMNS, aliases=resource_class.HEADER_ALIASES
        )
    except SheetError as error:
        outcome.errors.append(str(error))
    else:
        outcome.ignored_columns = read.ignored
        resource = resource_class(user=user, progress=progress)
        with fewer_gc_passes(), transaction.atomic():
            if not dry_run:
                _one_import_at_a_time()
            result = resource.import_data(
                read.dataset,
                dry_run=dry_run,
                use_transactions=True,
                rollback_on_validation_errors=True,
            )
            if not dry_run and not (result.has_errors() or result.has_validation_errors()):
                # The rows were written with COPY (no signals): the change is counted
                # when the import commits (workspace/freshness.py).
                announce_bulk_write()
        outcome.rows = _report(resource, read, result)
        outcome.errors += [str(e.error) for e in result.base_errors]
    if not dry_run:
        outcome.log = _log(sheet, outcome, user, len(data))
    return outcome


def _log(sheet: str, outcome: ImportOutcome, user: Editor, size: int) -> ImportLog:
    message = "\n".join(outcome.errors)
    if not message and outcome.error_rows:
        message = "\n".join(
            f"{r.number}: {column} {text}".strip()
            for r in outcome.error_rows[:50]
            for column, text in r.errors
        )
    message = message.replace("\x00", "")
    with transaction.atomic():
        return ImportLog.objects.create(
            sheet=sheet,
            user=user if user is not None and user.is_authenticated else None,
            file_name=outcome.file_name.replace("\x00", "")[:255],
            file_size=size,
            outcome=ImportLog.Outcome.IMPORTED if outcome.ok else ImportLog.Outcome.REFUSED,
            rows_total=len(outcome.rows),
            rows_new=outcome.new if outcome.ok else 0,
            rows_updated=outcome.updated if outcome.ok else 0,
            rows_unchanged=outcome.unchanged,
            rows_with_errors=outcome.with_errors,
            message=message,
        )


# -- export -------------------------------------------------------------------------------

EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "ods"),
}


def export_bytes(dataset: tablib.Dataset, fmt: str) -> bytes:
    """The sheet as a file. CSV gets a BOM so Excel opens the Vietnamese text as UTF-8."""
    if fmt == "csv":
        return ("\ufeff" + dataset.export("csv")).encode("utf-8")
    if fmt == "xlsx":
        return _xlsx_bytes([("Sheet1", dataset)])
    if fmt == "ods":
        return dataset.export("ods")
    raise ValueError(fmt)


def _xlsx_safe(value: object) -> object:
    """Control characters (other than tab and line breaks) are not allowed in .xlsx cells."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _xlsx_bytes(sheets: Iterable[tuple[str, tablib.Dataset]]) -> bytes:
    """An .xlsx where every value is written as text (never as a formula)."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, dataset in sheets:
        ws = book.create_sheet(title=title[:31])
        ws.append(list(dataset.headers or []))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in dataset:
            ws.append([_xlsx_safe(v) for v in row])
        # openpyxl treats a string beginning with "=" as a formula: store it as text.
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
        for column in ws.columns:
            letter = column[0].column_letter
            width = max((len(str(c.value or "")) for c in column[:200]), default=10)
            ws.column_dimensions[letter].width = min(max(width + 2, 10), 60)
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_bytes(resource_class: type[SheetResource[Any]]) -> bytes:
    """The pre-filled .xlsx template: header, one example row, and the allowed values."""
    import tablib as tb

    main = tb.Dataset(headers=list(resource_class.COLUMNS))
    main.append([resource_class.EXAMPLE.get(c, "") for c in resource_class.COLUMNS])
    allowed = tb.Dataset(headers=[gettext("column"), gettext("value"), gettext("meaning")])
    for column, value, meaning in resource_class.allowed_values():
        allowed.append([column, value, meaning])
    headers = tb.Dataset(headers=[gettext("column"), gettext("Vietnamese header also accepted")])
    for column in resource_class.COLUMNS:
        headers.append([column, "; ".join(resource_class.HEADER_ALIASES.get(column, ()))])
    return _xlsx_bytes(
        [
            (gettext("Sheet"), main),
            (gettext("Allowed values"), allowed),
            (gettext("Column names"), headers),
        ]
    )


# -- the upload between preview and confirm -----------------------------------------------

STASH_SESSION_KEY = "pending_imports"
STASH_MAX_AGE = 24 * 3600


@dataclass
class Stashed:
    name: str
    data: bytes


def _stash_dir() -> Path:
    from django.conf import settings

    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stash_upload(session: SessionBase, sheet: str, name: str, data: bytes) -> str:
    """Keep an uploaded file until the editor confirms; returns the token for the form."""
    import secrets
    import time

    folder = _stash_dir()
    for old in folder.glob("*.upload"):  # forgotten previews
        try:
            if old.stat().st_mtime < time.time() - STASH_MAX_AGE:
                old.unlink()
        except OSError:
            pass
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.upload").write_bytes(data)
    pending = dict(session.get(STASH_SESSION_KEY, {}))
    pending[token] = {"sheet": sheet, "name": name}
    session[STASH_SESSION_KEY] = pending
    return token


def stashed_upload(session: SessionBase, token: str, sheet: str) -> Stashed | None:
    entry = session.get(STASH_SESSION_KEY, {}).get(token)
    if not entry or entry.get("sheet") != sheet:
        return None
    path = _stash_dir() / f"{token}.upload"
    if not path.is_file():
        return None
    return Stashed(entry["name"], path.read_bytes())


def stash_path(token: str) -> Path:
    """Where the upload of ``token`` waits (a background import reads it from there)."""
    return _stash_dir() / f"{token}.upload"


def forget_upload(session: SessionBase, token: str) -> None:
    """Take ``token`` out of the session, leaving its file to the job that imports it."""
    pending = dict(session.get(STASH_SESSION_KEY, {}))
    if pending.pop(token, None) is not None:
        session[STASH_SESSION_KEY] = pending


def discard_upload(session: SessionBase, token: str) -> None:
    pending = dict(session.get(STASH_SESSION_KEY, {}))
    if token in pending:
        pending.pop(token)
        session[STASH_SESSION_KEY] = pending
        (_stash_dir() / f"{token}.upload").unlink(missing_ok=True)
