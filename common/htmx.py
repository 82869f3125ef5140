"""Small helpers for views that answer both htmx and plain requests.

A page declares its swap targets with ``{% partialdef name inline %}``; the view
calls ``render_partial_or_page`` and gets the partial ``"page.html#name"`` for an
htmx request, the whole page otherwise. Decorate such views with
``@vary_on_headers("HX-Request")`` so caches keep the two answers apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from common.http_request import HtmxRequest


def wants_partial(request: HtmxRequest) -> bool:
    """An htmx request that will swap part of the page.

    A history-restore request (back button after a cache miss) and a boosted link
    need the whole page.
    """
    htmx = getattr(request, "htmx", None)  # None where the middleware did not run
    if not htmx:
        return False
    return not htmx.boosted and not htmx.history_restore_request


def render_partial_or_page(
    request: HtmxRequest,
    template_name: str,
    context: Mapping[str, Any] | None = None,
    partial: str | Mapping[str, str] | None = None,
    *,
    status: int = HTTPStatus.OK,
) -> HttpResponse:
    """Render ``template_name#partial`` for htmx requests, the full template otherwise.

    ``partial`` is a partial name, or a mapping of HX-Target ids to partial names
    when one page has several swap targets (a target that is not in the mapping
    gets the full page).
    """
    chosen = None
    if partial and wants_partial(request):
        chosen = partial if isinstance(partial, str) else partial.get(request.htmx.target or "")
    name = f"{template_name}#{chosen}" if chosen else template_name
    return render(request, name, context, status=status)
