"""The calendar's index of items due by description (``actionitem_open_day_text``) in
code-point order (issue 16).

The calendar shows each day's first items due by description as Python sorts them, by
code point, and reads them from this index in its order. Built on the database's
collation, the index (and the query's order) followed that collation instead: under a
linguistic one (``en_US.UTF-8``, ``vi-x-icu``) a day's first few read could be others
than the first few shown, and a description's first 64 characters ordered apart from its
whole text. The new index holds those characters under collation "C", the order the
calendar reads them in (workspace/calendar_events.py ``_in_code_points``), whatever the
database's. PostgreSQL only: SQLite's own collation (BINARY) is code-point order already,
and SQLite needs no index for the calendar's order (the ORM ranks there).
"""

from django.db import migrations, models

INDEX = "actionitem_open_day_text_c"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "delegations_actionitem" '
        '("due_on", (LEFT("description", 64) COLLATE "C"), "id") '
        "WHERE \"status\" IN ('proposed', 'agreed', 'in_progress')"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("delegations", "0020_calendar_items_due_counted"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
        migrations.RemoveIndex(
            model_name="actionitem",
            name="actionitem_open_day_text",
        ),
    ]
