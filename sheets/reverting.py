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
* the deletions and restorations are recorded in history by the administrator, with
  the reason "Import #N reverted", and the log keeps who reverted it and when.

Not restored: lists replaced on update (fields of cooperation, signatories, agreements
signed at a visit) stay as the import left them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models, router, transaction
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _

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


def _restore_updated(log: ImportLog, user: User | None, outcome: Reverted) -> None:
    reason = _("Import #%(id)s reverted") % {"id": log.pk}
    for label, pks in log.changes.get("updated", []):
        model = apps.get_model(label)
        for obj in model._default_manager.filter(pk__in=pks).order_by("pk"):
            history = obj.history.order_by("-history_date", "-history_id")
            latest = history.first()
            if latest is None:
                continue
            if latest.history_date > log.created_at:
                outcome.blockers.append(
                    _("%(record)s was changed after the import (%(when)s, %(who)s).")
                    % {
                        "record": _describe(obj),
                        "when": timezone.localtime(latest.history_date).strftime("%d/%m/%Y %H:%M"),
                        "who": latest.history_user or "—",
                    }
                )
                continue
            before = latest.prev_record
            if before is None or outcome.blockers:
                continue
            restored = before.instance
            if hasattr(obj, "version"):
                restored.version = obj.version + 1
            restored._history_user = user
            restored._change_reason = reason
            restored.save()
            outcome.restored += 1


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
