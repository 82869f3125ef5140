"""Benchmark instrumentation, off unless BENCH_QUERY_COUNT=1.

With the flag, every response carries ``X-Query-Count`` (SQL statements run while
handling the request) and a ``Server-Timing`` header (``app`` = time inside Django,
``db`` = time spent in SQL). Without it, Django drops the middleware at start-up
(``MiddlewareNotUsed``), so ordinary requests pay nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from django.core.exceptions import MiddlewareNotUsed
from django.db import connections
from django.http import HttpRequest, HttpResponse


class QueryCounter:
    """A ``connection.execute_wrapper`` that counts statements and their time."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,  # noqa: FBT001 (the positional signature Django calls)
        context: dict[str, Any],
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


def enabled() -> bool:
    return os.environ.get("BENCH_QUERY_COUNT", "").strip().lower() in {"1", "true", "yes", "on"}


class BenchQueryCountMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not enabled():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = QueryCounter()
        started = time.perf_counter()
        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        elapsed = time.perf_counter() - started
        response["X-Query-Count"] = str(counter.count)
        response["Server-Timing"] = (
            f"app;dur={elapsed * 1000:.2f}, db;dur={counter.seconds * 1000:.2f}"
        )
        return response
