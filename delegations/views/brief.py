"""The visit brief as a PDF download (the rendering lives in delegations/brief.py)."""

import logging
from http import HTTPStatus

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from common.http_request import AuthenticatedRequest
from common.permissions import viewer_required
from delegations.brief import LANGUAGES, BriefRenderError, brief_filename, render_visit_brief
from delegations.models import Visit

logger = logging.getLogger(__name__)


@require_GET
@viewer_required
def visit_brief(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """``?lang=vi|en`` (default: the language of the request); every role may export."""
    visit = get_object_or_404(Visit.objects.only("pk", "title"), pk=pk)
    asked, current = request.GET.get("lang", ""), (get_language() or "").split("-")[0]
    lang = next((code for code in (asked, current) if code in LANGUAGES), LANGUAGES[0])
    try:
        pdf = render_visit_brief(visit.pk, lang=lang, user=request.user)
    except BriefRenderError as error:
        logger.exception("The brief of visit %s could not be rendered", visit.pk)
        context = {"visit": visit, "reason": str(error)}
        return render(
            request,
            "delegations/brief/unavailable.html",
            context,
            status=HTTPStatus.SERVICE_UNAVAILABLE,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{brief_filename(visit)}"'
    response["Cache-Control"] = "private, no-store"  # briefs are for internal circulation
    return response
