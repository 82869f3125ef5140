"""Loading many rows into PostgreSQL the way ``pg_restore`` does: data first, then indexes.

Row by row, a COPY into an indexed table updates every index as it goes: the trigram GIN
indexes of the search (eight on a visit) push each row through ``sc_fold`` into a pending
list that is merged into an ever larger index, the foreign keys queue one check per row
for the commit, and the activity-count triggers (``workspace.ActivityCount``) run one
grouped upsert per batch, those on the progress notes joining back to the action items.
The cost per row then grows with the table: seeding scale 4 took 12 times scale 1.

``bulk_load(tables)`` drops the secondary indexes and foreign keys of ``tables`` and
switches off their activity-count insert triggers; on leaving it builds the indexes in one
sorted pass each, adds the foreign keys back (each checked by one join over the table)
and counts the activity again from the records with the database's own rebuild function.
Everything happens in the caller's transaction: an error rolls the whole load back,
dropped indexes included. Constraints that keep rows apart (primary keys, unique and
check constraints) stay in place, so the database still refuses a bad row as it comes.
Elsewhere than PostgreSQL nothing is changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connection
from django.db.backends.utils import CursorWrapper

# Memory for building an index (GIN builds in memory, then writes sorted runs): the
# server default of 64 MB makes a trigram index over a million rows spill many times.
INDEX_BUILD_MEMORY = "512MB"
# Installed by workspace/migrations/0004_activity_counts.py.
ACTIVITY_REBUILD = "workspace_activitycount_rebuild"


@contextmanager
def bulk_load(tables: Sequence[str]) -> Iterator[None]:
    """Inside a transaction: load ``tables`` without per-row index, key or trigger work."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        # A table with deferred key checks still queued (rows written earlier in this
        # transaction: the demo data in the tests) cannot be altered: check them now.
        # Every deferrable constraint of ours is initially deferred, so deferring all
        # again afterwards puts the transaction back as it was.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
        indexes = _secondary_indexes(cursor, tables)
        foreign_keys = _foreign_keys(cursor, tables)
        triggers = _activity_insert_triggers(cursor, tables)
        for table, name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {_q(table)} DROP CONSTRAINT {_q(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {_q(name)}")
        for table, name in triggers:
            cursor.execute(f"ALTER TABLE {_q(table)} DISABLE TRIGGER {_q(name)}")
    yield
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
        for table, name in triggers:
            cursor.execute(f"ALTER TABLE {_q(table)} ENABLE TRIGGER {_q(name)}")
        if triggers:
            recount_activity(cursor)


def recount_activity(cursor: CursorWrapper) -> None:
    """Count ``workspace.ActivityCount`` again from the records, with the rebuild function
    its migration installed (the function a TRUNCATE of a counted table runs).

    That function is a trigger function: it runs here as the TRUNCATE trigger of an empty
    temporary table, so the counts come from the same SQL the triggers keep them with.
    """
    cursor.execute("SELECT to_regproc(%s) IS NOT NULL", [ACTIVITY_REBUILD])
    if not cursor.fetchone()[0]:
        return
    cursor.execute("CREATE TEMPORARY TABLE seed_bulk_recount () ON COMMIT DROP")
    cursor.execute(
        "CREATE TRIGGER seed_bulk_recount AFTER TRUNCATE ON seed_bulk_recount"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {ACTIVITY_REBUILD}()"
    )
    cursor.execute("TRUNCATE seed_bulk_recount")
    cursor.execute("DROP TABLE seed_bulk_recount")


def _secondary_indexes(cursor: CursorWrapper, tables: Sequence[str]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the indexes of ``tables`` that back no constraint."""
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid)"
        " FROM pg_index i"
        " JOIN pg_class c ON c.oid = i.indexrelid"
        " JOIN pg_class t ON t.oid = i.indrelid"
        " WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace"
        " AND NOT i.indisunique"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
        " ORDER BY c.relname",
        [list(tables)],
    )
    return [(name, definition) for name, definition in cursor.fetchall()]


def _foreign_keys(cursor: CursorWrapper, tables: Sequence[str]) -> list[tuple[str, str, str]]:
    """(table, name, definition) of the foreign keys of ``tables``."""
    cursor.execute(
        "SELECT t.relname, k.conname, pg_get_constraintdef(k.oid)"
        " FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid"
        " WHERE k.contype = 'f' AND t.relname = ANY(%s)"
        " AND t.relnamespace = current_schema()::regnamespace"
        " ORDER BY t.relname, k.conname",
        [list(tables)],
    )
    return [(table, name, definition) for table, name, definition in cursor.fetchall()]


def _activity_insert_triggers(
    cursor: CursorWrapper, tables: Sequence[str]
) -> list[tuple[str, str]]:
    """(table, trigger) of the enabled activity-count insert triggers of ``tables``."""
    cursor.execute(
        "SELECT t.relname, g.tgname FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid"
        " WHERE NOT g.tgisinternal AND g.tgenabled <> 'D' AND t.relname = ANY(%s)"
        " AND t.relnamespace = current_schema()::regnamespace"
        " AND g.tgname = t.relname || '_activity_insert'"
        " ORDER BY t.relname",
        [list(tables)],
    )
    return [(table, name) for table, name in cursor.fetchall()]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)
