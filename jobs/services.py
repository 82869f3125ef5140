"""Starting a job from a web request: the per-person limit, the job row and its task, together."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import get_language, ngettext

from jobs.kinds import kind_named
from jobs.models import Job
from jobs.tasks import run_job

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class TooManyJobsError(Exception):
    """The person already has as many jobs waiting or running as allowed; for the user."""


def start_job(
    *, kind: str, owner: User, subject: str = "", params: dict[str, Any] | None = None
) -> Job:
    """Record a job for ``owner`` and queue it; TooManyJobsError if the owner has enough going.

    The job and its task are written in one transaction: the worker never sees a task
    without its job, and a refused job leaves no task behind.
    """
    if kind_named(kind) is None:
        raise ValueError(f"Unknown kind of job: {kind}")
    limit = settings.JOBS_PER_USER
    with transaction.atomic():
        # One start at a time per person, so that two quick clicks cannot both pass the count.
        list(get_user_model().objects.select_for_update().filter(pk=owner.pk).values_list("pk"))
        if Job.objects.counted_against(owner).count() >= limit:
            raise TooManyJobsError(
                ngettext(
                    "You already have %(n)d job waiting or running. Wait until it ends "
                    "(see “My jobs”), then try again.",
                    "You already have %(n)d jobs waiting or running. Wait until one of them "
                    "ends (see “My jobs”), then try again.",
                    limit,
                )
                % {"n": limit}
            )
        job = Job.objects.create(
            kind=kind,
            owner=owner,
            subject=subject[:300],
            params=params or {},
            language=get_language() or settings.LANGUAGE_CODE,
        )
        queued = run_job.enqueue(str(job.pk))
        job.task_id = str(queued.id)
        job.save(update_fields=["task_id"])
    return job
