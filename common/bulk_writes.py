"""Telling the apps above that rows were written without Django's model signals.

COPY and ``bulk_create`` (an import of a sheet, the benchmark's bulk load) fire no
``post_save``. Whoever writes that way calls ``announce_bulk_write`` so that what is
cached from the record (workspace/freshness.py listens) learns of the change. Inside a
transaction the change counts when it commits, like any other.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS
from django.dispatch import Signal

# Sent with ``using`` (the database alias) and ``apps`` (the app labels written to, or
# None for every app of the record).
bulk_written = Signal()


def announce_bulk_write(
    *, apps: Iterable[str] | None = None, using: str = DEFAULT_DB_ALIAS
) -> None:
    bulk_written.send(sender=None, using=using, apps=None if apps is None else tuple(apps))
