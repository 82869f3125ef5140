"""The visit brief as a background job (jobs/): the web's "Export brief" runs here, in the worker.

``manage.py visit_brief`` stays synchronous (it is the worker of its own command line);
both render through ``render_visit_brief``, with its time budget and its fetcher.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.permissions import READERS
from delegations.models import Visit
from jobs.kinds import JobKind
from jobs.progress import report_progress
from jobs.running import JobError, JobResult

if TYPE_CHECKING:
    from jobs.models import Job

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Any reader may export any brief, so any reader may open another person's brief job.
BRIEF = JobKind(
    name="visit_brief",
    label=_("Visit brief (PDF or Word)"),
    body="delegations.brief_jobs.render_brief",
    shared_with=READERS,
)


def _as_of(params: dict[str, Any]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(params.get("as_of") or "")
    except ValueError:
        return None  # a job queued before the date was asked for: the default day


def render_brief(job: Job) -> JobResult:
    # WeasyPrint loads in the worker only (this module is imported by every process).
    from delegations.brief import (
        BriefRenderError,
        brief_filename,
        render_visit_brief,
        render_visit_brief_docx,
    )

    report_progress(job, 10, gettext("Gathering the record and laying out the pages"))
    visit = Visit.objects.only("pk", "title").filter(pk=job.params.get("visit")).first()
    if visit is None:
        raise JobError(gettext("The visit no longer exists."))
    word = job.params.get("format") == "docx"
    render = render_visit_brief_docx if word else render_visit_brief
    try:
        content = render(
            visit.pk, lang=job.params.get("lang", "vi"), user=job.owner, on=_as_of(job.params)
        )
    except Visit.DoesNotExist as gone:
        raise JobError(gettext("The visit no longer exists.")) from gone
    except BriefRenderError as error:
        raise JobError(
            gettext("%(reason)s Nothing is wrong with the record; try again in a minute.")
            % {"reason": error}
        ) from error
    return JobResult(
        content=content,
        file_name=brief_filename(visit, "docx" if word else "pdf"),
        content_type=DOCX_TYPE if word else "application/pdf",
        message=gettext("The brief is ready."),
    )
