"""Running one job in the worker: its kind's body between "running" and "done" or "failed".

A body is ``def body(job: Job) -> JobResult``. It reports progress with
``jobs.progress.report_progress`` and gives up with ``JobError("what the user reads")``;
any other exception is a bug: the user reads a general message, the log gets the
traceback, and the task queue records the task as failed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from jobs.models import Job
from jobs.progress import close_progress_connection

logger = logging.getLogger(__name__)


class JobError(Exception):
    """The job cannot be done; the message is for the user (in the job's language).

    ``report`` is kept as a done job's would be (an import refused, with its rows' errors).
    """

    def __init__(self, message: str, *, report: Any = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class JobResult:
    content: bytes | None = None  # the file offered for download
    file_name: str = ""
    content_type: str = ""
    report: Any = None  # JSON for the kind's outcome template
    message: str = ""  # the last line under the progress bar ("Imported: 3 new…")


def run(job_id: str) -> str:
    """Run the job ``job_id`` if it is still waiting; return its final status."""
    job = Job.objects.select_related("owner").filter(pk=job_id).first()
    if job is None:
        return "missing"
    if not job.start():
        return job.status  # cancelled by its owner before a worker took it
    kind = job.kind_info
    try:
        with translation.override(job.language or None):
            if kind is None:
                raise JobError(gettext("This kind of job is no longer known."))
            body = import_string(kind.body)
            result = cast("JobResult", body(job))
            job.finish(
                content=result.content,
                file_name=result.file_name,
                content_type=result.content_type,
                report=result.report,
                message=result.message,
            )
    except JobError as failure:
        job.fail(str(failure), report=failure.report)
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        with translation.override(job.language or None):
            job.fail(gettext("Something went wrong while doing this. The error was logged."))
        raise
    finally:
        close_progress_connection()
        try:
            tidy_up()
        except Exception:
            logger.exception("Tidying up old jobs failed")
    return job.status


def tidy_up() -> tuple[int, int]:
    """Expired jobs and their files go, and lost jobs are marked failed (after each job,
    and by ``manage.py prune_jobs``); so do the queue's records of tasks ended as long
    ago. Returns (jobs deleted, jobs found lost)."""
    from django_tasks_db.models import DBTaskResult

    lost = Job.objects.fail_stale()
    pruned = Job.objects.prune()
    kept_since = timezone.now() - timedelta(days=settings.JOB_RESULT_DAYS)
    DBTaskResult.objects.finished().filter(finished_at__lt=kept_since).delete()
    return pruned, lost
