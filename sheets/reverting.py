"""Undoing a confirmed import (issue 12, point 10).

A real import keeps on its log what it wrote (``ImportLog.changes``: the records it
created, batch by batch in the order written, and the records it updated). Reverting it,
all or nothing in one transaction:

* every record it created is deleted, last batch first (children before parents; the
  signatories and links it made go with their record). When something not made by that
  import now refers to one of them (a document attached since, a visit naming the
  agreement, a later agreement in the same partnership…), nothing is changed and the
  revert names each blocking record;
* every record it updated is put back as its history shows it just before the import.
  A record changed again since the import blocks the revert (its later change would be
  lost);
* the lists an update replaced (an agreement's fields of cooperation and signatories, a
  visit's agreements signed) are put back from the snapshot the import took of them
  just before it wrote (``ImportLog.changes["lists"]``, ``SheetResource.list_snapshot``).
  A signatory the import changed gets its values back, one it removed comes back with
  its id (both in history); links of a many-to-many field have no history of their own
  (the import's neither);
* the deletions and restorations are recorded in history by the administrator, with
  the reason "Import #N reverted", and the log keeps who reverted it and when.

It works in bulk: one query for the history of all the updated records, one bulk update
(with its history rows) per thousand records, one query per list to read and at most
two to put back; the records created are deleted batch by batch as they were written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models, router, transaction
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from common.sheetkit.resource import children_of, many_to_many
from common.sheetkit.writer import BATCH_SIZE

from .models import ImportLog

if TYPE_CHECKING:
    from django.contrib.auth.models import User

type Key = tuple[str, Any]  # (model label, pk)


class RevertRefusedError(Exception):
    """The revert would lose or break something: nothing was changed."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("\n".join(reasons))
        self.reasons = reasons


@dataclass
class Reverted:
    deleted: int = 0
    restored: int = 0
    blockers: list[str] = field(default_factory=list)


def _describe(obj: models.Model) -> str:
    return f"{obj._meta.verbose_name} “{obj}” (#{obj.pk})"


def _key(obj: models.Model) -> Key:
    return (obj._meta.label_lower, obj.pk)


def refusal_reason(log: ImportLog) -> str:
    """Why this log cannot be reverted at all ("" if it can be tried)."""
    if log.outcome != ImportLog.Outcome.IMPORTED:
        return _("This import was refused: it saved nothing to revert.")
    if log.reverted_at is not None:
        return _("This import has already been reverted.")
    if not log.changes.get("created") and not log.changes.get("updated"):
        return _("This import changed nothing that can be reverted.")
    return ""


def _batches(log: ImportLog) -> list[tuple[type[models.Model], list[Any]]]:
    return [(apps.get_model(label), pks) for label, pks in log.changes.get("created", [])]


def _created_keys(log: ImportLog) -> set[Key]:
    return {(model._meta.label_lower, pk) for model, pks in _batches(log) for pk in pks}


def _outside(collector: Collector, created: set[Key]) -> list[models.Model]:
    """What deleting the collected records would also delete that the import did not make."""
    found = [obj for objs in collector.data.values() for obj in objs if _key(obj) not in created]
    for qs in collector.fast_deletes:
        model = qs.model
        if model._meta.auto_created:
            # A link row (many-to-many) belongs to the record whose field it serves: the
            # import's own records' links go with them; a link from a record the import
            # did not make (a visit naming an imported agreement) is a reference.
            owner = _owner_field(model)
            found += [
                getattr(row, owner)
                for row in qs.select_related(owner)
                if _key(getattr(row, owner)) not in created
            ]
        else:
            found += [obj for obj in qs if _key(obj) not in created]
    return found


def _owner_field(through: type[models.Model]) -> str:
    """The link's field naming the record that holds the many-to-many field."""
    # The model holding the field (django-stubs declare a bool: "made by Django or not").
    holder: Any = through._meta.auto_created
    return next(
        f.name for f in through._meta.concrete_fields if f.is_relation and f.related_model is holder
    )


def _delete_created(log: ImportLog, user: User | None, outcome: Reverted) -> None:
    created = _created_keys(log)
    reason = _("Import #%(id)s reverted") % {"id": log.pk}
    for model, pks in reversed(_batches(log)):
        objs = list(model._default_manager.filter(pk__in=pks))
        collector = Collector(using=router.db_for_write(model))
        try:
            collector.collect(objs)
        except (models.ProtectedError, models.RestrictedError) as error:
            outcome.blockers += [
                _("%(record)s refers to a record this import created.") % {"record": _describe(obj)}
                for obj in error.args[1]
                if _key(obj) not in created
            ]
            continue
        outcome.blockers += [
            _("%(record)s would be deleted with the records this import created.")
            % {"record": _describe(obj)}
            for obj in _outside(collector, created)
        ]
        if outcome.blockers:
            continue
        for instances in collector.data.values():
            for obj in instances:
                obj._history_user = user  # type: ignore[attr-defined]  # simple-history's attribute
                obj._change_reason = reason  # type: ignore[attr-defined]  # simple-history's attribute
        collector.delete()
        outcome.deleted += len(objs)


def _history_around(model: type[models.Model], pks: list[Any]) -> dict[Any, list[Any]]:
    """Each record's last two history rows, newest first (one query for all of them)."""
    history: Any = model.history.model  # type: ignore[attr-defined]  # simple-history's manager
    pk_name = model._meta.pk.attname
    rows: dict[Any, list[Any]] = {}
    found = history.objects.filter(**{f"{pk_name}__in": pks}).select_related("history_user")
    for row in found.order_by(pk_name, "-history_date", "-history_id").iterator(BATCH_SIZE):
        kept = rows.setdefault(getattr(row, pk_name), [])
        if len(kept) < 2:  # noqa: PLR2004 — the import's row and the one before it
            kept.append(row)
    return rows


