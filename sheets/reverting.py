"""Undoing a confirmed import (issue 12, point 10).

A real import keeps on its log what it wrote (``ImportLog.changes``: the records it
created, batch by batch in the order written, and the records it updated). Reverting it,
all or nothing in one transaction:

* every record it created is deleted (the signatories and links it made go with their
  record). When something not made by that import now refers to one of them (a document
  attached since, a visit naming the agreement, a later agreement in the same
  partnership, an action item…), nothing is changed and the revert names the blocking
  records (twenty per relation, the rest counted);
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

It works in bulk: one query for the history of all the updated records, one
``UPDATE … FROM`` their history rows and one ``INSERT … SELECT`` for the new history
rows, one query per list to read and at most two to put back; for the records created,
one query per relation that could refer to them, then per model one statement for its
deletion history rows (``INSERT … SELECT``), one per many-to-many table and one
``DELETE``, however many records (10,000 created agreements: 5 minutes through Django's
collector before, 16 s now; figures in bench/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from common.bulk_writes import announce_bulk_write
from common.sheetkit.resource import children_of, many_to_many
from common.sheetkit.writer import (
    BATCH_SIZE,
    delete_links,
    delete_with_history,
    insert_history,
    member_of,
    quoted_column,
)

from .models import ImportLog

if TYPE_CHECKING:
    from django.contrib.auth.models import User


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


def refusal_reason(log: ImportLog) -> str:
    """Why this log cannot be reverted at all ("" if it can be tried)."""
    if log.outcome != ImportLog.Outcome.IMPORTED:
        return _("This import was refused: it saved nothing to revert.")
    if log.reverted_at is not None:
        return _("This import has already been reverted.")
    if not log.changes.get("created") and not log.changes.get("updated"):
        return _("This import changed nothing that can be reverted.")
    return ""


def _created(log: ImportLog) -> dict[type[models.Model], list[Any]]:
    """The records the import created, per model, the models in the order first written."""
    created: dict[type[models.Model], list[Any]] = {}
    for label, pks in log.changes.get("created", []):
        created.setdefault(apps.get_model(label), []).extend(pks)
    return created


def _references(model: type[models.Model]) -> list[models.ForeignObjectRel]:
    """Every relation by which rows (of any table, links included) refer to ``model``'s;
    not the history's rows (DO_NOTHING, no constraint), which keep their ids on purpose."""
    return [
        rel
        for rel in model._meta.get_fields(include_hidden=True)
        if isinstance(rel, models.ForeignObjectRel)
        and (rel.one_to_many or rel.one_to_one)
        and rel.on_delete is not models.DO_NOTHING
    ]


def _owner_field(through: type[models.Model]) -> models.Field[Any, Any]:
    """The link's field naming the record that holds the many-to-many field."""
    # The model holding the field (django-stubs declare a bool: "made by Django or not").
    holder: Any = through._meta.auto_created
    return next(
        f for f in through._meta.concrete_fields if f.is_relation and f.related_model is holder
    )


SHOWN_BLOCKERS = 20  # records named per relation; the rest are counted


def _blockers(
    model: type[models.Model], pks: list[Any], created: dict[type[models.Model], list[Any]]
) -> list[str]:
    """What, not made by the import, refers to these records it made: one query per
    relation (and, only when something blocks, one to name them and one to count more).

    A link row (many-to-many) belongs to the record whose field it serves: the links of
    the import's own records go with them; a link from a record the import did not make
    (a visit naming an imported agreement) is a reference by that record."""
    quote = connection.ops.quote_name
    reasons: list[str] = []
    for rel in _references(model):
        referring = rel.related_model
        fk = rel.field
        if referring._meta.auto_created:
            owner = _owner_field(referring)
            if owner is fk:
                continue
            who: type[models.Model] = owner.related_model  # type: ignore[assignment]  # a model here
            who_column = quoted_column(owner)
            message = _("%(record)s refers to a record this import created.")
        else:
            who, who_column = referring, quoted_column(referring._meta.pk)
            message = (
                _("%(record)s would be deleted with the records this import created.")
                if rel.on_delete is models.CASCADE
                else _("%(record)s refers to a record this import created.")
            )
        target = fk.target_field
        if target.primary_key:
            refers, refers_params = member_of(quoted_column(fk), pks)
        else:  # a key to another unique column of the record
            inner, inner_params = member_of(quoted_column(model._meta.pk), pks)
            refers = (
                f"{quoted_column(fk)} IN (SELECT {quoted_column(target)} "  # noqa: S608 -- names quoted from the models
                f"FROM {quote(model._meta.db_table)} WHERE {inner})"
            )
            refers_params = inner_params
        outside, outside_params = member_of(who_column, created.get(who, []), negated=True)
        sql = (
            f"SELECT DISTINCT {who_column} FROM {quote(referring._meta.db_table)} "  # noqa: S608 -- names quoted from the models
            f"WHERE {refers} AND {outside}"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"{sql} ORDER BY 1 LIMIT {SHOWN_BLOCKERS + 1}", [*refers_params, *outside_params]
            )
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                continue
            more = 0
            if len(ids) > SHOWN_BLOCKERS:
                cursor.execute(
                    f"SELECT COUNT(*) FROM ({sql}) AS blocking",  # noqa: S608 -- built above
                    [*refers_params, *outside_params],
                )
                more = cursor.fetchone()[0] - SHOWN_BLOCKERS
        shown = who._base_manager.filter(pk__in=ids[:SHOWN_BLOCKERS]).order_by("pk")
        reasons += [message % {"record": _describe(obj)} for obj in shown]
        if more:
            reasons.append(
                ngettext(
                    "… and %(count)s more %(name)s.",
                    "… and %(count)s more %(name)s.",
                    more,
                )
                % {"count": more, "name": who._meta.verbose_name_plural}
            )
    return reasons


