"""A version number of the whole record, and caching keyed by it.

Every save or delete of a record of the three apps (signals), every import and every
bulk load (explicit calls) adds one to ``DataVersion.number`` and to the counter of the
app that changed, *inside the writing transaction*: the new number becomes visible at the same instant as the change, and
vanishes with it on a rollback. Readers key what they cache by ``(epoch, number)``, or
by the counters of the apps the value depends on (the dashboard's agreement sections
are kept while action items change), and the day for anything that depends on "today";
so a cached value is only ever served while what it was computed from is as it was.

One ``UPDATE`` of one row per writing transaction (later writes in the same
transaction find it done); the row lock is held until that transaction ends, which
orders concurrent writers at their first change; the app's transactions are short
(a form, a status change) and imports bump the version last, just before they commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

TRACKED_APPS = frozenset({"partnerships", "agreements", "delegations"})
TABLE = "common_dataversion"
CACHE_SECONDS = 3600  # a safety net only: a new version makes old entries unreachable


# One marker per app in the transaction's on-commit list: "this app's counter was bumped
# in this transaction" (the list is emptied at commit or rollback, and a rolled-back
# savepoint takes its markers with it, as it takes the bump).
def _marker(app_label: str):
    def marker() -> None:
        pass

    marker.__qualname__ = f"bumped_{app_label}"
    return marker


_MARKERS = {app: _marker(app) for app in TRACKED_APPS}


@dataclass(frozen=True)
class Version:
    """The record's version: an epoch, a number for all changes, a counter per app."""

    epoch: str
    number: int
    apps: dict

    def key(self, depends_on: Iterable[str] | None = None) -> str:
        """A cache key part: the whole record's version, or only the given apps'."""
        if depends_on is None:
            return f"{self.epoch}:{self.number}"
        return self.epoch + "".join(f":{app}={self.apps[app]}" for app in sorted(depends_on))


def current(using: str = DEFAULT_DB_ALIAS) -> Version:
    """The record's version (one indexed read)."""
    apps = sorted(TRACKED_APPS)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT epoch, number, {', '.join(apps)} FROM {TABLE} WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return Version("none", 0, dict.fromkeys(apps, 0))
    return Version(row[0], row[1], dict(zip(apps, row[2:], strict=True)))


def bump(
    using: str = DEFAULT_DB_ALIAS,
    *,
    apps: Iterable[str] | None = None,
    new_epoch: bool = False,
) -> None:
    """Count one change to ``apps`` (all by default), once per app and transaction."""
    connection = connections[using]
    apps = set(TRACKED_APPS if apps is None else apps) & TRACKED_APPS
    if connection.in_atomic_block and not new_epoch:
        done = {func for _s, func, _r in connection.run_on_commit}
        apps = {app for app in apps if _MARKERS[app] not in done}
        if not apps:
            return
    update = [f"number = {TABLE}.number + 1"]
    update += [f"{app} = {TABLE}.{app} + 1" for app in sorted(apps)]
    if new_epoch:
        update.append("epoch = excluded.epoch")
    columns = sorted(TRACKED_APPS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (id, number, epoch, {', '.join(columns)}) "
            f"VALUES (1, 1, %s, {', '.join('1' if c in apps else '0' for c in columns)}) "
            f"ON CONFLICT (id) DO UPDATE SET {', '.join(update)}",
            [uuid.uuid4().hex],
        )
    if connection.in_atomic_block:
        for app in apps:
            transaction.on_commit(_MARKERS[app], using=using)


def cache_version(using: str = DEFAULT_DB_ALIAS) -> str | None:
    """The version to key a template fragment by (``{% cache … record_version %}``), or
    None inside a transaction, where nothing may be cached (see ``cached``)."""
    return None if connections[using].in_atomic_block else current(using).key()


def cached(
    key: str,
    compute,
    *,
    depends_on: Iterable[str] | None = None,
    version: Version | None = None,
    using: str = DEFAULT_DB_ALIAS,
):
    """``compute()`` once per version of the record, or of the apps it ``depends_on``.

    Inside a transaction the cache is left alone: what the transaction sees may not be
    committed (its version number could be reused by another transaction if this one
    rolls back), and later changes in the same transaction do not bump the version again.
    """
    if connections[using].in_atomic_block:
        return compute()
    version = version or current(using)
    full_key = f"record:{version.key(depends_on)}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, CACHE_SECONDS)
    return value


def _tracked(sender) -> bool:
    meta = getattr(sender, "_meta", None)
    return (
        meta is not None
        and meta.app_label in TRACKED_APPS
        and not sender.__name__.startswith("Historical")  # simple-history's own rows
    )


def _on_change(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    if kwargs.get("action", "post_").startswith("pre_"):
        return  # m2m_changed: count the change once it is made
    if _tracked(sender):
        bump(using, apps=[sender._meta.app_label])


def connect() -> None:
    """Listen to the record's models (called from CommonConfig.ready)."""
    from django.apps import apps

    for app_label in TRACKED_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if not _tracked(model):
                continue
            uid = f"freshness:{model._meta.label}"
            post_save.connect(_on_change, sender=model, dispatch_uid=uid + ":save")
            post_delete.connect(_on_change, sender=model, dispatch_uid=uid + ":delete")
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                m2m_changed.connect(_on_change, sender=through, dispatch_uid=uid + field.name)
