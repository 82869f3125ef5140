"""The distinct values of an indexed column, read with one index probe per value.

``SELECT DISTINCT country FROM person`` reads the whole table however few the values
(issue 16: the country drop-downs of the people and organisations lists grew with the
archive). A "loose index scan" asks the index for the smallest value, then for the
smallest one above it, and so on: as many probes as there are values (a few dozen
countries), whatever the number of rows. PostgreSQL turns each ``MIN`` into one
index probe when the column leads an index; SQLite runs the same statement.
"""

from __future__ import annotations

from typing import Any, cast

from django.db import connection, models
from django.db.models.expressions import RawSQL


def distinct_values(model: type[models.Model], field: str) -> list[Any]:
    """The distinct non-null values of ``model.field``, in the column's order."""
    with connection.cursor() as cursor:
        cursor.execute(_statement(model, field))
        return [row[0] for row in cursor.fetchall()]


def distinct_values_subquery(model: type[models.Model], field: str) -> RawSQL:
    """The same values as a subquery, for ``filter(pk__in=...)``: the organisations that
    own an action item are the few dozen values of its indexed owner column, read with
    one probe each, not one probe per organisation (issue 16: 1,540 at scale 1)."""
    return RawSQL(_statement(model, field), ())  # noqa: S611 (no user input: see _statement)


def _statement(model: type[models.Model], field: str) -> str:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column = quote(str(cast("models.Field[Any, Any]", model._meta.get_field(field)).column))
    # Identifiers from the model's own metadata, quoted: no user input in the statement.
    return (
        f"WITH RECURSIVE found(value) AS ("  # noqa: S608
        f" SELECT MIN({column}) FROM {table}"
        f" UNION ALL"
        f" SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > found.value)"
        f" FROM found WHERE found.value IS NOT NULL"
        f") SELECT value FROM found WHERE value IS NOT NULL"
    )
