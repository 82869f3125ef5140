"""The job pages: a job's status (polled by htmx while it runs), its result, the person's list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from common.file_delivery import send_file
from common.htmx import render_partial_or_page
from common.http_request import AuthenticatedRequest
from common.listing import paginate
from common.permissions import viewer_required
from jobs.models import Job

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@require_GET
@viewer_required
@never_cache
@vary_on_headers("HX-Request")
def job_detail(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    """The page; its ``job-status`` part alone for htmx's polling while the job runs."""
    job = get_object_or_404(Job.objects.readable_by(request.user).select_related("owner"), pk=pk)
    context = {"job": job, "is_owner": job.owned_by(request.user), **_outcome(job)}
    return render_partial_or_page(request, "jobs/job_detail.html", context, "job-status")


@require_GET
@viewer_required
def job_result(request: AuthenticatedRequest, pk: UUID) -> HttpResponse | FileResponse:
    """The result file, for whoever may read the job; never a public media URL.

    Sent as documents are (``common.file_delivery``): behind a proxy that sends files
    (``FILE_DELIVERY``) the worker answers with a header only and never streams the file.
    """
    job = get_object_or_404(Job.objects.readable_by(request.user), pk=pk)
    path = job.result_file() if job.has_result else None
    if path is None or (job.expires_at and job.expires_at <= timezone.now()):
        raise Http404
    return send_file(path, filename=job.result_name, content_type=job.result_content_type)


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def job_list(request: AuthenticatedRequest) -> HttpResponse:
    """The person's own jobs, newest first."""
    jobs = Job.objects.filter(owner=_user(request)).defer("report", "params")
    context = {"page_obj": paginate(request, jobs), "result_days": settings.JOB_RESULT_DAYS}
    return render_partial_or_page(request, "jobs/job_list.html", context, "job-results")


@require_http_methods(["GET", "POST"])
@viewer_required
def job_cancel(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    """The owner takes back a job no worker has taken yet (a GET, a reload, goes to the job)."""
    if request.method != "POST":
        return redirect("jobs:job_detail", pk=pk)
    job = get_object_or_404(Job.objects.filter(owner=_user(request)), pk=pk)
    if job.cancel():
        messages.success(request, _("The job was cancelled."))
    else:
        messages.error(request, _("The job has already started; it can no longer be cancelled."))
    return redirect(job)


def _user(request: AuthenticatedRequest) -> User:
    return request.user  # viewer_required: signed in


def _outcome(job: Job) -> dict[str, Any]:
    """What the kind shows once the job has ended (an import's report), if anything."""
    kind = job.kind_info
    if job.is_active or kind is None or not kind.outcome_template:
        return {}
    context = import_string(kind.outcome_context)(job) if kind.outcome_context else {}
    return {"outcome_template": kind.outcome_template, **context}
