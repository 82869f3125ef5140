"""Running a spreadsheet import: reading the file safely, the dry run, the real run, the log.

The files come from staff machines and are not trusted. They are read by the bounded
readers of ``sheets.reading`` (size, zip bombs, XML tricks, and limits on cells, rows
and time enforced while streaming: see SECURITY.md, "Uploaded spreadsheets"); here:

* rows: at most ``MAX_ROWS`` rows of data under the header; blank rows are skipped
  but keep their numbers, and rows after a long blank run are read like any other;
* .csv must be UTF-8 (with or without BOM): anything else is refused with a clear
  message instead of being shown as mojibake.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tablib
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.bulk_writes import announce_bulk_write
from common.gcpause import fewer_gc_passes
from common.text import fold
from sheets.exporting import check_cell_limits
from sheets.reading import (
    DEFAULT_LIMITS,
    FORMATS,
    MAX_FILE_SIZE,
    ReadLimits,
    SheetError,
    extension_of,
    read_rows,
)
from sheets.reading import Row as FileRow

from .dates import (
    AS_STORED,
    SWAPPED,
    Ambiguity,
    AmbiguousDatesError,
    DateColumn,
    ambiguities,
    swapped,
)
from .headers import find_header, header_index
from .models import ImportLog
from .registry import resource_for

__all__ = ["FORMATS", "MAX_FILE_SIZE", "SheetError", "extension_of"]

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase
    from import_export.results import Result

    from common.sheetkit.resource import SheetResource
    from common.sheetkit.writer import Editor

MAX_ROWS = 50_000
# A file read inside a web request (one the size estimate keeps out of the background,
# sheets/import_jobs.py) gets seconds of work, not the worker's minute: a small file
# that describes millions of empty cells is refused before it holds the request long.
REQUEST_LIMITS = ReadLimits(max_seconds=3.0)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(" \t\r\n\xa0"))


@dataclass(frozen=True)
class ImportOptions:
    """How to read a sheet, beyond what it says itself (the CLI's options, the web's choices).

    ``mapping``: column → header the user chose for it; ``ignore``: headers to leave out;
    ``date_cells``: how to read the date cells of every ambiguous column (sheets/dates.py),
    ``date_readings``: of one column (column name or header as written → reading), first;
    ``blank``: "keep" (a blank cell keeps the stored value) or "clear".
    """

    header_row: int | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)
    ignore: tuple[str, ...] = ()
    date_cells: str = ""
    date_readings: Mapping[str, str] = field(default_factory=dict)
    blank: str = "keep"
    home_city: str = ""
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    create_cities: bool = False  # every city found nowhere may be created
    new_cities: tuple[str, ...] = ()  # the cities found nowhere that may be created

    def as_data(self) -> dict[str, Any]:
        """For the session and a job's parameters (JSON)."""
        data = asdict(self)
        data["mapping"], data["ignore"] = dict(self.mapping), list(self.ignore)
        data["new_cities"] = list(self.new_cities)
        data["values"] = {column: dict(chosen) for column, chosen in self.values.items()}
        data["date_readings"] = dict(self.date_readings)
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | None) -> ImportOptions:
        data = dict(data or {})
        data["mapping"] = dict(data.get("mapping") or {})
        data["ignore"] = tuple(data.get("ignore") or ())
        data["new_cities"] = tuple(data.get("new_cities") or ())
        data["values"] = {c: dict(v) for c, v in (data.get("values") or {}).items()}
        data["date_readings"] = dict(data.get("date_readings") or {})
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Sheet:
    dataset: tablib.Dataset
    row_numbers: list[int]  # spreadsheet row of each dataset row
    headers: dict[str, str]  # column → header as written in the file
    ignored: list[str] = field(default_factory=list)
    header_row: int = 1
    absent: list[str] = field(default_factory=list)  # optional columns the sheet lacks


