"""A version number of the whole record, and caching keyed by it.

Every save or delete of a record of the three apps (model signals), of a staff account's
name (the action items' rows name their assignees: counted as a change to
``delegations``), every import and every bulk load (``common.bulk_writes.bulk_written``,
or a direct ``bump``) adds one to ``DataVersion.number`` and to the counter of the app
that changed, *when the writing transaction commits* (``transaction.on_commit``;
a rollback, or a rolled-back savepoint, counts nothing). A save or delete of a visit,
and every bulk write to ``delegations`` (it may have written visits), also adds one to
``visits``: a narrower counter for what is computed from the visits alone. Readers key
what they cache by ``(epoch, number)``, or by the counters it depends on (the
dashboard's agreement sections are kept while action items change, its visit sections
while action items change too), and the day for anything that depends on "today".

Why that is enough: the new number becomes visible only after the change it counts.
A reader that still sees the old number may cache the new data under it, which is
harmless (the key changes a moment later); no reader can see the new number with the
old data. Inside a transaction nothing is cached (``cached``): what it sees may never
be committed.

The counter is written by one autocommit statement after the commit, so no writer ever
holds the version row while it waits for other locks: no queueing, no deadlock.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from common.bulk_writes import bulk_written
from common.cached_choices import cached_by_version

TRACKED_APPS = frozenset({"partnerships", "agreements", "delegations"})
# The visits alone, also counted in ``delegations``: the sections computed from visits do
# not follow the action items, which change all day (issue 16).
VISITS = "visits"
VISIT_MODELS = frozenset({"delegations.visit"})
# One counter per app, and the visits' (a column each: workspace.models.DataVersion).
COUNTERS = TRACKED_APPS | {VISITS}
TABLE = "workspace_dataversion"


@dataclass(frozen=True)
class Version:
    """The record's version: an epoch, a number for all changes, a counter per app (and
    the visits')."""

    epoch: str
    number: int
    apps: dict[str, int]

    def key(self, depends_on: Iterable[str] | None = None) -> str:
        """A cache key part: the whole record's version, or only the given counters'."""
        if depends_on is None:
            return f"{self.epoch}:{self.number}"
        return self.epoch + "".join(f":{app}={self.apps[app]}" for app in sorted(depends_on))


def current(using: str = DEFAULT_DB_ALIAS) -> Version:
    """The record's version (one indexed read)."""
    apps = sorted(COUNTERS)
    with connections[using].cursor() as cursor:
        query = f"SELECT epoch, number, {', '.join(apps)} FROM {TABLE} WHERE id = 1"  # noqa: S608 -- table and columns are this module's constants
        cursor.execute(query)
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
    """Count one change to ``apps`` (all counters by default): at once outside a
    transaction, else once per app when the transaction commits (nothing if it rolls
    back). A change that may have touched visits names ``visits`` too."""
    apps = sorted(set(COUNTERS if apps is None else apps) & COUNTERS)
    connection = connections[using]
    if not connection.in_atomic_block:
        _write(using, apps, new_epoch=new_epoch)
        return
    # run_on_commit holds (savepoint ids, callable, robust) triples.
    pending = {entry[1] for entry in connection.run_on_commit}
    for app in apps:
        callback = _on_commit_bump(using, app)
        if callback not in pending:
            transaction.on_commit(callback, using=using)
    if new_epoch:
        transaction.on_commit(lambda: _write(using, [], new_epoch=True), using=using)


@functools.cache
def _on_commit_bump(using: str, app: str) -> Callable[[], None]:
    """The same callable for an app each time, so that a transaction holds it once."""

    def callback() -> None:
        _write(using, [app], new_epoch=False)

    callback.__qualname__ = f"bump_{app}"
    return callback


