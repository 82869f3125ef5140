"""Reading a page of rows joined to many tables without paying PostgreSQL's join search.

PostgreSQL searches every order of the tables a statement joins (up to
``join_collapse_limit``, 8): the action-items list joins nine (the partnership, its two
cities, the owners, the visit, the agreement, the field) and spent 20–25 ms *planning* a
statement that runs in under 1 ms (issue 16; 100 ms on a busy machine). Its joins are
all many-to-one from the item, so the order Django writes them in is a good one: ``SET
LOCAL join_collapse_limit = 1`` makes the planner keep it (planning under 2 ms). A page
is a few dozen rows: a cache in front of each many-to-one lookup (``Memoize``) costs more
to plan and run than the lookups it saves, so ``enable_memoize`` is off too (1.6 → 0.9 ms
for the action items' page).
``SET LOCAL`` lasts until the end of the transaction, so the setting is scoped to one
``atomic`` block and never leaks to the connection's later statements. Other databases
plan without the setting.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.paginator import Page
from django.db import connection, transaction

# Both as one statement (``set_config(..., true)`` is ``SET LOCAL``): one round trip.
SETTINGS = (
    "SELECT set_config('join_collapse_limit', '1', true), set_config('enable_memoize', 'off', true)"
)
# What ``SET LOCAL ... TO DEFAULT`` gives, for both, in one statement.
RESET = (
    "SELECT set_config(name, reset_val, true) FROM pg_settings"
    " WHERE name IN ('join_collapse_limit', 'enable_memoize')"
)


@contextmanager
def joins_as_written() -> Iterator[None]:
    """Statements run inside are planned with their joins in the order written."""
    if connection.vendor != "postgresql":
        yield
        return
    nested = connection.in_atomic_block  # then SET LOCAL would outlive the block
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(SETTINGS)
        yield
        if nested:
            with connection.cursor() as cursor:
                cursor.execute(RESET)


def read_now[T](page: Page[T]) -> Page[T]:
    """The page with its rows read (a lazy QuerySet would be read later, by the template)."""
    page.object_list = list(page.object_list)
    return page