def read_sheet(  # noqa: PLR0913 — keyword-only: the sheet's columns and the user's choices
    file_name: str,
    data: bytes,
    *,
    columns: Sequence[str],
    aliases: Mapping[str, Sequence[str]],
    missing: Callable[[Collection[str]], list[str]] | None = None,
    date_columns: Sequence[str] = (),
    options: ImportOptions | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Sheet:
    """Read the first sheet into a Dataset with the English column names.

    Raises ``SheetError`` for a file that cannot be read, ``AmbiguousDatesError`` when
    date cells may be month-first and ``options.date_cells`` does not say how to read them.
    """
    options = options or ImportOptions()
    rows = read_rows(file_name, data, limits)
    index = header_index(columns, aliases, options.mapping)
    header, rows = find_header(
        rows, index, columns=columns, header_row=options.header_row, ignore=options.ignore
    )
    lacking = (
        missing(header.positions) if missing else [c for c in columns if c not in header.positions]
    )
    if lacking:
        raise SheetError(
            gettext("The header row (row %(row)d) lacks the columns: %(missing)s.")
            % {"row": header.number, "missing": ", ".join(lacking)}
        )
    dates = {c: DateColumn() for c in date_columns if c in header.positions}
    readings = _date_readings(options, date_columns, header.headers)
    dataset, numbers = _data_rows(rows, columns, header.positions, dates)
    undecided = [
        a for a in ambiguities(dates, header.headers) if readings[a.key] not in (AS_STORED, SWAPPED)
    ]
    if undecided:
        raise AmbiguousDatesError(undecided)
    _swap_date_cells(
        dataset, columns, {c: cells for c, cells in dates.items() if readings[c] == SWAPPED}
    )
    absent = [c for c in columns if c not in header.positions]
    return Sheet(dataset, numbers, header.headers, header.ignored, header.number, absent)


def _date_readings(
    options: ImportOptions, date_columns: Sequence[str], headers: Mapping[str, str]
) -> dict[str, str]:
    """How to read each date column's cells if it is ambiguous ('' when not said): the
    reading chosen for the column (by its name or its header as written), else the one
    for every column. A reading for a column that is no date column of the sheet is refused."""
    readings = dict.fromkeys(date_columns, options.date_cells)
    by_header = {fold(headers.get(c, c)): c for c in date_columns}
    for key, reading in options.date_readings.items():
        column = key if key in readings else by_header.get(fold(key))
        if column is None:
            raise SheetError(
                gettext("“%(column)s” is not a date column of this sheet (%(columns)s).")
                % {"column": key, "columns": ", ".join(date_columns)}
            )
        readings[column] = reading
    return readings


def _data_rows(
    rows: Iterator[FileRow],
    columns: Sequence[str],
    positions: Mapping[str, int],
    dates: Mapping[str, DateColumn],
) -> tuple[tablib.Dataset, list[int]]:
    """The data rows after the header, with their spreadsheet row numbers."""
    dataset = tablib.Dataset(headers=list(columns))
    numbers: list[int] = []
    where = [positions.get(c, -1) for c in columns]
    date_positions = [(positions[c], column) for c, column in dates.items()]
    count = 0  # rows in the dataset
    for row in rows:
        values = row.values()
        if all(_blank(v) for v in values):
            continue
        if count >= MAX_ROWS:
            raise SheetError(
                gettext("The sheet has more than %(max)s rows: split it into several files.")
                % {"max": f"{MAX_ROWS:,}"}
            )
        width = len(values)
        dataset.append([values[p] if 0 <= p < width else None for p in where])
        count += 1
        numbers.append(row.number)
        for position, column in date_positions:
            if position < width:
                column.add(count, row.number, row.cells[position])
    if not numbers:
        raise SheetError(gettext("The sheet has a header row but no data."))
    return dataset, numbers


def _swap_date_cells(
    dataset: tablib.Dataset, columns: Sequence[str], dates: Mapping[str, DateColumn]
) -> None:
    """Day and month exchanged in the date cells of the ambiguous columns, as asked."""
    for column, cells in dates.items():
        if not cells.ambiguous:
            continue
        position = columns.index(column)
        for index, _number, cell in cells.date_cells:
            row = list(dataset[index - 1])
            day = swapped(cell.value)
            # A date cell that cannot be swapped (day over 12) is refused on its row.
            row[position] = day or f"{cell.value:%d/%m/%Y} ⇄ ?"
            dataset[index - 1] = row


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
    header_row: int = 0  # 0: the header was not found
    columns: list[tuple[str, str]] = field(default_factory=list)  # (header, column) used
    absent_columns: list[str] = field(default_factory=list)  # left untouched
    ambiguous_dates: list[Ambiguity] = field(default_factory=list)
    # (column, value as written) of choice cells matching no choice, to be mapped once
    unknown_values: list[tuple[str, str]] = field(default_factory=list)
    # What a real import wrote (``SheetResource.written``), kept on its log for a revert.
    written: dict[str, list[list[Any]]] = field(default_factory=dict)
    # cities found nowhere (as written), with their "did you mean"
    unknown_cities: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def ambiguous_columns(self) -> list[tuple[str, str]]:
        """(column, header as written) of each column whose date cells are ambiguous."""
        return list(dict.fromkeys((a.key, a.column) for a in self.ambiguous_dates))

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


def _report(resource: SheetResource[Any], sheet: Sheet, result: Result) -> list[RowReport]:
    headers = sheet.headers
    reports = []
    for index, (row_result, values, number) in enumerate(
        zip(result.rows, sheet.dataset, sheet.row_numbers, strict=False), 1
    ):
        key = resource.row_key(values)
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


def run_import(  # noqa: PLR0913 — keyword-only: what to read, as whom, how, told how far
    *,
    sheet: str,
    file_name: str,
    data: bytes,
    user: Editor = None,
    dry_run: bool = True,
    progress: Callable[[int, int], None] | None = None,
    options: ImportOptions | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> ImportOutcome:
    """Dry run (nothing kept) or real import (all rows or none), logged when real.

    ``progress(rows done, rows in the sheet)`` is called now and then while the rows are
    checked (a background import's progress bar, sheets/import_jobs.py). ``limits``: what
    the file may hold (a web request passes ``REQUEST_LIMITS``).
    """
    options = options or ImportOptions()
    outcome = ImportOutcome(file_name=file_name, dry_run=dry_run)
    resource_class = resource_for(sheet)
    # Reading the file, checking the rows and reporting them all allocate many
    # short-lived objects: the collector runs less often for the whole of it.
    with fewer_gc_passes():
        _read_and_import(
            outcome,
            resource_class,
            data,
            user=user,
            progress=progress,
            options=options,
            limits=limits,
        )
    if not dry_run:
        outcome.log = _log(sheet, outcome, user, len(data))
    return outcome


def _read_and_import(  # noqa: PLR0913 — keyword-only: what run_import was given
    outcome: ImportOutcome,
    resource_class: type[SheetResource[Any]],
    data: bytes,
    *,
    user: Editor,
    progress: Callable[[int, int], None] | None,
    options: ImportOptions,
    limits: ReadLimits,
) -> None:
    """``run_import``'s work between the file and the log: read, check, write, report."""
    file_name, dry_run = outcome.file_name, outcome.dry_run
    try:
        read = read_sheet(
            file_name,
            data,
            columns=resource_class.COLUMNS,
            aliases=resource_class.HEADER_ALIASES,
            missing=resource_class.missing_columns,
            date_columns=resource_class.DATE_COLUMNS,
            options=options,
            limits=limits,
        )
    except AmbiguousDatesError as error:
        outcome.errors.append(str(error))
        outcome.ambiguous_dates = error.found
    except SheetError as error:
        outcome.errors.append(str(error))
    else:
        _describe(outcome, read)
        resource = resource_class(user=user, progress=progress, options=options, absent=read.absent)
        with transaction.atomic():
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
                outcome.written = resource.written
        outcome.rows = _report(resource, read, result)
        outcome.unknown_cities = sorted(resource.lookups.unknown_cities.items())
        outcome.unknown_values = sorted(
            (column, value)
            for column, values in resource.unknown_values.items()
            for value in values
        )
        outcome.errors += [str(e.error) for e in result.base_errors]


def _describe(outcome: ImportOutcome, read: Sheet) -> None:
    """What the preview says of the sheet as a whole: header row, columns used and not."""
    outcome.ignored_columns = read.ignored
    outcome.header_row = read.header_row
    outcome.columns = [(header, column) for column, header in read.headers.items()]
    outcome.absent_columns = read.absent


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
            changes=outcome.written if outcome.ok else {},
        )


# -- export -------------------------------------------------------------------------------

EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "ods"),
}


