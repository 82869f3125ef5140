"""A record's history as people read it: who, when, what changed (old → new).

Built on django-simple-history's rows, in a bounded number of queries whatever
the length of the history: one for the record's rows (with their users), one per
many-to-many field, one to know which kinds of child record have history, one per such
kind (a visit's participants…), and one per kind of record referred to by a changed
foreign key (to print names).

The rows of one workspace save (the record, then its many-to-many changes, all
with the same ``version`` and user) are shown as one entry. A date stored with a
precision (``signed_on`` + ``signed_on_precision``) is shown as one value the way
it was known (``2004``, ``12/2023``, ``07/12/2023``).

Templates: ``{% load record_history %}{% record_history agreement "signatories documents" %}``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import (
    get_history_manager_for_model,
    get_history_model_for_model,
    get_m2m_reverse_field_name,
)

from common.partialdate import PartialDate

LIMIT = 30
TEXT_LIMIT = 240
SKIPPED = {"id", "created_at", "updated_at", "version"}
EMPTY = "—"
GROUP_WINDOW = dt.timedelta(seconds=60)
# From this many kinds of child record on, which of them have history is asked first (one
# query) rather than each kind's table in turn: with two, that query would save none.
ASK_FIRST_FROM = 3

# A history row: an instance of the model simple-history builds at run time.
type HistoryRow = Any
# {(history_id, m2m field name): the target ids at that row, in the order they were linked}
type M2MValues = dict[tuple[int, str], tuple[Any, ...]]


class _Ref:
    """A placeholder for a related record's name, filled in by one query per model."""

    def __init__(self, model: type[models.Model], pk: Any) -> None:
        self.model, self.pk = model, pk


class _Text:
    def __init__(self, parts: list[str | _Ref]) -> None:
        self.parts = parts


# What an entry shows before ``_Resolver.resolve`` has fetched the names: text, or text
# with placeholders; ``record_history`` turns every one into ``str`` before returning.
type Shown = str | _Text


@dataclass
class Change:
    label: str
    old: Shown
    new: Shown


@dataclass
class Entry:
    when: dt.datetime
    user: object
    action: str  # created / changed / deleted
    subject: Shown = ""  # "" for the record itself, else e.g. "participant: Nguyễn Văn A"
    changes: list[Change] = field(default_factory=list)
    # A child record's removal that is still its latest row: (app_label.model_name, id),
    # what ``restore_deleted`` takes to bring it back.
    restorable: tuple[str, Any] | None = None

    @property
    def action_label(self) -> str:
        return str(
            {"created": _("created"), "changed": _("changed"), "deleted": _("deleted")}[self.action]
        )


@dataclass(frozen=True)
class _Source:
    """Whose history rows are turned into entries: the record's, or one kind of child's."""

    model: type[models.Model]
    subject: str | None = None  # the child records' name ("participant"); None for the record
    skip: Collection[str] = frozenset()  # attnames not compared (a child's link to the record)
    m2m: M2MValues = field(default_factory=dict)


ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def record_history(
    obj: models.Model, children: Sequence[str] = (), *, limit: int = LIMIT
) -> list[Entry]:
    """The newest ``limit`` entries of ``obj``'s history and its children's, newest first."""
    model = type(obj)
    resolver = _Resolver()
    rows = list(
        get_history_manager_for_model(obj)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit * 3]
    )
    source = _Source(model, m2m=_m2m_values(model, rows))
    entries = _entries_for(source, _grouped(rows), resolver)
    for related_name in _children_with_history(obj, children):
        entries += _child_entries(obj, related_name, resolver, limit=limit)
    entries.sort(key=lambda e: e.when, reverse=True)
    entries = entries[:limit]
    resolver.resolve()
    for entry in entries:
        entry.subject = resolver.text(entry.subject)
        for change in entry.changes:
            change.old, change.new = resolver.text(change.old), resolver.text(change.new)
    return entries


def _child_relation(obj: models.Model, related_name: str) -> tuple[type[models.Model], str]:
    """The model of the child records ``obj.<related_name>`` and their link's attname."""
    relation = type(obj)._meta.get_field(related_name)
    if not isinstance(relation, models.ForeignObjectRel):
        raise TypeError(f"{related_name!r} is not a list of child records of {type(obj).__name__}")
    return _related_model(relation), relation.field.attname


