"""The one bulk writer with history that every sheet uses (issue 12, point 1).

``create_with_history`` inserts a batch of new records and their "created" history rows;
``add_links`` many-to-many rows. On PostgreSQL the records and links load with COPY and
the history rows are copied from the records by the database (``INSERT … SELECT``);
elsewhere they fall back on django-simple-history's ``bulk_create_with_history`` and
``bulk_create``.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, get_history_model_for_model

from .queries import array_literal

if TYPE_CHECKING:
    import datetime as dt

    from django.contrib.auth.models import AnonymousUser, User

    # Who an import is run by: history rows and the log name them (None: the command line).
    type Editor = User | AnonymousUser | None

BATCH_SIZE = 1000


def _copy_rows(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    meanwhile: Callable[[], None] | None = None,
) -> None:
    """COPY ``rows`` into ``table``; ``meanwhile()``, if given, is called once they are all
    sent, while the database is still writing them (it must not query)."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
        if meanwhile is not None:
            meanwhile()


def _same(value: object) -> object:
    return value


type Preparer = Callable[[Any], object]


def _preparers(fields: Iterable[models.Field[Any, Any]]) -> list[tuple[str, Preparer]]:
    """(attname, to database value) per field: psycopg adapts all but a few types itself."""
    result: list[tuple[str, Preparer]] = []
    for f in fields:
        if (
            type(f) in (models.CharField, models.TextField, models.SlugField)  # not CountryField
            or f.is_relation
            or f.get_internal_type()
            in (
                "AutoField",
                "BigAutoField",
                "IntegerField",
                "PositiveIntegerField",
                "PositiveSmallIntegerField",
                "PositiveBigIntegerField",
                "DateField",
                "DateTimeField",
                "BooleanField",
                "DecimalField",
            )
        ):
            prep: Preparer = _same
        else:  # CountryField (a Country object in Python), choices, anything unusual
            prep = functools.partial(_db_value, f)
        result.append((f.attname, prep))
    return result


def _db_value(field: models.Field[Any, Any], value: object) -> object:
    return field.get_db_prep_save(value, connection)


# The records an import creates, batch by batch in the order written (``recording_creates``):
# what reverting the import deletes, last batch first (sheets/reverting.py). Each batch is
# (model label, primary keys).
type CreatedBatch = tuple[str, list[Any]]
_created_batches: contextvars.ContextVar[list[CreatedBatch] | None] = contextvars.ContextVar(
    "created_batches", default=None
)


@contextlib.contextmanager
def recording_creates() -> Iterator[list[CreatedBatch]]:
    """Collect every batch ``create_with_history`` and ``insert_rows_with_history`` write
    inside the block, as (model label, primary keys)."""
    batches: list[CreatedBatch] = []
    token = _created_batches.set(batches)
    try:
        yield batches
    finally:
        _created_batches.reset(token)


def reserve_ids(objs: Sequence[models.Model], model: type[models.Model]) -> bool:
    """Give ``objs`` their primary keys now, from the table's sequence, where the database
    can (PostgreSQL): records that refer to each other (an agreement and the one it renews)
    can then be written in one batch, ``create_with_history(…, reserved=True)``. False
    elsewhere: the records get their keys when written, referred-to records first."""
    if connection.vendor != "postgresql":
        return False
    if objs:
        for obj, new_id in zip(objs, _new_ids(model, len(objs)), strict=True):
            obj.pk = new_id
    return True


def create_with_history[M: models.Model](
    objs: Sequence[M],
    model: type[M],
    user: Editor,
    *,
    reserved: bool = False,
    meanwhile: Callable[[], None] | None = None,
) -> None:
    """Insert ``objs`` and their "created" history rows (by ``user``) in two statements.

    On PostgreSQL the ids are taken from the table's sequence up front (or were, by
    ``reserve_ids``: ``reserved``), the records are loaded with COPY (every constraint
    is still checked by the database) and their history rows copied from them in the
    database; elsewhere django-simple-history's ``bulk_create_with_history`` does the
    same more slowly. ``meanwhile()``, if given, is called once: when the records are
    sent, while the database writes them (PostgreSQL: a 10,000-row sheet's agreements
    keep it busy for a good second after the last one is sent), for work that needs no
    query; elsewhere, or with nothing to write, after.

    Why not ``bulk_create_with_history`` on PostgreSQL too (issue 12, point 1): measured on
    bench/imports.py's 10,000-row csv import, median of 3, 2 cores shared, load average
    8.2-9.1: this COPY writer 289 rows/s (34.6 s wall, 6.1 s CPU of the process),
    ``bulk_create_with_history`` 185 rows/s (54.1 s wall, 7.9 s CPU). It costs about
    30 % more CPU and 55 % more time on the same machine, so the COPY writer stays.
    """
    if not objs or connection.vendor != "postgresql":
        if objs:
            bulk_create_with_history(objs, model, batch_size=BATCH_SIZE, default_user=user)
            _record(model, [obj.pk for obj in objs])
        if meanwhile is not None:
            meanwhile()
        return
    now = timezone.now()
    ids = [obj.pk for obj in objs] if reserved else _new_ids(model, len(objs))
    _record(model, ids)
    stamped = [
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]

    def prepared() -> Iterator[M]:
        # Each record made ready as it is copied, while the database writes the ones
        # before it.
        for obj, new_id in zip(objs, ids, strict=True):
            # What bulk_create does first: a private Django method, absent from django-stubs.
            obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]  # private Django API
            for name in stamped:
                setattr(obj, name, now)
            obj.pk = new_id
            obj._state.adding, obj._state.db = False, "default"
            yield obj

    _copy_with_history(
        model,
        prepared(),
        ids,
        getter=operator.attrgetter,
        now=now,
        user=user,
        meanwhile=meanwhile,
    )


