"""Capped groups of rows: "the first 20 of 1,234", for search results and the dashboard.

``take`` fills a group with its first rows and counts the rest only when there are
more; ``take_ranked`` puts the matches of a ``TextSearch`` with the query's exact
accents first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from common.text_match import any_field_contains, exact_condition

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

GROUP_LIMIT = 20
# A group counts its matches up to here and then says "100+": counting every row
# that contains "ha noi" would read half the record (issue 6: scale).
COUNT_CAP = 100


@dataclass
class Group:
    """One kind of result: at most ``limit`` rows, and how many there are in all."""

    key: str
    label: StrOrPromise
    rows: list[Any] = field(default_factory=list)
    total: int = 0
    more_url: str = ""
    capped: bool = False  # there are more than ``total`` (COUNT_CAP) matches

    @property
    def has_more(self) -> bool:
        return self.total > len(self.rows)


def take(
    group: Group,
    queryset: models.QuerySet[Any],
    *,
    limit: int = GROUP_LIMIT,
    cap: int | None = None,
    counted: models.QuerySet[Any] | None = None,
) -> Group:
    """Fill ``group`` with the first ``limit`` rows; count only when there are more, and
    no further than ``cap`` when one is given (then ``capped``: "1000+"). ``counted``:
    the same rows to count, when ``queryset`` reads more than the count needs."""
    rows = list(queryset[: limit + 1])
    if counted is not None:
        queryset = counted
    group.rows = rows[:limit]
    if len(rows) <= limit:
        group.total = len(rows)
    elif cap is None:
        group.total = queryset.count()
    else:
        found = queryset.order_by()[: cap + 1].count()
        group.capped = found > cap
        group.total = min(found, cap)
    return group


@dataclass(frozen=True)
class TextSearch:
    """``query`` in any of ``fields``, accents ignored, or whatever ``extra`` matches.

    ``indexed`` is a part of ``extra`` an index finds without reading any text (the
    rows of the partnerships between the cities the query names): the count reads it
    first, so that a query naming a home city ("ha noi": half the record) is counted to
    "100+" from that index alone instead of folding the text of the rows one by one
    (issue 16: the folding cost grew with the record).
    """

    query: str
    fields: list[str]
    extra: Q | None = None
    indexed: Q | None = None

    def folded(self) -> Q:
        condition = any_field_contains(self.fields, self.query)
        # ``extra`` first: PostgreSQL tests the branches of an OR in the order written,
        # and a row found by an id list then costs no ``sc_fold`` of its text.
        return condition if self.extra is None else self.extra | condition

    def exact(self) -> Q:
        """``query`` in ``fields`` with its exact accents (``extra`` is not ranked)."""
        return exact_condition(self.fields, self.query)


def take_ranked(
    group: Group,
    queryset: models.QuerySet[Any],
    search: TextSearch,
    *,
    limit: int = GROUP_LIMIT,
) -> Group:
    """Fill ``group`` with exact-accent matches first, then the others, each in the
    model's default order.

    Two short queries instead of one that ranks every match: a query found in half
    the record ("ha noi") stops after a page of rows walking an ordering index, and
    a rare one is found through the trigram indexes (``UPPER(column)`` for the exact
    part, ``sc_fold(column)`` for the rest). The total is counted up to COUNT_CAP.
    """
    ordering = queryset.model._meta.ordering or ()
    matches = queryset.filter(search.folded())
    # An exact match is a folded match too; the folded test is left out so that the
    # UPPER trigram indexes alone find the rows, with no unaccent per row.
    exact = queryset.filter(search.exact())
    rows = list(exact.order_by(*ordering)[: limit + 1])
    for row in rows:
        row.exact_match = True
    if len(rows) <= limit:
        others = matches.exclude(pk__in=[row.pk for row in rows]).order_by(*ordering)
        for row in others[: limit + 1 - len(rows)]:
            row.exact_match = False
            rows.append(row)
    group.rows = rows[:limit]
    if len(rows) <= limit:
        group.total = len(rows)
    else:
        counted = _count_matches(matches, search)
        group.capped = counted > COUNT_CAP
        group.total = min(counted, COUNT_CAP)
    return group


def _count_matches(matches: models.QuerySet[Any], search: TextSearch) -> int:
    """How many ``matches`` there are, up to COUNT_CAP + 1: the ``indexed`` ones alone
    when they are enough (one index read, no text folded), else all of them."""
    if search.indexed is not None:
        counted = matches.model._default_manager.filter(search.indexed).order_by()[: COUNT_CAP + 1]
        if counted.count() > COUNT_CAP:
            return COUNT_CAP + 1
    return matches.order_by()[: COUNT_CAP + 1].count()