def _children_with_history(obj: models.Model, children: Sequence[str]) -> list[str]:
    """The kinds of child records that have history rows for ``obj``, asked in one query
    (issue 16: a visit's page read nine historical tables, most of them empty for it).
    Written out: compiling nine ORM ``Exists`` cost ~3 ms of CPU, PostgreSQL ~0.1 ms."""
    if len(children) < ASK_FIRST_FROM:
        return list(children)
    quote = connection.ops.quote_name
    checks = []
    for related_name in children:
        child_model, fk_name = _child_relation(obj, related_name)
        # The history table keeps the child's link column under the same name.
        link = cast("models.Field[Any, Any]", child_model._meta.get_field(fk_name))
        table = quote(get_history_model_for_model(child_model)._meta.db_table)
        column = f"{table}.{quote(str(link.column))}"
        checks.append(f"EXISTS (SELECT 1 FROM {table} WHERE {column} = %s)")  # noqa: S608 (the models' own quoted names)
    sql = f"SELECT {', '.join(checks)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [obj.pk] * len(checks))
        present = cursor.fetchone()
    return [name for name, has in zip(children, present, strict=True) if has]


def _child_entries(
    obj: models.Model, related_name: str, resolver: _Resolver, *, limit: int
) -> list[Entry]:
    """The entries of the child records ``obj.<related_name>`` (each child's rows apart)."""
    child_model, fk_name = _child_relation(obj, related_name)
    child_rows = list(
        get_history_manager_for_model(child_model)
        .filter(**{fk_name: obj.pk})
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
    by_child: defaultdict[Any, list[HistoryRow]] = defaultdict(list)
    for row in child_rows:
        by_child[row.id].append(row)
    source = _Source(child_model, subject=str(child_model._meta.verbose_name), skip={fk_name})
    entries: list[Entry] = []
    for rows_of_one in by_child.values():
        entries_of_one = _entries_for(source, [[r] for r in rows_of_one], resolver)
        if entries_of_one and rows_of_one[0].history_type == "-":
            entries_of_one[0].restorable = (child_model._meta.label_lower, rows_of_one[0].id)
        entries += entries_of_one
    return entries


def _grouped(rows: Iterable[HistoryRow]) -> list[list[HistoryRow]]:
    """Consecutive rows (newest first) of one save: same version, same user, within a minute."""
    groups: list[list[HistoryRow]] = []
    for row in rows:
        if groups:
            last = groups[-1][-1]
            if (
                "~" in (row.history_type, last.history_type)
                and last.history_type != "+"
                and _same_save(row, last)
            ):
                groups[-1].append(row)
                continue
        groups.append([row])
    return groups


def _same_save(a: HistoryRow, b: HistoryRow) -> bool:
    return (
        getattr(a, "version", None) == getattr(b, "version", None)
        and a.history_user_id == b.history_user_id
        and abs(a.history_date - b.history_date) <= GROUP_WINDOW
    )


def _tracked_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    names = []
    for f in model._meta.concrete_fields:
        if f.name in SKIPPED or not f.editable or f.name.endswith("_precision"):
            continue
        names.append(f)
    return names


@functools.cache
def _m2m_fields(model: type[models.Model]) -> tuple[models.ManyToManyField[Any, Any], ...]:
    """The model's many-to-many fields its history tracks. Worked out once per model: it
    is asked for every entry of a record's history, and simple-history builds a new
    manager class each time its history model is looked up (an action item's page spent
    ~8 ms of its ~30 on it, issue 16)."""
    history_model = get_history_model_for_model(model)
    return tuple(
        f
        for f in model._meta.many_to_many
        if isinstance(f, models.ManyToManyField)
        and f in getattr(history_model, "_history_m2m_fields", [])
    )


def _m2m_values(model: type[models.Model], rows: Iterable[HistoryRow]) -> M2MValues:
    """{(history_id, field name): target ids} for every row, one query per m2m field; in
    the order they were linked (the link's id, which its history row keeps), the order the
    record's page lists them in (an action item's assignees)."""
    values: M2MValues = {}
    ids = [r.history_id for r in rows]
    for f in _m2m_fields(model):
        if not ids:
            continue
        history_m2m = getattr(get_history_model_for_model(model), f.name).model
        target = get_m2m_reverse_field_name(f)
        per_row: defaultdict[int, list[Any]] = defaultdict(list)
        links = history_m2m.objects.filter(history_id__in=ids).order_by("id", "m2m_history_id")
        for history_id, target_id in links.values_list("history_id", f"{target}_id"):
            per_row[history_id].append(target_id)
        for history_id in ids:
            values[(history_id, f.name)] = tuple(per_row.get(history_id, ()))
    return values


def _entries_for(
    source: _Source, groups: list[list[HistoryRow]], resolver: _Resolver
) -> list[Entry]:
    """One entry per group of rows (newest first); each is diffed against the next group."""
    model, subject, m2m = source.model, source.subject, source.m2m
    entries = []
    fields = [f for f in _tracked_fields(model) if f.attname not in source.skip]
    for index, group in enumerate(groups):
        newest, oldest = group[0], group[-1]
        previous = groups[index + 1][0] if index + 1 < len(groups) else None
        action = (
            ACTIONS[oldest.history_type]
            if oldest.history_type == "+"
            else ACTIONS[newest.history_type]
        )
        if action == "changed" and previous is None:
            continue  # the row it changed is beyond the window: nothing to compare with
        changes: list[Change] = []
        if action == "changed":
            for f in fields:
                change = _field_change(f, previous, newest, resolver)
                if change:
                    changes.append(change)
            for f in _m2m_fields(model) if m2m else ():
                old = m2m.get((previous.history_id, f.name), ()) if previous else ()
                new = m2m.get((newest.history_id, f.name), ())
                if set(old) != set(new):  # relinked in another order: not a change shown
                    related = f.related_model
                    changes.append(
                        Change(
                            str(f.verbose_name),
                            resolver.many(related, old),
                            resolver.many(related, new),
                        )
                    )
        if action == "changed" and not changes:
            continue
        label: Shown = ""
        if subject:
            label = resolver.join(str(subject), ": ", _row_label(model, newest, resolver))
        entries.append(
            Entry(
                when=newest.history_date,
                user=newest.history_user,
                action=action,
                subject=label,
                changes=changes,
            )
        )
    return entries


def _row_label(model: type[models.Model], row: HistoryRow, resolver: _Resolver) -> Shown:
    for name in ("title", "person", "note", "name", "full_name"):
        try:
            f = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(f, models.Field) and f.is_relation:
            return resolver.one(_related_model(f), getattr(row, f.attname))
        return _short(getattr(row, name))
    return str(row.id)


def _field_change(
    f: models.Field[Any, Any],
    previous: HistoryRow | None,
    row: HistoryRow,
    resolver: _Resolver,
) -> Change | None:
    precision = f"{f.attname}_precision"
    has_precision = hasattr(row, precision)

    def value(r: HistoryRow | None) -> Any:
        if r is None:
            return None
        if has_precision:
            return PartialDate.of(getattr(r, f.attname), getattr(r, precision))
        return getattr(r, f.attname)

    old, new = value(previous), value(row)
    if old == new or (previous is None and new in (None, "", False)):
        return None
    return Change(str(f.verbose_name), _show(f, old, resolver), _show(f, new, resolver))


def _short(text: object) -> str:
    text = str(text or "")
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def _show(f: models.Field[Any, Any], value: object, resolver: _Resolver) -> Shown:
    if value is None or value == "":
        return EMPTY
    if f.is_relation:
        return resolver.one(_related_model(f), value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    return _formatted(value)


def _formatted(value: object) -> str:
    """A stored value as people write it (dates day first, yes/no)."""
    if isinstance(value, PartialDate):
        return value.format()
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return _short(value)


def _related_model(f: models.Field[Any, Any] | models.ForeignObjectRel) -> type[models.Model]:
    related = f.related_model
    if not isinstance(related, type):  # a lazy "app.Model" string is resolved once apps load
        raise TypeError(f"{f} has no related model")
    return related


class _Resolver:
    def __init__(self) -> None:
        self.wanted: defaultdict[type[models.Model], set[Any]] = defaultdict(set)
        self.names: dict[tuple[type[models.Model], Any], str] = {}

    def one(self, model: type[models.Model], pk: Any) -> Shown:
        if pk is None:
            return EMPTY
        self.wanted[model].add(pk)
        return _Text([_Ref(model, pk)])

    def many(self, model: type[models.Model], pks: Sequence[Any]) -> Shown:
        if not pks:
            return EMPTY
        parts: list[str | _Ref] = []
        for pk in pks:
            if parts:
                parts.append(", ")
            self.wanted[model].add(pk)
            parts.append(_Ref(model, pk))
        return _Text(parts)

    def join(self, *pieces: Shown) -> _Text:
        parts: list[str | _Ref] = []
        for piece in pieces:
            parts += piece.parts if isinstance(piece, _Text) else [piece]
        return _Text(parts)

    def resolve(self) -> None:
        for model, pks in self.wanted.items():
            related = [
                f.name
                for f in model._meta.concrete_fields
                if f.many_to_one and f.related_model is not model
            ]
            manager = model._default_manager
            objs = (manager.select_related(*related) if related else manager).in_bulk(list(pks))
            for pk, obj in objs.items():
                self.names[(model, pk)] = str(obj)

    def text(self, value: Shown) -> str:
        if not isinstance(value, _Text):
            return str(value or "")
        out = []
        for part in value.parts:
            if isinstance(part, _Ref):
                name = self.names.get((part.model, part.pk))
                out.append(
                    name if name is not None else str(_("#%(pk)s (deleted)") % {"pk": part.pk})
                )
            else:
                out.append(str(part))
        return "".join(out)


class NotRestorableError(Exception):
    """The record is not deleted, was never recorded, or what it refers to is gone."""


def restore_deleted(model: type[models.Model], pk: Any) -> models.Model:
    """Bring back a deleted record (a signatory, a document, a participant, a programme
    item…) as it was when deleted, with its id, from its last history row, and its
    many-to-many links (a programme item's counterparts) as they stood just before, less
    any linked record deleted since. The restore is itself recorded (a "created" row by
    whoever restores, simple-history's request user or ``HistoricalRecords.thread.request``,
    then a "changed" row with the links). Run it inside a transaction."""
    label = f"{model._meta.verbose_name} {pk}"
    try:
        if model._default_manager.filter(pk=pk).exists():
            raise NotRestorableError(
                _("%(record)s exists: nothing to restore.") % {"record": label}
            )
    except (ValueError, TypeError) as error:  # an id of the wrong type
        raise NotRestorableError(_("No such record: %(record)s.") % {"record": label}) from error
    history = get_history_manager_for_model(model)
    rows = history.filter(id=pk).order_by("-history_date", "-history_id")
    last = rows.first()
    if last is None or last.history_type != "-":
        raise NotRestorableError(
            _("%(record)s has no deletion in its history.") % {"record": label}
        )
    record = last.instance
    _check_links_exist(model, record, label)
    links = _links_before_deletion(model, rows.exclude(history_type="-").first())
    try:
        with transaction.atomic():  # a refusal leaves the caller's transaction usable
            record.save(force_insert=True)
            for name, ids in links.items():
                if ids:
                    getattr(record, name).set(ids)
    except IntegrityError as error:  # a rule met since: the same person added again…
        raise NotRestorableError(
            _(
                "%(record)s cannot be restored: it clashes with what its record holds now "
                "(added again since?)."
            )
            % {"record": label}
        ) from error
    except Exception as error:
        raise NotRestorableError(
            _("%(record)s cannot be restored: %(error)s") % {"record": label, "error": error}
        ) from error
    return record


def _check_links_exist(model: type[models.Model], record: models.Model, label: str) -> None:
    for link in model._meta.concrete_fields:
        target = getattr(record, link.attname)
        if link.is_relation and target is not None and link.related_model is not None:
            related = link.related_model
            if not related._default_manager.filter(pk=target).exists():
                raise NotRestorableError(
                    _("%(record)s cannot be restored: its %(name)s %(target)s is gone.")
                    % {"record": label, "name": related._meta.verbose_name, "target": target}
                )


def _links_before_deletion(
    model: type[models.Model], before: HistoryRow | None
) -> dict[str, list[Any]]:
    """{m2m field name: the ids still there} as of the row before the deletion (the deletion's
    own row records none: Django removes the links before the record)."""
    if before is None:
        return {}
    values = _m2m_values(model, [before])
    links: dict[str, list[Any]] = {}
    for f in _m2m_fields(model):
        ids = values.get((before.history_id, f.name), ())
        target = f.related_model
        links[f.name] = (
            list(target._default_manager.filter(pk__in=ids).values_list("pk", flat=True))
            if ids and isinstance(target, type)
            else []
        )
    return links
