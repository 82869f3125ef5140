"""Accent-insensitive matching in SQL, for the list filters and the site-wide search.

``Fold(expression)`` is the database twin of ``common.text.fold``: on PostgreSQL the
IMMUTABLE SQL function ``sc_fold`` (created by common/migrations/0001_search_fold.py,
with GIN trigram indexes on the searched columns); on SQLite a Python function
registered on every new connection. Both sides of a comparison go through the same
function, so the query ``vieng chan`` meets ``Viêng Chăn`` and ``ວຽງຈັນ`` meets itself.

``matching(queryset, fields, query)`` filters a queryset by any of ``fields``
containing the folded query, and annotates ``exact_match`` (the query as typed,
accents included, found case-insensitively) so exact matches rank first.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.lookups import Contains
from django.dispatch import receiver

from common.text import clean_spaces, fold

MIN_QUERY_LENGTH = 2


class Fold(models.Func):
    """Lower-case, accent-free, đ→d form of a text expression (``sc_fold`` in SQL)."""

    function = "sc_fold"
    arity = 1
    output_field = models.TextField()


@receiver(connection_created, dispatch_uid="common.text_match.sqlite_fold")
def register_sqlite_fold(connection: BaseDatabaseWrapper, **_kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(  # sqlite3.Connection here
            "sc_fold", 1, _sqlite_fold, deterministic=True
        )


def _sqlite_fold(value: str | None) -> str | None:
    return None if value is None else fold(value)


def normalise_query(query: str | None) -> str:
    """The query as typed, NFC and single-spaced (what both Fold and exact matching see)."""
    return clean_spaces(query or "")[:200]


def fold_contains(field_name: str, query: str) -> Q:
    """``Fold(field) LIKE '%' || Fold(query) || '%'`` — the pattern is folded in SQL too.

    On PostgreSQL ``sc_fold('…')`` of a constant is evaluated at planning time, so
    the trigram index on ``sc_fold(field)`` serves the LIKE.
    """
    return Q(Contains(Fold(F(field_name)), Fold(Value(query))))


def words(query: str) -> list[str]:
    """The words of a query as typed (NFC, single-spaced), leaving out what has no letter
    or digit (the dash of "Hà Nội – Minsk")."""
    return [word for word in normalise_query(query).split() if any(c.isalnum() for c in word)]


def any_field_contains(fields: list[str], query: str) -> Q:
    condition = Q()
    for name in fields:
        condition |= fold_contains(name, query)
    return condition


def exact_condition(fields: list[str], query: str) -> Q:
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": query})
    return condition


def matching(
    queryset: models.QuerySet[Any], fields: list[str], query: str, *, extra: Q | None = None
) -> models.QuerySet[Any]:
    """Rows where any of ``fields`` contains ``query`` ignoring case and accents.

    ``extra`` adds other ways to match (an Exists over related rows). Rows whose
    text contains the query with its exact accents get ``exact_match=True`` and sort
    first; ordering then falls back to the model's own.
    """
    condition = any_field_contains(fields, query)
    if extra is not None:
        condition |= extra
    return with_exact_match(queryset.filter(condition), fields, query)


def with_exact_match(
    queryset: models.QuerySet[Any], fields: list[str], query: str
) -> models.QuerySet[Any]:
    """Annotate ``exact_match``: one of ``fields`` contains ``query`` with its exact accents
    (ignoring case), the rows that rank first."""
    return queryset.annotate(
        exact_match=Case(
            When(exact_condition(fields, query), then=Value(value=True)),
            default=Value(value=False),
            output_field=models.BooleanField(),
        )
    )


class PerRowExists(Exists):
    """``EXISTS`` that PostgreSQL tests row by row instead of hashing its whole result
    first: an ``OFFSET 0`` keeps the planner from turning it into a hashed ``ANY``
    (subselect.c will not simplify an EXISTS with an OFFSET). For a condition ORed into
    an ordered scan that stops after a page: hashing read every matching row of the
    other table up front (a common word's 7,000 programme items, ~90 ms at scale 1),
    testing each scanned row reads a few of its own through the link's index."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


def related_match(
    model: type[models.Model], link: str, fields: list[str], query: str, *, per_row: bool = False
) -> Q:
    """``Exists`` over related rows (a city's other names, a visit's programme);
    ``per_row``: tested for each row rather than hashed (``PerRowExists``)."""
    rows = model._default_manager.filter(**{link: OuterRef("pk")}).filter(
        any_field_contains(fields, query)
    )
    return Q((PerRowExists if per_row else Exists)(rows))
