"""Login throttling glue for django-axes (see SECURITY.md, "Login throttling").

Two small pieces axes leaves to the project: which address a request comes
from when a reverse proxy sits in front, and the page a locked-out person sees.
"""

from __future__ import annotations

import math
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses a login while its account or address is locked out.

    Only logins that come with a request (the login form, the admin login) can
    be throttled: axes needs the client's address. ``authenticate()`` without a
    request (``Client.login`` in tests, a shell) passes through to the next
    backend instead of raising, as no attacker can reach it without a request.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request: HttpRequest) -> str:
    """The address a login attempt comes from.

    Behind a reverse proxy (``BEHIND_PROXY=1``) every request arrives from the
    proxy, so the client is the last address the proxy appended to
    X-Forwarded-For; addresses further left were sent by the client and can be
    forged. Without a proxy, only REMOTE_ADDR is trusted.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(
    request: HttpRequest,
    _original_response: HttpResponse | None = None,
    _credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The translated lockout page, answered with 429 Too Many Requests.

    axes calls it as ``AXES_LOCKOUT_CALLABLE(request, original_response, credentials)``.
    """
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    context = {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "axes/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
