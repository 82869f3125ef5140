"""How far a job has come: ``report_progress(job, percent, message)`` from the job's body.

A body often works inside a transaction (an import is all or nothing, and a dry run is
rolled back): a progress row written through that transaction would stay invisible to
the job page until the end, and vanish with a rollback. So inside a transaction the
report goes through a connection of its own (opened once per job, in autocommit), which
the job page sees at once. Progress is best effort: a report that cannot be written is
skipped, never a reason for the job to fail. On SQLite (the first-run demo) a second
writer would wait for the first, so reports inside a transaction are skipped there.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.utils import timezone

from jobs.models import Job

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

MESSAGE_LENGTH = Job._meta.get_field("progress_message").max_length or 300

_aside = threading.local()


def report_progress(job: Job, percent: float, message: str = "") -> None:
    """Record that ``job`` is ``percent`` (0–100) done, with a line for the user."""
    percent = max(0, min(100, int(percent)))
    message = str(message)[:MESSAGE_LENGTH]
    now = timezone.now()
    job.progress, job.progress_message, job.updated_at = percent, message, now
    if not _inside_a_transaction():
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
            progress=percent, progress_message=message, updated_at=now
        )
        return
    try:
        _write_aside(job, percent, message)
    except DatabaseError:
        logger.warning("Progress of job %s not recorded", job.pk, exc_info=True)
        close_progress_connection()


def close_progress_connection() -> None:
    """Close this thread's progress connection, if one was opened (end of every job)."""
    aside = getattr(_aside, "connection", None)
    if aside is not None:
        _aside.connection = None
        aside.close()


def _inside_a_transaction() -> bool:
    """In a transaction of the job's own (a test case's wrapping transaction is not one)."""
    connection = transaction.get_connection()
    return connection.in_atomic_block and any(
        not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


def _progress_connection() -> BaseDatabaseWrapper | None:
    aside = getattr(_aside, "connection", None)
    if aside is None:
        aside = connections.create_connection(DEFAULT_DB_ALIAS)
        if aside.vendor == "sqlite":
            return None
        _aside.connection = aside
        if aside.vendor == "postgresql":
            with aside.cursor() as cursor:
                # Never wait long for the job's row: whoever holds it is not reporting.
                cursor.execute("SET lock_timeout = '2s'")
    return aside


def _write_aside(job: Job, percent: int, message: str) -> None:
    aside = _progress_connection()
    if aside is None:
        return
    quote = aside.ops.quote_name
    # Identifiers quoted by the backend, every value a parameter.
    sql = (
        f"UPDATE {quote(Job._meta.db_table)} SET {quote('progress')} = %s, "  # noqa: S608
        f"{quote('progress_message')} = %s, {quote('updated_at')} = %s "
        f"WHERE {quote('id')} = %s AND {quote('status')} = %s"
    )
    params = [
        percent,
        message,
        aside.ops.adapt_datetimefield_value(job.updated_at),
        models.UUIDField().get_db_prep_value(job.pk, aside),
        Job.Status.RUNNING.value,
    ]
    with aside.cursor() as cursor:
        cursor.execute(sql, params)
