"""The request type the workspace's views receive.

django-htmx's middleware sets ``request.htmx`` (``HtmxDetails``) and the auth middleware
sets ``request.user``; Django's own ``HttpRequest`` knows neither, so views that read them
annotate their request as ``HtmxRequest`` and the type checker checks every use (as
radiofeed-app's ``http/request.py`` does). At run time it is the plain ``HttpRequest``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_htmx.middleware import HtmxDetails

    class HtmxRequest(HttpRequest):
        htmx: HtmxDetails

    class AuthenticatedRequest(HtmxRequest):
        """A request past ``login_required`` (or a role decorator): the user is real."""

        user: User  # narrowed from User | AnonymousUser

else:
    HtmxRequest = HttpRequest
    AuthenticatedRequest = HttpRequest

__all__ = ["AuthenticatedRequest", "HtmxRequest"]