def _copy_with_history[R](  # noqa: PLR0913 — keyword-only: how to read a record, when, by whom
    model: type[models.Model],
    records: Iterable[R],
    ids: Sequence[object],
    *,
    getter: Callable[..., Callable[[R], Any]],
    now: dt.datetime,
    user: Editor,
    meanwhile: Callable[[], None] | None = None,
) -> None:
    """COPY ``records`` (their ids ``ids``, already set; ``getter(*attnames)`` reads fields
    of one: ``operator.attrgetter`` for model instances, ``itemgetter`` for row dicts), then
    their "created" history rows (``insert_history``: the values as stored, so the history
    holds what the table does)."""
    fields = list(model._meta.concrete_fields)
    _copy_rows(
        model._meta.db_table,
        [f.column for f in fields if f.column],
        map(_row_maker(fields, getter), records),
        meanwhile,
    )
    # The history rows copied from the rows just written, in the database: one statement
    # instead of formatting and sending every value again (a tenth of an import's time).
    insert_history(model, ids, user, None, "+", when=now)


def _row_maker[R](
    fields: Sequence[models.Field[Any, Any]], getter: Callable[..., Callable[[R], Any]]
) -> Callable[[R], Sequence[object]]:
    """A record's values for COPY, field by field: read all at once by ``getter`` (in C),
    then the few that need it converted for the database (``_preparers``)."""
    preparers = _preparers(fields)
    read = getter(*(name for name, _prep in preparers))
    if len(preparers) == 1:  # a getter of one name gives the value, not a tuple
        single = read

        def read(record: R) -> Sequence[object]:
            return (single(record),)

    special = [(at, prep) for at, (_name, prep) in enumerate(preparers) if prep is not _same]
    if not special:
        return read

    def row(record: R) -> Sequence[object]:
        values = list(read(record))
        for at, prep in special:
            values[at] = prep(values[at])
        return values

    return row


