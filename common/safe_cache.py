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

import logging
import pickle
import threading
import zlib
from typing import IO, Any

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


# Django's file cache lists its whole folder on every ``set`` to know whether to cull:
# ~3 ms of CPU at 2,000 entries, three or four times on a list page seen after a change
# (issue 16). Counting once every this many writes per process lets the folder exceed
# MAX_ENTRIES by at most that many entries per process before it is culled.
CULL_CHECK_EVERY = 50
# Django compresses every entry at zlib's default level 6: 5.7 ms of CPU for the partner
# map of ~250 countries (200 KB of HTML), written after every change of the record.
# Level 1 takes 1.1 ms for a file a fifth bigger (issue 16); reading is as fast.
COMPRESS_LEVEL = 1


class FailSafeFileBasedCache(FileBasedCache):
    """Django's file cache whose failures are misses, logged once (see the module), and
    which counts its entries for culling only every ``CULL_CHECK_EVERY`` writes."""

    _writes = 0

    def _cull(self) -> None:
        """Called by Django before each write: the first write of a process counts too."""
        check = self._writes % CULL_CHECK_EVERY == 0
        self._writes += 1
        if check:
            super()._cull()  # type: ignore[misc]  # private in Django, not in django-stubs

    def _write_content(self, file: IO[bytes], timeout: Any, value: Any) -> None:
        """Django's ``_write_content`` (the expiry, then the value pickled and compressed),
        at ``COMPRESS_LEVEL``: ``get`` decompresses any level."""
        expiry = self.get_backend_timeout(timeout)
        file.write(pickle.dumps(expiry, self.pickle_protocol))
        file.write(zlib.compress(pickle.dumps(value, self.pickle_protocol), COMPRESS_LEVEL))

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
