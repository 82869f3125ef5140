import posixpath
from http import HTTPStatus
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET
from django.views.static import serve

from common.error_pages import database_available

# Folders of MEDIA_ROOT that only views checking who asks may hand out: job results
# (private/, jobs/views.py), uploads waiting for their import to be confirmed (imports/)
# and agreement documents (agreements/, agreements:document_download).
NOT_SERVED_MEDIA = {"private", "imports", "agreements"}


@login_not_required
@never_cache
@require_GET
def healthz(_request: HttpRequest) -> HttpResponse:
    """Health probe for a load balancer: "ok", or 503 "database unavailable" when the
    database does not answer ``SELECT 1``. No session, no template.

    The benchmark also uses it as the ceiling: the fastest answer this stack can give
    (one trivial query on the kept-alive connection).
    """
    if not database_available():
        return HttpResponse(
            "database unavailable",
            content_type="text/plain",
            status=HTTPStatus.SERVICE_UNAVAILABLE,
        )
    return HttpResponse("ok", content_type="text/plain")


FAVICON = "favicon.ico"


@login_not_required
@require_GET
@cache_control(max_age=86400, public=True)
def favicon(_request: HttpRequest) -> FileResponse:
    """Browsers ask for /favicon.ico on every site; the vendored icon from static/."""
    found = finders.find(FAVICON)
    path = Path(found) if isinstance(found, str) else settings.STATIC_ROOT / FAVICON
    try:
        icon = path.open("rb")  # FileResponse closes it
    except OSError as error:
        raise Http404 from error
    return FileResponse(icon, content_type="image/x-icon")


def development_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Uploaded files under DEBUG (config/urls.py), never the folders in NOT_SERVED_MEDIA."""
    if posixpath.normpath(path).lstrip("/").split("/", 1)[0] in NOT_SERVED_MEDIA:
        raise Http404
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))
