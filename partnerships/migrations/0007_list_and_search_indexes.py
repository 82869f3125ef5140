"""Indexes for the partners, people and organisations lists and the search's city names
(issue 16).

The people and organisations lists order by name under the ``vi-x-icu`` collation
(common/collation.py): without an index on that expression PostgreSQL sorted every
person (or joined and grouped every organisation) to show the first 25 (10 ms at scale
1, growing with the archive). An index on ``(name COLLATE "vi-x-icu", id)`` serves the
order and its tie-break, so a page reads 26 index entries whatever the table's size.

The search finds a city by its names written without spaces ("hanoi" = "Hà Nội",
workspace/search.py ``_compact``): trigram indexes on ``replace(sc_fold(name), ' ', '')``
let PostgreSQL combine them with the other name indexes instead of folding every city's
names. PostgreSQL only: SQLite's ``vi`` collation is registered per connection and
cannot back an index, and SQLite has no trigram indexes.
"""

from django.db import migrations, models

ORDER_INDEXES = [  # (index, table, column)
    ("person_name_vi", "partnerships_person", "full_name"),
    ("organisation_name_vi", "partnerships_organisation", "name"),
    # The partners list, ordered by the partner city's name: PostgreSQL walks the cities
    # in order and joins their partnerships until the page is full (an incremental sort)
    # instead of joining and sorting every partnership (5 ms at scale 4, growing).
    ("city_name_vi", "partnerships_city", "name"),
]
COMPACT_COLUMNS = ["name", "name_en", "name_local"]  # partnerships.models.CITY_NAME_FIELDS


def compact_index(column: str) -> str:
    return f"partnerships_city_{column}_compact_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index, table, column in ORDER_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" '
            f'(("{column}" COLLATE "vi-x-icu"), "id")'
        )
    for column in COMPACT_COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{compact_index(column)}" ON "partnerships_city" '
            f"USING gin (replace(sc_fold(\"{column}\"), ' ', '') gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    names = [index for index, _t, _c in ORDER_INDEXES] + [compact_index(c) for c in COMPACT_COLUMNS]
    for index in names:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index}"')


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0006_dashboard_growth_indexes"),
        ("common", "0001_search_fold"),  # sc_fold and pg_trgm
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
        # The people list's country drop-down: one index probe per country in use
        # (common.distinct_values).
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["country"], name="person_country"),
        ),
    ]