def _delete_created(log: ImportLog, user: User | None, outcome: Reverted) -> None:
    """Delete what the import created, with set-based SQL (issue 12, point 10).

    First every relation to every model it created is checked (one query each); when
    nothing else refers to them, per model (last written first): the links to and from
    its records, then its records, each copied into the history as a deletion in the same
    statement's set (``delete_with_history``): a fixed number of queries however many
    records, no model loaded, no collector, no signal (``revert_import`` announces the change)."""
    created = _created(log)
    for model, pks in created.items():
        outcome.blockers += _blockers(model, pks, created)
    if outcome.blockers:
        return
    reason = _("Import #%(id)s reverted") % {"id": log.pk}
    for model, pks in reversed(created.items()):
        for rel in _references(model):
            if rel.related_model._meta.auto_created:
                delete_links(rel.related_model, rel.field, pks)
        outcome.deleted += delete_with_history(model, pks, user, reason)


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
    for label, pks in log.changes.get("updated", []):
        model = apps.get_model(label)
        history = _history_around(model, pks)
        restored: list[tuple[Any, Any]] = []  # (record id, history row to put back)
        for obj in model._default_manager.filter(pk__in=pks).order_by("pk"):
            rows = history.get(obj.pk, [])
            if not rows:
                continue
            if rows[0].history_date > log.created_at:
                outcome.blockers.append(_changed_since(obj, rows[0]))
                continue
            if len(rows) > 1:
                restored.append((obj.pk, rows[1].history_id))
        if outcome.blockers or not restored:
            continue
        _put_back(model, [history_id for _pk, history_id in restored])
        insert_history(model, [pk for pk, _history_id in restored], user, reason, "~")
        outcome.restored += len(restored)


def _put_back(model: type[models.Model], history_ids: list[Any]) -> None:
    """Every field the history keeps back as these history rows hold it, in one
    ``UPDATE … FROM`` (Django's ``bulk_update`` built a CASE per field and row: 1,000
    agreements took ~25 s of CPU to compile); a restored record is a new version."""
    quote = connection.ops.quote_name
    meta = model._meta
    history_meta = model.history.model._meta  # type: ignore[attr-defined]  # simple-history's manager
    kept = {f.attname for f in history_meta.concrete_fields}
    table = quote(meta.db_table)
    sets: list[str] = []
    params: list[Any] = []
    for f in meta.concrete_fields:
        if f.primary_key or f.attname not in kept or not f.column:
            continue
        column = quoted_column(f)
        if f.attname == "version":
            sets.append(f"{column} = {table}.{column} + 1")
        elif f.attname == "updated_at":
            sets.append(f"{column} = %s")
            params.append(connection.ops.adapt_datetimefield_value(timezone.now()))
        else:
            sets.append(f"{column} = h.{column}")
    where, where_params = member_of(f"h.{quoted_column(history_meta.pk)}", history_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {', '.join(sets)} FROM {quote(history_meta.db_table)} AS h "  # noqa: S608 -- names quoted from the models
            f"WHERE {where} AND {table}.{quoted_column(meta.pk)} = h.{quoted_column(meta.pk)}",
            [*params, *where_params],
        )


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
            # Written without model signals: what is cached from the record learns of it
            # when the transaction commits (workspace/freshness.py).
            announce_bulk_write(
                apps={
                    label.partition(".")[0]
                    for part in ("created", "updated", "lists")
                    for label, _entries in log.changes.get(part, [])
                }
            )
            log.reverted_at = timezone.now()
            log.reverted_by = user
            log.save(update_fields=["reverted_at", "reverted_by"])
    except _DryRunError:
        pass
    return outcome