def _changed_since(obj: models.Model, latest: Any) -> str:
    return _("%(record)s was changed after the import (%(when)s, %(who)s).") % {
        "record": _describe(obj),
        "when": timezone.localtime(latest.history_date).strftime("%d/%m/%Y %H:%M"),
        "who": latest.history_user or "—",
    }


def _restore_updated(log: ImportLog, user: User | None, outcome: Reverted) -> None:
    reason = _("Import #%(id)s reverted") % {"id": log.pk}
    now = timezone.now()
    for label, pks in log.changes.get("updated", []):
        model = apps.get_model(label)
        history = _history_around(model, pks)
        restored: list[models.Model] = []
        for obj in model._default_manager.filter(pk__in=pks).order_by("pk"):
            rows = history.get(obj.pk, [])
            if not rows:
                continue
            if rows[0].history_date > log.created_at:
                outcome.blockers.append(_changed_since(obj, rows[0]))
                continue
            if len(rows) > 1:
                before = rows[1].instance
                if hasattr(obj, "version"):
                    before.version = obj.version + 1
                if hasattr(obj, "updated_at"):
                    before.updated_at = now
                restored.append(before)
        if outcome.blockers or not restored:
            continue
        history_fields = {f.attname for f in model.history.model._meta.concrete_fields}
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if not f.primary_key and f.attname in history_fields
        ]
        bulk_update_with_history(
            restored,
            model,
            fields=fields,
            batch_size=BATCH_SIZE,
            default_user=user,
            default_change_reason=reason,
        )
        outcome.restored += len(restored)


def _restore_lists(log: ImportLog, user: User | None) -> None:
    """The lists the import replaced, as its snapshot kept them."""
    for label, snapshot in log.changes.get("lists", []):
        model = apps.get_model(label)
        for name, lists in snapshot.get("m2m", {}).items():
            _restore_links(model, name, lists)
        for name, kept in snapshot.get("children", {}).items():
            _restore_children(model, name, kept, user, log)


def _restore_links(model: type[models.Model], name: str, lists: dict[str, list[Any]]) -> None:
    through, source, target = many_to_many(model, name)
    wanted = {(int(pk), other) for pk, others in lists.items() for other in others}
    owners = [int(pk) for pk in lists]
    links = through._default_manager.filter(**{f"{source}__in": owners})
    have = set(links.values_list(source, target))
    changed = {pk for pk, _other in wanted ^ have}
    if not changed:
        return
    through._default_manager.filter(**{f"{source}__in": changed}).delete()
    through._default_manager.bulk_create(
        [through(**{source: pk, target: other}) for pk, other in wanted if pk in changed],
        batch_size=BATCH_SIZE,
    )


def _restore_children(
    model: type[models.Model],
    name: str,
    kept: dict[str, Any],
    user: User | None,
    log: ImportLog,
) -> None:
    """The rows of a reverse relation as they were: those the import changed get their
    values back, those it deleted come back with their ids (the rows it created go with
    the rest of what it created, ``_delete_created``)."""
    child_model, owner = children_of(model, name)
    fields = ["pk", *kept["fields"]]
    reason = _("Import #%(id)s reverted") % {"id": log.pk}
    wanted = {
        values[0]: dict(zip(fields[1:], values[1:], strict=True))
        for entries in kept["rows"].values()
        for values in entries
    }
    owners = {values[0]: int(pk) for pk, entries in kept["rows"].items() for values in entries}
    stored = {c.pk: c for c in child_model._default_manager.filter(pk__in=wanted)}
    changed = []
    for pk, child in stored.items():
        if any(getattr(child, f) != value for f, value in wanted[pk].items()):
            for f, value in wanted[pk].items():
                setattr(child, f, value)
            changed.append(child)
    if changed:
        bulk_update_with_history(
            changed,
            child_model,
            fields=[child_model._meta.get_field(f.removesuffix("_id")).name for f in fields[1:]],
            batch_size=BATCH_SIZE,
            default_user=user,
            default_change_reason=reason,
        )
    missing = [
        child_model(pk=pk, **{owner: owners[pk], **values})
        for pk, values in wanted.items()
        if pk not in stored
    ]
    bulk_create_with_history(
        missing, child_model, batch_size=BATCH_SIZE, default_user=user, default_change_reason=reason
    )


class _DryRunError(Exception):
    """Leaves the transaction of a trial revert, undoing it."""


def revert_import(log: ImportLog, user: User | None, *, dry_run: bool = False) -> Reverted:
    """Undo ``log``'s import, all or nothing; raises ``RevertRefusedError`` (nothing changed).

    ``dry_run``: do it and undo it, to say what it would do (the confirmation page).
    """
    reason = refusal_reason(log)
    if reason:
        raise RevertRefusedError([reason])
    outcome = Reverted()
    try:
        with transaction.atomic():
            log = ImportLog.objects.select_for_update().get(pk=log.pk)
            reason = refusal_reason(log)
            if reason:
                raise RevertRefusedError([reason])
            _restore_updated(log, user, outcome)
            if not outcome.blockers:
                # First, so that the links from updated records to created ones are gone.
                _restore_lists(log, user)
            _delete_created(log, user, outcome)
            if outcome.blockers:  # leaving the block by an exception undoes everything
                raise RevertRefusedError(outcome.blockers)
            if dry_run:
                raise _DryRunError
            log.reverted_at = timezone.now()
            log.reverted_by = user
            log.save(update_fields=["reverted_at", "reverted_by"])
    except _DryRunError:
        pass
    return outcome
