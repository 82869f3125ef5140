from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_not_required
@never_cache
@require_GET
def healthz(_request: HttpRequest) -> HttpResponse:
    """Liveness probe for a load balancer: no database, no session, no template.

    The benchmark also uses it as the ceiling: the fastest answer this stack can give.
    """
    return HttpResponse("ok", content_type="text/plain")