def _new_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` primary keys taken from the table's sequence (PostgreSQL). The sequence
    is looked up once (a materialised CTE), not once per key as ``pg_get_serial_sequence``
    in the select list would be: ten times less work for the database (15,000 keys: 8 ms
    against 93)."""
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) "
            "SELECT nextval(s.seq) FROM s, generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _record(model: type[models.Model], ids: list[Any]) -> None:
    recording = _created_batches.get()
    if recording is not None:
        recording.append((model._meta.label_lower, list(ids)))


def insert_rows_with_history(
    model: type[models.Model], rows: Sequence[dict[str, object]], user: Editor
) -> list[Any]:
    """Insert ``rows`` (field attname → value; the others take their defaults) and their
    "created" history rows, by ``user``: ``create_with_history`` for records that need no
    model instance (a sheet's signatories), without building one per row. The values
    are what the model's fields hold in Python (psycopg adapts them; a field needing
    its own conversion is prepared as ``create_with_history`` does); the database checks
    every constraint. Returns the new primary keys, in the order of ``rows``.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = [model(**row) for row in rows]
        create_with_history(objs, model, user)
        return [obj.pk for obj in objs]
    meta = model._meta
    now = timezone.now()
    ids = _new_ids(model, len(rows))
    _record(model, ids)
    pk_name = meta.pk.attname
    defaults, computed = _defaults(model, now)

    def full() -> Iterator[dict[str, object]]:
        # Each row completed as it is copied, while the database writes the ones before it.
        for row, new_id in zip(rows, ids, strict=True):
            values = {**defaults, **row, pk_name: new_id}
            for f in computed:
                if f.attname not in row:
                    values[f.attname] = f.get_default()
            yield values

    _copy_with_history(model, full(), ids, getter=operator.itemgetter, now=now, user=user)
    return ids


def _defaults(
    model: type[models.Model], now: dt.datetime
) -> tuple[dict[str, object], list[models.Field[Any, Any]]]:
    """A new row's values where it gives none, but for its primary key: (fixed values by
    attname — the time stamps ``now`` —, the fields whose default is computed per row)."""
    meta = model._meta
    defaults: dict[str, object] = {}
    computed: list[models.Field[Any, Any]] = []
    for f in meta.concrete_fields:
        if f.attname == meta.pk.attname:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        elif f.has_default() and callable(f.default):
            computed.append(f)
        else:
            defaults[f.attname] = f.get_default()
    return defaults, computed


def add_links(
    through: type[models.Model], pairs: list[tuple[int, int]], columns: tuple[str, str]
) -> None:
    """Many-to-many rows (no history of their own) in one statement."""
    if not pairs:
        return
    if connection.vendor != "postgresql":
        through._default_manager.bulk_create(
            [through(**dict(zip(columns, pair, strict=True))) for pair in pairs],
            batch_size=BATCH_SIZE,
        )
        return
    _copy_rows(through._meta.db_table, list(columns), pairs)


def record_history_as(instance: models.Model, user: Editor) -> None:
    """Name ``user`` as the author of the history rows recorded for ``instance``."""
    instance._history_user = user  # type: ignore[attr-defined]  # simple-history's attribute, declared by no model


# -- the deletion side: undoing an import (sheets/reverting.py) ---------------------------


def quoted_column(field: Any) -> str:
    """The quoted column of a concrete field (``field.column`` is typed optional)."""
    column = field.column
    if not column:
        message = f"{field} has no column"
        raise TypeError(message)
    return connection.ops.quote_name(column)


def member_of(
    column: str, values: Sequence[object], *, negated: bool = False
) -> tuple[str, list[Any]]:
    """SQL saying ``column`` is one of ``values`` (``negated``: is none of them), and its
    parameters: one array parameter on PostgreSQL however many values (``<> ALL`` is
    hashed like ``= ANY`` from PostgreSQL 15), a list of placeholders elsewhere."""
    if not values:
        return ("1 = 1" if negated else "1 = 0"), []
    if connection.vendor == "postgresql":
        array, cast = array_literal(values)
        return f"{column} {'<> ALL' if negated else '= ANY'}(%s{cast})", [array]
    placeholders = ", ".join(["%s"] * len(values))
    return f"{column} {'NOT IN' if negated else 'IN'} ({placeholders})", list(values)


def _history_columns(
    model: type[models.Model], fixed: dict[str, object]
) -> tuple[list[str], list[str], list[Any]]:
    """(history columns, SELECT expressions over the model's table, their parameters) to
    copy rows of ``model`` into its history with ``fixed`` values for the history's own
    fields (a history with fields of its own, which the table cannot give, is refused)."""
    history = get_history_model_for_model(model)
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    columns: list[str] = []
    selected: list[str] = []
    params: list[Any] = []
    for f in history._meta.concrete_fields:
        if f.name == "history_id":
            continue
        if f.name in fixed:
            selected.append("%s")
            params.append(fixed[f.name])
        elif f.attname in by_attname and by_attname[f.attname].column:
            selected.append(quoted_column(by_attname[f.attname]))
        else:
            message = f"{history._meta.label}.{f.name} is not a field of {model._meta.label}"
            raise TypeError(message)
        columns.append(quoted_column(f))
    return columns, selected, params


def insert_history(  # noqa: PLR0913 — what a history row says besides the record
    model: type[models.Model],
    pks: Sequence[object],
    user: Editor,
    reason: str | None,
    history_type: str,
    *,
    when: dt.datetime | None = None,
) -> None:
    """Copy the rows of ``model`` with these ids into its history as they are now, as
    ``history_type`` ("+" created, "~" changed, "-" deleted) by ``user`` with ``reason``
    at ``when`` (now if not given): one ``INSERT … SELECT``, nothing loaded into Python."""
    if not pks:
        return
    quote = connection.ops.quote_name
    meta = model._meta
    where, where_params = member_of(quoted_column(meta.pk), pks)
    fixed = {
        "history_date": connection.ops.adapt_datetimefield_value(when or timezone.now()),
        "history_type": history_type,
        "history_change_reason": reason,
        "history_user": getattr(user, "pk", None),
    }
    columns, selected, params = _history_columns(model, fixed)
    history_table = quote(get_history_model_for_model(model)._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {history_table} ({', '.join(columns)}) "  # noqa: S608 -- names quoted from the models
            f"SELECT {', '.join(selected)} FROM {quote(meta.db_table)} WHERE {where}",
            [*params, *where_params],
        )


def delete_with_history(
    model: type[models.Model], pks: Sequence[object], user: Editor, reason: str
) -> int:
    """Delete the rows of ``model`` with these ids in one statement, after copying each into
    its history as a deletion ("-", by ``user``, with ``reason``) in one statement.

    No model is loaded and Django's collector is not run: nothing is deleted in cascade and
    no signal is sent. The caller makes sure nothing else refers to these rows (its
    many-to-many links: ``delete_links``) and announces the change (``bulk_written``).
    Returns the number of rows deleted."""
    if not pks:
        return 0
    insert_history(model, pks, user, reason, "-")
    quote = connection.ops.quote_name
    where, params = member_of(quoted_column(model._meta.pk), pks)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote(model._meta.db_table)} WHERE {where}", params)  # noqa: S608 -- names quoted from the models
        return cursor.rowcount


def delete_links(through: type[models.Model], field: Any, pks: Sequence[object]) -> None:
    """Delete the many-to-many rows whose ``field`` names one of ``pks`` (one statement)."""
    if not pks:
        return
    quote = connection.ops.quote_name
    where, params = member_of(quoted_column(field), pks)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote(through._meta.db_table)} WHERE {where}", params)  # noqa: S608 -- names quoted from the models
