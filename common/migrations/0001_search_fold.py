"""Accent-insensitive search at scale, on PostgreSQL.

``sc_fold(text)`` lower-cases, strips accents (unaccent) and folds đ/Đ to d, the
SQL twin of ``common.text.fold``; it is IMMUTABLE so expression indexes can use
it. GIN trigram indexes on ``sc_fold(column)`` serve the ``LIKE '%…%'`` lookups
of the workspace search on the big tables. SQLite (the zero-setup default) gets a
Python ``sc_fold`` on every connection instead (common/search.py) and no indexes.
"""

from django.db import migrations

# (table, column) pairs searched by common.search.
SEARCHED_COLUMNS = [
    ("partnerships_city", "name"),
    ("partnerships_city", "name_en"),
    ("partnerships_city", "name_local"),
    ("partnerships_cityname", "name"),
    ("partnerships_organisation", "name"),
    ("partnerships_organisation", "name_en"),
    ("partnerships_organisation", "abbreviation"),
    ("partnerships_person", "full_name"),
    ("partnerships_person", "name_latin"),
    ("agreements_agreement", "reference"),
    ("agreements_agreement", "title"),
    ("agreements_agreement", "title_en"),
    ("delegations_visit", "title"),
    ("delegations_visit", "place"),
    ("delegations_visit", "purpose"),
    ("delegations_visit", "outcomes"),
    ("delegations_engagement", "title"),
    ("delegations_engagement", "summary"),
    ("delegations_actionitem", "description"),
]


def index_name(table: str, column: str) -> str:
    return f"{table}_{column}_fold_trgm"[:63]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
            " WHERE e.extname = 'unaccent'"
        )
        schema = cursor.fetchone()[0]
    # Schema-qualified so the function does not depend on the caller's search_path,
    # which is what makes declaring it IMMUTABLE safe for indexes.
    execute(
        f"""
        CREATE OR REPLACE FUNCTION sc_fold(text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
            SELECT lower("{schema}".unaccent(
                '"{schema}".unaccent'::regdictionary,
                translate($1, 'đĐðłŁøØ', 'dDdlLoO')
            ))
        $$
        """
    )
    for table, column in SEARCHED_COLUMNS:
        execute(
            f'CREATE INDEX IF NOT EXISTS "{index_name(table, column)}" ON "{table}" '
            f'USING gin (sc_fold("{column}") gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in SEARCHED_COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index_name(table, column)}"')
    schema_editor.execute("DROP FUNCTION IF EXISTS sc_fold(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0001_initial"),
        ("agreements", "0001_initial"),
        ("delegations", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
