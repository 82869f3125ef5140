"""Index helpers that keep one migration valid on PostgreSQL and on the SQLite default."""

from typing import Any

from django.db import models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.backends.ddl_references import Statement
from django.db.models import OrderBy


class OrderIndex(models.Index):
    """An index in a list's order, ``NULLS LAST`` included where the database can say it.

    PostgreSQL needs the index to match ``ORDER BY start_date DESC NULLS LAST``
    exactly to read it in order; SQLite cannot state NULLS LAST in CREATE INDEX,
    so there the same columns are indexed in their plain order.
    """

    def create_sql(
        self,
        model: type[models.Model],
        schema_editor: BaseDatabaseSchemaEditor,
        using: str = "",
        **kwargs: Any,
    ) -> Statement:
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        plain = [
            OrderBy(e.expression, descending=e.descending) if isinstance(e, OrderBy) else e
            for e in self.expressions
        ]
        portable = models.Index(*plain, name=self.name, condition=self.condition)
        return portable.create_sql(model, schema_editor, using=using, **kwargs)
