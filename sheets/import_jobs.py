"""Big spreadsheet imports in the background (jobs/): the preview and the confirmed import.

The import page (sheets/views.py) stashes the upload as for any import and,
when the file is big (``runs_in_background``), starts a job instead of reading it in the
request. The worker runs the same ``importing.run_import`` with a progress callback and
keeps its report on the job, which the job page shows with the same template as the
page itself (``sheets/outcome.html``).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.roles import ADMINISTRATOR
from jobs.kinds import JobKind
from jobs.progress import report_progress
from jobs.running import JobError, JobResult
from jobs.services import start_job
from sheets import importing
from sheets.dates import Ambiguity
from sheets.forms import preview_choices

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from jobs.models import Job

# A report holds what the file says, not yet part of the record: its owner, and the
# administrators, may open it.
PREVIEW = JobKind(
    name="import_preview",
    label=_("Import preview"),
    body="sheets.import_jobs.preview",
    shared_with=(ADMINISTRATOR,),
    outcome_template="sheets/job_outcome.html",
    outcome_context="sheets.import_jobs.outcome_context",
)
IMPORT = JobKind(
    name="import",
    label=_("Import"),
    body="sheets.import_jobs.confirm",
    shared_with=(ADMINISTRATOR,),
    outcome_template="sheets/job_outcome.html",
    outcome_context="sheets.import_jobs.outcome_context",
)


# The fewest bytes a row takes in each compressed format (measured on generated sheets of
# short, repetitive rows: .ods 15, .xlsx 52, .xls 335 bytes a row), so that the estimate
# below errs on the side of the background. The rows of a .csv are counted.
BYTES_PER_ROW = {".ods": 10, ".xlsx": 25, ".xls": 150}


def estimated_rows(file_name: str, data: bytes) -> int:
    """How many rows the file may hold, without reading it as a spreadsheet."""
    extension = importing.extension_of(file_name)
    if extension in BYTES_PER_ROW:
        return len(data) // BYTES_PER_ROW[extension]
    return data.count(b"\n")


def runs_in_background(file_name: str, data: bytes) -> bool:
    """Too big to be read in a web request (more than IMPORT_BACKGROUND_ROWS rows)."""
    return estimated_rows(file_name, data) > settings.IMPORT_BACKGROUND_ROWS


class SheetPage(Protocol):
    """The sheet an import page reads, and the URL names of its buttons."""

    @property
    def sheet(self) -> str: ...

    @property
    def import_url(self) -> str: ...

    @property
    def done_url(self) -> str: ...


def start_import(  # noqa: PLR0913 — keyword-only: who, which page, which upload, how
    *,
    owner: User,
    page: SheetPage,
    token: str,
    file_name: str,
    dry_run: bool,
    options: importing.ImportOptions | None = None,
) -> Job:
    """Queue the preview (``dry_run``) or the import of the upload stashed as ``token``."""
    return start_job(
        kind=(PREVIEW if dry_run else IMPORT).name,
        owner=owner,
        subject=file_name,
        params={
            "sheet": page.sheet,
            "token": token,
            "file_name": file_name,
            "import_url": page.import_url,
            "done_url": page.done_url,
            "options": (options or importing.ImportOptions()).as_data(),
        },
    )


# -- in the worker --------------------------------------------------------------------------


def preview(job: Job) -> JobResult:
    outcome = _run(job, dry_run=True)
    return JobResult(
        report=outcome_data(outcome),
        message=gettext("Preview ready: %(summary)s.") % {"summary": outcome.summary()},
    )


def confirm(job: Job) -> JobResult:
    outcome = _run(job, dry_run=False)
    if not outcome.ok:
        raise JobError(
            gettext("The import was refused: nothing was saved."), report=outcome_data(outcome)
        )
    return JobResult(
        report=outcome_data(outcome),
        message=gettext("Imported “%(name)s”: %(summary)s.")
        % {"name": outcome.file_name, "summary": outcome.summary()},
    )


def _run(job: Job, *, dry_run: bool) -> importing.ImportOutcome:
    params = job.params
    path = importing.stash_path(params["token"])
    try:
        data = path.read_bytes()
    except OSError as error:
        raise JobError(gettext("The uploaded file has expired: upload it again.")) from error
    report_progress(job, 2, gettext("Reading the file"))

    def rows_done(done: int, total: int) -> None:
        report_progress(
            job,
            5 + 90 * done // max(total, 1),
            gettext("Row %(done)s of %(total)s checked") % {"done": done, "total": total},
        )

    try:
        return importing.run_import(
            sheet=params["sheet"],
            file_name=params["file_name"],
            data=data,
            user=job.owner,
            dry_run=dry_run,
            progress=rows_done,
            options=importing.ImportOptions.from_data(params.get("options")),
        )
    finally:
        if not dry_run:
            path.unlink(missing_ok=True)  # imported, or to be corrected and uploaded again


# -- the report, kept on the job --------------------------------------------------------------


def outcome_data(outcome: importing.ImportOutcome) -> dict[str, Any]:
    return {
        "file_name": outcome.file_name,
        "dry_run": outcome.dry_run,
        "errors": [str(e) for e in outcome.errors],
        "ignored_columns": list(outcome.ignored_columns),
        "header_row": outcome.header_row,
        "columns": [list(pair) for pair in outcome.columns],
        "absent_columns": list(outcome.absent_columns),
        "ambiguous_dates": [asdict(a) for a in outcome.ambiguous_dates],
        "unknown_values": [list(pair) for pair in outcome.unknown_values],
        "unknown_cities": [[name, list(s)] for name, s in outcome.unknown_cities],
        "rows": [asdict(row) for row in outcome.rows],
        "log": outcome.log.pk if outcome.log else None,
    }


def outcome_from(data: dict[str, Any]) -> importing.ImportOutcome:
    return importing.ImportOutcome(
        file_name=data["file_name"],
        dry_run=data["dry_run"],
        errors=data["errors"],
        ignored_columns=data["ignored_columns"],
        header_row=data.get("header_row", 0),
        columns=[(header, column) for header, column in data.get("columns", [])],
        absent_columns=data.get("absent_columns", []),
        ambiguous_dates=[Ambiguity(**a) for a in data.get("ambiguous_dates", [])],
        unknown_values=[(column, value) for column, value in data.get("unknown_values", [])],
        unknown_cities=[(name, list(s)) for name, s in data.get("unknown_cities", [])],
        rows=[importing.RowReport(**row) for row in data["rows"]],
    )


def outcome_context(job: Job) -> dict[str, Any]:
    """For the job page: the report as the import page shows it, and where its buttons go.

    A preview's page offers its owner the same choices as the import page's preview (map
    unknown columns and values, save the mapping, read the date cells, create new cities):
    they post to the import page, which previews the stashed file again in a new job.
    """
    params = job.params
    outcome = outcome_from(job.report) if job.report else None
    preview = job.kind == PREVIEW.name
    context: dict[str, Any] = {
        "outcome": outcome,
        "token": params.get("token") if preview else "",
        "import_url": params.get("import_url", ""),
        "done_url": params.get("done_url", ""),
    }
    if preview and outcome is not None and "sheet" in params:
        context["reread_token"] = params.get("token")
        context["reading"] = preview_choices(
            sheet=params["sheet"],
            outcome=outcome,
            options=importing.ImportOptions.from_data(params.get("options")),
        )
    return context
