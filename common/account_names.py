"""A staff account's name as Django names it, ``get_full_name() or get_username()``, in SQL.

The action-items list reads its rows' assignees' names in the rows' own statement (issue 16);
written in SQL, that is one list per row, not three (first names, last names, usernames)
put together in Python. ``str.strip()`` trims every character Python counts as
whitespace: the SQL trims the same set (tests/test_account_names.py checks both).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Func

# Every character ``str.isspace()`` is true of (what ``str.strip()`` trims), in order.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


class AccountName(Func):
    """``f"{first_name} {last_name}".strip() or username`` of the account at ``prefix``
    (``"user__"`` from a table that refers to one)."""

    output_field = models.CharField()

    def __init__(self, prefix: str = "") -> None:
        super().__init__(F(f"{prefix}first_name"), F(f"{prefix}last_name"), F(f"{prefix}username"))

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        del connection, template, arg_joiner, extra_context  # the SQL is written whole here
        (first, first_params), (last, last_params), (username, username_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        trim = function or "BTRIM"
        sql = f"COALESCE(NULLIF({trim}({first} || ' ' || {last}, %s), ''), {username})"
        return sql, (*first_params, *last_params, WHITESPACE, *username_params)

    def as_sqlite(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        return self.as_sql(compiler, connection, function="TRIM", **extra_context)
