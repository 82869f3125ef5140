"""A version number of the whole record, and caching keyed by it.

Every save or delete of a record of the three apps (signals), every import and every
bulk load (explicit calls) adds one to ``DataVersion.number`` *inside the writing
transaction*: the new number becomes visible at the same instant as the change, and
vanishes with it on a rollback. Readers key what they cache by ``(epoch, number)``
(and the day, for anything that depends on "today"), so a cached value computed from
the record is only ever served while the record is exactly as it was.

One ``UPDATE`` of one row per writing transaction (later writes in the same
transaction find it done); the row lock is held until that transaction ends, which
orders concurrent writers at their first change; the app's transactions are short
(a form, a status change) and imports bump the version last, just before they commit.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

TRACKED_APPS = frozenset({"partnerships", "agreements", "delegations"})
TABLE = "common_dataversion"
CACHE_SECONDS = 3600  # a safety net only: a new version makes old entries unreachable


def _done_in_this_transaction() -> None:
    """A marker in the transaction's on-commit list: the version was bumped in it."""


def current(using: str = DEFAULT_DB_ALIAS) -> str:
    """The record's version as a string for cache keys (one indexed read)."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT epoch, number FROM {TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return f"{row[0]}:{row[1]}" if row else "none:0"


def bump(using: str = DEFAULT_DB_ALIAS, *, new_epoch: bool = False) -> None:
    """Count one change (once per transaction unless ``new_epoch``)."""
    connection = connections[using]
    if (
        not new_epoch
        and connection.in_atomic_block
        and any(func is _done_in_this_transaction for _s, func, _r in connection.run_on_commit)
    ):
        return
    epoch = uuid.uuid4().hex
    update = f"number = {TABLE}.number + 1"
    if new_epoch:
        update += ", epoch = excluded.epoch"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (id, number, epoch) VALUES (1, 1, %s) "
            f"ON CONFLICT (id) DO UPDATE SET {update}",
            [epoch],
        )
    if connection.in_atomic_block:
        transaction.on_commit(_done_in_this_transaction, using=using)


def cache_version(using: str = DEFAULT_DB_ALIAS) -> str | None:
    """The version to key a template fragment by (``{% cache … record_version %}``), or
    None inside a transaction, where nothing may be cached (see ``cached``)."""
    return None if connections[using].in_atomic_block else current(using)


def cached(key: str, compute, *, using: str = DEFAULT_DB_ALIAS):
    """``compute()`` once per version of the record (per process cache).

    Inside a transaction the cache is left alone: what the transaction sees may not be
    committed (its version number could be reused by another transaction if this one
    rolls back), and later changes in the same transaction do not bump the version again.
    """
    if connections[using].in_atomic_block:
        return compute()
    full_key = f"record:{current(using)}:{key}"
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
        bump(using)


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
