import posixpath
from http import HTTPStatus
from urllib.parse import parse_qsl

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
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


# What the "too many fields" page shows back at most (the rest is counted, not shown).
RECOVERED_VALUES_SHOWN = 2000
FORM_MACHINERY = ("csrfmiddlewaretoken",)
FORM_MACHINERY_SUFFIXES = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: the app's own page; for a form with too many fields (Django refuses more
    than DATA_UPLOAD_MAX_NUMBER_FIELDS), what the user typed, so that nothing is lost."""
    context: dict[str, object] = {"too_many_fields": isinstance(exception, TooManyFieldsSent)}
    if isinstance(exception, TooManyFieldsSent):
        values, total = recovered_input(request)
        context |= {
            "values": values,
            "values_total": total,
            "values_text": "\n\n".join(f"{name}:\n{value}" for name, value in values),
            "limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
            "back": _same_site_referer(request),
        }
    response = render(request, "common/bad_request.html", context, status=HTTPStatus.BAD_REQUEST)
    if request.headers.get("HX-Request"):
        # A form posted by htmx: the page replaces the form's page (base.html lets htmx
        # swap a 400) rather than nothing happening.
        response["HX-Retarget"] = "body"
        response["HX-Reswap"] = "innerHTML"
    return response


def recovered_input(request: HttpRequest) -> tuple[list[tuple[str, str]], int]:
    """The non-empty values of a refused url-encoded form (not its CSRF token and formset
    counters), and how many there were; nothing when the body cannot be read again."""
    try:
        body = request.body
    except RawPostDataException:  # a multipart form, already streamed: nothing kept
        return [], 0
    pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=False)
    values = [
        (name, value)
        for name, value in pairs
        if value.strip()
        and name not in FORM_MACHINERY
        and not name.endswith(FORM_MACHINERY_SUFFIXES)
    ]
    return values[:RECOVERED_VALUES_SHOWN], len(values)


def _same_site_referer(request: HttpRequest) -> str:
    referer = request.headers.get("Referer", "")
    if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return referer
    return ""
