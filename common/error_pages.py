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

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.template import loader
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
