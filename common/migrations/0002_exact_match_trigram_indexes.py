"""Trigram indexes for the exact-accent half of the search (issue 6: scale).

``common.search.exact_condition`` uses Django's ``icontains``, which PostgreSQL
runs as ``UPPER(column::text) LIKE UPPER('%…%')``. A GIN trigram index on that
very expression lets a rare query find its rows without reading every one, and
makes an unaccented query ("ha noi") over accented text ("Hà Nội") cheap: its
trigrams hardly occur in the raw text.

It also tells the planner what ``unaccent`` costs. ``sc_fold`` is an SQL function
that PostgreSQL inlines, so the planner sees ``unaccent()`` with the default cost
of a trivial C function and prefers reading a few thousand rows and folding each
(some 10 µs a row) to the trigram indexes. ``COST 100`` is about what it takes.
"""

from django.db import migrations

SEARCHED_COLUMNS = [
    ("agreements_agreement", "reference"),
    ("agreements_agreement", "title"),
    ("agreements_agreement", "title_en"),
    ("delegations_visit", "title"),
    ("delegations_visit", "place"),
    ("delegations_visit", "purpose"),
    ("delegations_visit", "outcomes"),
    ("delegations_actionitem", "description"),
]


def index_name(table: str, column: str) -> str:
    return f"{table}_{column}_upper_trgm"[:63]


def unaccent_schema(schema_editor) -> str:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
            " WHERE e.extname = 'unaccent'"
        )
        return cursor.fetchone()[0]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema = unaccent_schema(schema_editor)
    schema_editor.execute(f'ALTER FUNCTION "{schema}".unaccent(regdictionary, text) COST 100')
    for table, column in SEARCHED_COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index_name(table, column)}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema = unaccent_schema(schema_editor)
    schema_editor.execute(f'ALTER FUNCTION "{schema}".unaccent(regdictionary, text) COST 1')
    for table, column in SEARCHED_COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index_name(table, column)}"')


class Migration(migrations.Migration):
    dependencies = [("common", "0001_search_fold")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