def export_bytes(dataset: tablib.Dataset, fmt: str) -> bytes:
    """The sheet as a file. CSV gets a BOM so Excel opens the Vietnamese text as UTF-8.

    Raises ``ExportRefusedError`` rather than cut a value longer than the format's cells
    hold (.xlsx: 32,767 characters).
    """
    check_cell_limits(dataset, fmt)
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
    options: ImportOptions = field(default_factory=ImportOptions)


def _stash_dir() -> Path:
    from django.conf import settings

    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stash_upload(
    session: SessionBase,
    sheet: str,
    name: str,
    data: bytes,
    options: ImportOptions | None = None,
) -> str:
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
    pending[token] = {
        "sheet": sheet,
        "name": name,
        "options": (options or ImportOptions()).as_data(),
    }
    session[STASH_SESSION_KEY] = pending
    return token


def stashed_upload(session: SessionBase, token: str, sheet: str) -> Stashed | None:
    entry = session.get(STASH_SESSION_KEY, {}).get(token)
    if not entry or entry.get("sheet") != sheet:
        return None
    path = _stash_dir() / f"{token}.upload"
    if not path.is_file():
        return None
    return Stashed(entry["name"], path.read_bytes(), ImportOptions.from_data(entry.get("options")))


def restash_options(session: SessionBase, token: str, options: ImportOptions) -> None:
    """How the upload of ``token`` is to be read, as chosen in its preview."""
    pending = dict(session.get(STASH_SESSION_KEY, {}))
    if token in pending:
        pending[token] = {**pending[token], "options": options.as_data()}
        session[STASH_SESSION_KEY] = pending


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
