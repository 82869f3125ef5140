import posixpath

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.static import serve

# Folders of MEDIA_ROOT that only views checking who asks may hand out: job results
# (private/, jobs/views.py) and uploads waiting for their import to be confirmed (imports/).
NOT_SERVED_MEDIA = {"private", "imports"}


@login_not_required
@never_cache
@require_GET
def healthz(_request: HttpRequest) -> HttpResponse:
    """Liveness probe for a load balancer: no database, no session, no template.

    The benchmark also uses it as the ceiling: the fastest answer this stack can give.
    """
    return HttpResponse("ok", content_type="text/plain")


def development_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Uploaded files under DEBUG (config/urls.py), never the folders in NOT_SERVED_MEDIA."""
    if posixpath.normpath(path).lstrip("/").split("/", 1)[0] in NOT_SERVED_MEDIA:
        raise Http404
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))
