"""What the visits say about partnerships: each one's latest visit, which have gone quiet.

Partnership querysets in, partnership querysets out, so they chain with the methods of
``Partnership.objects``: ``with_last_visit(Partnership.objects.with_cities())``. They live
here, not on the partnerships app's QuerySet, because partnerships knows nothing of visits.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, TypedDict

from django.db.models import BooleanField, Exists, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from delegations.models import Visit
from partnerships.models import Partnership

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class LastVisit(TypedDict):
    """What ``with_last_visit`` adds to each partnership."""

    last_visit_on: dt.date | None
    has_visit: bool


def without_visits_since[Q: QuerySet[Partnership]](partnerships: Q, since: dt.date) -> Q:
    """Partnerships (not ended) with no visit in either direction on or after ``since``."""
    recent = Visit.objects.filter(partnership=OuterRef("pk"), start_date__gte=since).exclude(
        status="cancelled"
    )
    # One probe of the (partnership, start_date) index per partnership.
    return partnerships.exclude(status=Partnership.Status.ENDED).exclude(Exists(recent))


def dormant[Q: QuerySet[Partnership]](
    partnerships: Q, *, years: int = 3, on: dt.date | None = None
) -> Q:
    """Partnerships without a visit for ``years`` years before ``on`` (today)."""
    on = on or timezone.localdate()
    try:
        since = on.replace(year=on.year - years)
    except ValueError:  # 29 February
        since = on.replace(year=on.year - years, day=28)
    return without_visits_since(partnerships, since)


def with_last_visit(
    partnerships: QuerySet[Partnership],
) -> QuerySet[WithAnnotations[Partnership, LastVisit]]:
    """Annotate ``last_visit_on``: the start of the latest visit that was not cancelled,
    and ``has_visit``: whether there is any, dated or not (a visit whose date the source
    does not give is still a visit: "visited, date not known", not "no visit")."""
    visits = Visit.objects.filter(partnership=OuterRef("pk")).exclude(status="cancelled")
    latest = visits.filter(start_date__isnull=False).order_by("-start_date").values("start_date")
    # A scalar subquery, not ``Exists``: PostgreSQL may run an ``EXISTS`` in the select list
    # as a "hashed SubPlan" that reads every visit once per query (37 ms at scale 1, growing
    # with the archive) even when the page shows 25 rows; this one probes the index for
    # each row shown (issue 16).
    any_visit = visits.order_by().values(found=Value(value=True, output_field=BooleanField()))
    return partnerships.annotate(
        last_visit_on=Subquery(latest[:1]),
        has_visit=Coalesce(Subquery(any_visit[:1]), Value(value=False)),
    )


def latest_visited(partnerships: QuerySet[Partnership], limit: int, batch: int = 100) -> list[int]:
    """Ids of ``partnerships`` whose latest visit (not cancelled, dated) is the most recent:
    the first ``limit`` by ``last_visit_on`` descending, and every one tied with the last.

    Read from the visits' date index, newest first, a batch at a time, until ``limit``
    partnerships and the last one's date are passed: the dashboard's first section costs
    the same however many partnerships and visits the archive holds (issue 16), where
    ``with_last_visit`` over every partnership grew with both. Fewer than ``limit`` ids
    when fewer partnerships have a dated visit.
    """
    visits = (
        Visit.objects.exclude(status="cancelled")
        .filter(start_date__isnull=False, partnership__in=partnerships)
        .order_by(F("start_date").desc(nulls_last=True), F("id").desc())
        .values_list("partnership_id", "start_date")
    )
    found: set[int] = set()
    boundary: dt.date | None = None  # the date of the ``limit``-th partnership found
    offset = 0
    while True:
        rows = list(visits[offset : offset + batch])
        for partnership_id, start in rows:
            if boundary is not None and start is not None and start < boundary:
                return list(found)
            found.add(partnership_id)
            if boundary is None and len(found) == limit:
                boundary = start
        if len(rows) < batch:
            return list(found)
        offset += batch
