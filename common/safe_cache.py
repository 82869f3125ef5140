"""A cache that may fail without failing the page (issue 17, finding 5).

What is cached (the dashboard's sections, the partnership page's record sections) is
only ever a copy of what the database says: ``CACHE_DIR`` is documented as safe to
delete, and it must be as safe to lose. A read-only or full folder, a corrupt entry, an
unreachable cache server: every cache operation that raises is taken as a miss (``get``
gives the default, ``set`` stores nothing) and the page is computed. The first failure
is logged as a warning with its cause (once per cache and process; later ones at debug
level), so that an operator sees it without a flood of lines.
"""

from __future__ import annotations

import itertools
import logging
import threading
from typing import Any

from django.core.cache.backends.filebased import FileBasedCache

logger = logging.getLogger(__name__)

_logged: set[str] = set()
_lock = threading.Lock()


def _failed(backend: object, operation: str, error: Exception) -> None:
    key = str(getattr(backend, "_dir", id(backend)))
    with _lock:
        first = key not in _logged
        _logged.add(key)
    if first:
        logger.warning(
            "The cache failed (%s: %s); pages are computed without it until it works again.",
            operation,
            error,
            exc_info=error,
        )
    else:
        logger.debug("The cache failed again (%s: %s).", operation, error)


# Django's file cache lists its whole folder on every ``set`` to see whether it is full
# (``_cull``): 1.2 ms at 800 entries, ~3 ms at its 2,000, paid by every first view after
# a change once per fragment it stores (issue 16). It looks once every this many sets
# per process instead: the folder may hold a few dozen entries over MAX_ENTRIES between
# two looks, and the next look culls them.
CULL_EVERY = 32


class FailSafeFileBasedCache(FileBasedCache):
    """Django's file cache whose failures are misses, logged once (see the module), that
    checks whether it is full once every ``CULL_EVERY`` sets (see above)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sets = itertools.count()

    def _cull(self) -> None:
        if next(self._sets) % CULL_EVERY == 0:
            super()._cull()  # type: ignore[misc]  # private in Django, not in django-stubs

    def _createdir(self) -> None:
        """Also called when the cache is first used: a folder that cannot be made must not
        fail the request that first touches the cache."""
        try:
            super()._createdir()  # type: ignore[misc]  # private in Django, not in django-stubs
        except OSError as error:
            _failed(self, "mkdir", error)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except Exception as error:  # noqa: BLE001 (any failure of a copy is a miss)
            _failed(self, "get", error)
            return default

    def set(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except Exception as error:  # noqa: BLE001
            _failed(self, "set", error)

    def add(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except Exception as error:  # noqa: BLE001
            _failed(self, "add", error)
            return False

    def touch(self, key: Any, timeout: Any = 300, version: int | None = None) -> bool:
        try:
            return super().touch(key, timeout, version)
        except Exception as error:  # noqa: BLE001
            _failed(self, "touch", error)
            return False

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except Exception as error:  # noqa: BLE001
            _failed(self, "delete", error)
            return False

    def has_key(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except Exception as error:  # noqa: BLE001
            _failed(self, "has_key", error)
            return False

    def clear(self) -> None:
        try:
            super().clear()
        except Exception as error:  # noqa: BLE001
            _failed(self, "clear", error)
