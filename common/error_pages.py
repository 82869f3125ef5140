"""The app's own error pages: 400, 403, 404, 500, and 503 when the database is unreachable.

``config/urls.py`` names these handlers; their templates (``400.html`` … ``503.html``)
are the shell's. With DEBUG off Django calls them; with DEBUG on it shows its debug pages
(the URL list, the settings, a traceback), fine on a developer's laptop but not in a
demo: ``DEBUG_ERROR_PAGES=0`` (scripts/demo.sh sets it) puts these pages in their place
(``ErrorPagesInDebugMiddleware``).

A 500 and a 503 are rendered without the request: the database may be what failed, and
the shell would otherwise ask it who is signed in.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from http import HTTPStatus
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed, TooManyFieldsSent
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_DOWN = (OperationalError, InterfaceError)


def database_available() -> bool:
    """Whether the database answers a trivial query now (a broken connection is dropped, so
    the next request opens a new one)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        connection.close()
        return False
    return True


def _without_request(template: str, status: HTTPStatus) -> HttpResponse:
    return HttpResponse(loader.get_template(template).render(), status=status)


def database_unavailable() -> HttpResponse:
    response = _without_request("503.html", HTTPStatus.SERVICE_UNAVAILABLE)
    response["Retry-After"] = "60"
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, TooManyFieldsSent):
        # A form too big to be read (issue 17 pt 8): shown back, so nothing typed is lost.
        return too_many_fields(request, exception)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return defaults.page_not_found(request, exception)


def server_error(_request: HttpRequest) -> HttpResponse:
    """500, or the friendly 503 when what failed is the database connection."""
    error = sys.exc_info()[1]
    # No exception at hand: a debug page being replaced (ErrorPagesInDebugMiddleware).
    if (error is None or isinstance(error, DATABASE_DOWN)) and not database_available():
        return database_unavailable()
    return _without_request("500.html", HTTPStatus.INTERNAL_SERVER_ERROR)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form (expired page, cookies off): the 403 page, in the shell, not Django's."""
    logger.warning("CSRF check failed: %s", reason)
    return defaults.permission_denied(request, PermissionError(reason))


ErrorHandler = Callable[[HttpRequest], HttpResponse]

# The pages shown in place of a debug page, by status.
IN_DEBUG: dict[int, ErrorHandler] = {
    HTTPStatus.BAD_REQUEST: lambda request: bad_request(request, ValueError()),
    HTTPStatus.FORBIDDEN: lambda request: permission_denied(request, PermissionError()),
    HTTPStatus.NOT_FOUND: lambda request: page_not_found(request, LookupError()),
    HTTPStatus.INTERNAL_SERVER_ERROR: server_error,
}


class ErrorPagesInDebugMiddleware:
    """With DEBUG on and ``DEBUG_ERROR_PAGES`` off: the app's error pages, not Django's debug
    pages (which list every URL pattern, the settings and the code). Gone otherwise."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.DEBUG or settings.DEBUG_ERROR_PAGES:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        handler = IN_DEBUG.get(response.status_code)
        if handler is None or not response.get("Content-Type", "").startswith("text/html"):
            return response
        return handler(request)


# What the "too many fields" page shows back at most (the rest is counted, not shown).
RECOVERED_VALUES_SHOWN = 2000
FORM_MACHINERY = ("csrfmiddlewaretoken",)
FORM_MACHINERY_SUFFIXES = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")


def too_many_fields(request: HttpRequest, _exception: TooManyFieldsSent) -> HttpResponse:
    """The 400 page of a form with more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS (from
    common.error_pages.bad_request): what the user typed, so that nothing is lost."""
    values, total = recovered_input(request)
    context = {
        "values": values,
        "values_total": total,
        "values_text": "\n\n".join(f"{name}:\n{value}" for name, value in values),
        "limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
        "back": _same_site_referer(request),
    }
    response = render(
        request, "common/too_many_fields.html", context, status=HTTPStatus.BAD_REQUEST
    )
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
