"""Trigram indexes for the exact-accent half of the search (issue 6: scale).

``common.search.exact_condition`` uses Django's ``icontains``, which PostgreSQL
runs as ``UPPER(column::text) LIKE UPPER('%…%')``. A GIN trigram index on that
very expression lets a rare query find its rows without reading every one, and
makes an unaccented query ("ha noi") over accented text ("Hà Nội") cheap: its
trigrams hardly occur in the raw text.
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


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in SEARCHED_COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index_name(table, column)}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in SEARCHED_COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index_name(table, column)}"')


class Migration(migrations.Migration):
    dependencies = [("common", "0001_search_fold")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
