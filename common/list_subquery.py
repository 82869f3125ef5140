"""A subquery's one column as a Python list, in the subquery's order, on PostgreSQL and
SQLite (the zero-setup first run).

PostgreSQL: ``ARRAY(SELECT …)`` (what ``django.contrib.postgres``'s ``ArraySubquery``
writes); SQLite has no arrays: ``json_group_array`` over the same subquery, decoded. Used
to read each shown row's fields of cooperation inside the list's own query (issue 16)
instead of a prefetch that built a model instance per field and row.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.db.models import Subquery


class ListField(models.Field):
    """The output of ``ListSubquery``: a list whatever the database returned."""

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: Any, *_args: Any) -> list[Any]:
        if value is None:
            return []
        if isinstance(value, str):  # SQLite's json_group_array
            return list(json.loads(value))
        return list(value)


class ListSubquery(Subquery):
    """``queryset.values("column")`` read as a list per outer row."""

    template = "ARRAY(%(subquery)s)"

    def __init__(self, queryset: models.QuerySet[Any], **extra: Any) -> None:
        super().__init__(queryset, output_field=ListField(), **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # the one column: a field (``values("name")``) or an annotation (``values("part")``)
        columns: list[str] = [*self.query.values_select, *self.query.annotation_select]
        (column,) = columns
        quoted = connection.ops.quote_name(column)
        template = f"(SELECT json_group_array({quoted}) FROM (%(subquery)s))"  # noqa: S608 -- a quoted column name of the model
        return self.as_sql(compiler, connection, template=template, **extra_context)
