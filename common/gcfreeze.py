"""Keep the long-lived objects of a worker out of the garbage collector's full passes.

A gunicorn worker holds a few hundred thousand objects that live as long as it does
(Django, the URL resolver, compiled templates, translation catalogues), most of them
built lazily by the first requests. CPython's full collections walk all of them: a
90 ms pause every few dozen requests, seen as the slowest 5 % of the dashboard's
responses (bench/run.py). After the first ``GC_FREEZE_AFTER_REQUESTS`` requests the
worker is warm; ``gc.freeze()`` then moves everything alive into a permanent
generation that collections skip (what CPython's documentation advises for pre-fork
servers). Objects created later are collected as usual; nothing is ever freed early.
"""

from __future__ import annotations

import gc

from django.conf import settings
from django.core.signals import request_finished

_served = 0


def _after_request(**_kwargs: object) -> None:
    global _served  # noqa: PLW0603 (the worker process's request count)
    _served += 1
    if _served >= settings.GC_FREEZE_AFTER_REQUESTS:
        request_finished.disconnect(_after_request, dispatch_uid=__name__)
        gc.collect()  # what is garbage now must not be frozen
        gc.freeze()


def connect() -> None:
    if getattr(settings, "GC_FREEZE_AFTER_REQUESTS", 0) > 0:
        request_finished.connect(_after_request, dispatch_uid=__name__)
