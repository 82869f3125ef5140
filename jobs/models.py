"""A job: one person's request for long work (a brief, an import), run by the worker.

The web request records the job and queues a task (``jobs.tasks.run_job``) in the same
transaction; the worker moves it from *queued* to *running* to *done* or *failed*,
reporting progress on the way (``jobs.progress.report_progress``). A result file is kept
under ``MEDIA_ROOT/private/jobs/`` (never a public URL: ``jobs.views.job_result`` checks
who asks) until the job expires, ``JOB_RESULT_DAYS`` after it ended.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.permissions import user_role
from jobs.kinds import JobKind, kind_named, kinds_shared_with

if TYPE_CHECKING:
    import datetime as dt

    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
    from django.utils.functional import Promise


def private_root() -> Path:
    """Files that only views checking permissions may hand out: never under MEDIA_URL."""
    return Path(settings.MEDIA_ROOT) / "private"


def stale_after() -> timedelta:
    return timedelta(minutes=settings.JOB_STALE_MINUTES)


class JobQuerySet(models.QuerySet["Job"]):
    def readable_by(self, user: User | AnonymousUser) -> Self:
        """The user's own jobs, and the kinds shared with the user's role."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(owner=user) | Q(kind__in=kinds_shared_with(user_role(user))))

    def active(self) -> Self:
        return self.filter(status__in=(Job.Status.QUEUED, Job.Status.RUNNING))

    def stale(self, *, now: dt.datetime | None = None) -> Self:
        """Running, but silent for so long that its worker must have died."""
        now = now or timezone.now()
        return self.filter(status=Job.Status.RUNNING, updated_at__lt=now - stale_after())

    def counted_against(self, user: User) -> Self:
        """The jobs that count towards the user's limit: waiting, or running and alive."""
        return self.filter(owner=user).active().exclude(pk__in=self.stale().values("pk"))

    def expired(self, *, now: dt.datetime | None = None) -> Self:
        return self.filter(expires_at__lte=now or timezone.now())

    def fail_stale(self, *, now: dt.datetime | None = None) -> int:
        now = now or timezone.now()
        return self.stale(now=now).update(
            status=Job.Status.FAILED,
            error=Job.LOST,
            finished_at=now,
            updated_at=now,
            expires_at=now + timedelta(days=settings.JOB_RESULT_DAYS),
        )

    def prune(self, *, now: dt.datetime | None = None) -> int:
        """Delete the expired jobs and their result files; return how many went."""
        expired = list(self.expired(now=now).only("pk", "result_path"))
        for job in expired:
            job.delete_result()
        Job.objects.filter(pk__in=[job.pk for job in expired]).delete()
        return len(expired)


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    ENDED = (Status.DONE, Status.FAILED, Status.CANCELLED)
    LOST = _(
        "The job stopped making progress: the worker running it was probably restarted. "
        "Start it again."
    )

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=40)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name=_("owner"),
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_message = models.CharField(_("progress message"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The result file, relative to private_root(); its name and type for the download.
    result_path = models.CharField(max_length=200, blank=True)
    result_name = models.CharField(_("file name"), max_length=255, blank=True)
    result_content_type = models.CharField(max_length=120, blank=True)
    result_size = models.PositiveBigIntegerField(null=True, blank=True)
    # What the kind's outcome template shows (an import's report): read only on the job page.
    report = models.JSONField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Touched by every progress report: a running job silent for long is lost.
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="job_owner_recent_idx"),
            models.Index(fields=["expires_at"], name="job_expires_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="job_progress_percent"),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed", "cancelled"]),
                name="job_status_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["done", "failed", "cancelled"])
                | Q(finished_at__isnull=True),
                name="job_finished_only_when_ended",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("jobs:job_detail", args=[self.pk])

    # --- what it is -----------------------------------------------------------------
    @property
    def kind_info(self) -> JobKind | None:
        return kind_named(self.kind)

    @property
    def label(self) -> str | Promise:
        kind = self.kind_info
        return kind.label if kind else self.kind

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_stale(self) -> bool:
        return (
            self.status == self.Status.RUNNING and self.updated_at < timezone.now() - stale_after()
        )

    @property
    def is_polled(self) -> bool:
        """The job page asks again every second while this holds."""
        return self.is_active and not self.is_stale

    @property
    def has_result(self) -> bool:
        return self.status == self.Status.DONE and bool(self.result_path)

    def owned_by(self, user: AbstractBaseUser | AnonymousUser) -> bool:
        return user.is_authenticated and self.owner_id == user.pk

    # --- the worker's side ----------------------------------------------------------
    def start(self) -> bool:
        """Queued → running; False if it was cancelled (or taken) meanwhile."""
        now = timezone.now()
        started = Job.objects.filter(pk=self.pk, status=self.Status.QUEUED).update(
            status=self.Status.RUNNING, started_at=now, updated_at=now, progress=0
        )
        if started:
            self.status, self.started_at, self.updated_at, self.progress = (
                self.Status.RUNNING,
                now,
                now,
                0,
            )
        return bool(started)

    def finish(
        self,
        *,
        content: bytes | None = None,
        file_name: str = "",
        content_type: str = "",
        report: Any = None,
        message: str = "",
    ) -> None:
        """Running → done, with its result file and report."""
        now = timezone.now()
        if content is not None:
            self.result_path = self._store(content, file_name)
            self.result_name = file_name[:255]
            self.result_content_type = content_type or "application/octet-stream"
            self.result_size = len(content)
        self.report = report
        self.progress, self.progress_message = 100, message[:300]
        self._end(self.Status.DONE, now)

    def fail(self, error: str, *, report: Any = None) -> None:
        self.error, self.report = error, report
        self._end(self.Status.FAILED, timezone.now())

    def cancel(self) -> bool:
        """Queued → cancelled (a running job is left to finish); False if it had started."""
        now = timezone.now()
        cancelled = Job.objects.filter(pk=self.pk, status=self.Status.QUEUED).update(
            status=self.Status.CANCELLED,
            finished_at=now,
            updated_at=now,
            expires_at=now + timedelta(days=settings.JOB_RESULT_DAYS),
        )
        if cancelled:
            self.status = self.Status.CANCELLED
        return bool(cancelled)

    def _end(self, status: str, now: dt.datetime) -> None:
        self.status, self.finished_at, self.updated_at = status, now, now
        self.expires_at = now + timedelta(days=settings.JOB_RESULT_DAYS)
        self.save(force_update=True)  # never brings back a job deleted meanwhile

    # --- the result file ------------------------------------------------------------
    def result_file(self) -> Path | None:
        if not self.result_path:
            return None
        return private_root() / self.result_path

    def _store(self, content: bytes, file_name: str) -> str:
        suffix = "".join(c for c in Path(file_name).suffix.lower() if c.isalnum() or c == ".")
        relative = f"jobs/{self.pk.hex}{suffix[:10]}"
        target = private_root() / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(content)
        partial.replace(target)  # readers never see half a file
        return relative

    def delete_result(self) -> None:
        path = self.result_file()
        if path is not None:
            path.unlink(missing_ok=True)
