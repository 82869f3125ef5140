# Issue 16 (task "fixes" 4): the first write of a connection to a counted table cost
# ~50-100 ms more since 0005. Its triggers on workspace_activitycount are statement-level:
# they fire on every statement, rows or none, and every write of a counted record runs
# two on that table (the INSERT ... ON CONFLICT fires both the INSERT and the UPDATE
# trigger; the DELETE of zero counts the DELETE trigger), most often changing nothing (an
# agreement's title edited). Each trigger's first run on a connection plans its four
# statements (the per-city counts and the ten years' windows). Here each of them returns
# at once when its transition table is empty, so nothing is planned or run for no rows;
# likewise a partnership's trigger when no partnership moved to another home city.
# The statements run are 0005's, unchanged. On another database nothing is installed.

import importlib
from typing import Any

from django.db import migrations

totals = importlib.import_module("workspace.migrations.0005_activity_totals")

# operation → the transition table that holds the rows a trigger carries on
CHANGED = {"INSERT": "new_rows", "UPDATE": "new_rows", "DELETE": "old_rows"}
MOVED = """SELECT FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.home_city_id IS DISTINCT FROM o.home_city_id"""


def guarded(table: str, operation: str, body: str) -> str:
    rows = f"SELECT FROM {CHANGED[operation]}" if table == totals.TABLE else MOVED
    return f"""IF NOT EXISTS ({rows}) THEN RETURN NULL; END IF;
        {body}"""


def replace_functions(schema_editor: Any, *, guard: bool) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, operation, body in totals.derived_triggers():
            name = f"{table}_totals_{operation.lower()}"
            cursor.execute(
                totals.function(name, guarded(table, operation, body) if guard else body)
            )


def install(apps: Any, schema_editor: Any) -> None:
    replace_functions(schema_editor, guard=True)


def uninstall(apps: Any, schema_editor: Any) -> None:
    replace_functions(schema_editor, guard=False)


class Migration(migrations.Migration):
    dependencies = [
        ("workspace", "0005_activity_totals"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
