"""Exporting the visit brief: the web request queues a job and sends the user to its page.

The PDF or Word document is made by the worker (delegations/brief_jobs.py, jobs/), so a
slow brief never holds a web worker; ``manage.py visit_brief`` renders synchronously.
"""

from http import HTTPStatus

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from common.http_request import AuthenticatedRequest
from common.permissions import viewer_required
from delegations.brief_jobs import BRIEF
from delegations.forms import BriefForm
from delegations.models import Visit, default_as_of
from jobs.services import TooManyJobsError, start_job


@require_http_methods(["GET", "POST"])
@viewer_required
def visit_brief(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """GET: the export form (``?lang=vi|en``); POST: queue the brief, then its job page."""
    visit = get_object_or_404(Visit.objects.only("pk", "title", "start_date"), pk=pk)
    current = (get_language() or "").split("-")[0]
    as_of = default_as_of(visit.start_date)
    bound = request.POST if request.method == "POST" else None
    initial = {"lang": request.GET.get("lang") or current, "as_of": as_of}
    form = BriefForm(bound, initial=initial)
    status = HTTPStatus.OK
    if request.method == "POST" and form.is_valid():
        params = {"visit": visit.pk, **form.options(default_language=current, default_day=as_of)}
        try:
            job = start_job(kind=BRIEF.name, owner=request.user, subject=visit.title, params=params)
        except TooManyJobsError as refusal:
            form.add_error(None, str(refusal))
            status = HTTPStatus.TOO_MANY_REQUESTS
        else:
            return redirect(job)
    elif request.method == "POST":
        status = HTTPStatus.BAD_REQUEST
    return render(
        request, "delegations/brief/export.html", {"visit": visit, "form": form}, status=status
    )