def _write(using: str, apps: list[str], *, new_epoch: bool) -> None:
    """One statement in autocommit: the row is locked for that statement only, so no
    writer ever waits on another's transaction because of it (no deadlock either)."""
    update = [f"number = {TABLE}.number + 1"]
    update += [f"{app} = {TABLE}.{app} + 1" for app in apps]
    if new_epoch:
        update.append("epoch = excluded.epoch")
    columns = sorted(COUNTERS)
    counts = ", ".join("1" if column in apps else "0" for column in columns)
    statement = (
        f"INSERT INTO {TABLE} (id, number, epoch, {', '.join(columns)}) "  # noqa: S608 -- only this module's constants are formatted in; the epoch is a parameter
        f"VALUES (1, 1, %s, {counts}) ON CONFLICT (id) DO UPDATE SET {', '.join(update)}"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(statement, [uuid.uuid4().hex])


def version_for_reading(using: str = DEFAULT_DB_ALIAS) -> Version | None:
    """The version to key cached values by, or None inside a transaction: its own
    changes are counted only when it commits, and what it sees may never be committed,
    so nothing is cached there."""
    return None if connections[using].in_atomic_block else current(using)


def cache_version(using: str = DEFAULT_DB_ALIAS) -> str | None:
    """``version_for_reading`` as a template fragment's key (``{% cache … record_version %}``)."""
    version = version_for_reading(using)
    return version.key() if version else None


def cached[T](
    key: str,
    compute: Callable[[], T],
    *,
    depends_on: Iterable[str] | None = None,
    version: Version | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> T:
    """``compute()`` once per version of the record, or of the apps it ``depends_on``;
    ``version`` (read now if not given) lets several values share one read of it.
    Inside a transaction nothing is cached (``version_for_reading``)."""
    version = version or version_for_reading(using)
    if version is None:
        return compute()
    return cached_by_version(version.key(depends_on), f"record:{key}", compute)


def _tracked(sender: type) -> bool:
    meta = getattr(sender, "_meta", None)
    return (
        meta is not None
        and meta.app_label in TRACKED_APPS
        and not sender.__name__.startswith("Historical")  # simple-history's own rows
    )


def _on_change(sender: type[Model], using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    if kwargs.get("action", "post_").startswith("pre_"):
        return  # m2m_changed: count the change once it is made
    if _tracked(sender):
        counted = [sender._meta.app_label]
        if sender._meta.label_lower in VISIT_MODELS:  # not its many-to-many rows
            counted.append(VISITS)
        bump(using, apps=counted)


# What the record shows of a staff account: the action items' rows name their assignees.
ACCOUNT_NAME_FIELDS = ("first_name", "last_name", "username")
_RENAMED = "_freshness_renamed"


def _before_account_save(
    sender: type[Model],
    instance: Model,
    using: str = DEFAULT_DB_ALIAS,
    update_fields: Iterable[str] | None = None,
    **_kwargs: Any,
) -> None:
    """Note whether the save changes the account's name (one read of the stored name; a
    login saves only ``last_login`` and reads nothing). A new account names nothing yet."""
    renamed = False
    if update_fields is None or set(ACCOUNT_NAME_FIELDS) & set(update_fields):
        stored = (
            sender._default_manager.using(using)
            .filter(pk=instance.pk)
            .values_list(*ACCOUNT_NAME_FIELDS)
            .first()
            if instance.pk is not None
            else None
        )
        renamed = stored is not None and stored != tuple(
            getattr(instance, name) for name in ACCOUNT_NAME_FIELDS
        )
    setattr(instance, _RENAMED, renamed)


def _on_account_save(
    *,
    instance: Model,
    using: str = DEFAULT_DB_ALIAS,
    **_signal: Any,  # sender, created...
) -> None:
    """Accounts are not part of the record, but the lists name the staff an item is
    assigned to: a change of name counts as a change to the action items."""
    if instance.__dict__.pop(_RENAMED, False):
        bump(using, apps=["delegations"])


def _on_account_delete(*, using: str = DEFAULT_DB_ALIAS, **_signal: Any) -> None:
    """A deleted account leaves the items it was assigned to (no signal of their own)."""
    bump(using, apps=["delegations"])


def _on_bulk_write(
    *,
    using: str = DEFAULT_DB_ALIAS,
    apps: Iterable[str] | None = None,
    **_signal: object,  # the signal and its sender
) -> None:
    if apps is not None and "delegations" in apps:
        apps = [*apps, VISITS]  # which of its tables were written is not said
    bump(using, apps=apps)


def connect() -> None:
    """Listen to the record's models and to bulk writes (called from WorkspaceConfig.ready)."""
    from django.apps import apps

    bulk_written.connect(_on_bulk_write, dispatch_uid="freshness:bulk_written")
    account = get_user_model()
    pre_save.connect(_before_account_save, sender=account, dispatch_uid="freshness:account:pre")
    post_save.connect(_on_account_save, sender=account, dispatch_uid="freshness:account:save")
    post_delete.connect(_on_account_delete, sender=account, dispatch_uid="freshness:account:delete")

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
