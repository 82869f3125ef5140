"""The statistics page's counts on a database other than PostgreSQL (the first run's
SQLite): the same figures as ``workspace.statistics`` reads on PostgreSQL from the
activity counts its triggers keep (``workspace.models.ActivityCount``), counted here from
the records with plain ORM reads and Python. Fine for a first run's few hundred rows;
production runs on PostgreSQL. The tests also use it as the direct computation the
activity counts must equal.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce, TruncDate

from agreements.models import Agreement
from common.partialdate import PartialDate
from delegations.models import ActionItem, ProgressUpdate, Visit
from partnerships.models import Partnership

if TYPE_CHECKING:
    from partnerships.models import City

Quarter = tuple[int, int]


def in_force_groups(
    agreements: QuerySet[Agreement], days: list[dt.date]
) -> list[tuple[int | None, int | None, int]]:
    """(how many of ``days`` come before the start, how many are not after the end,
    how many agreements) — what ``width_bucket`` groups on PostgreSQL."""
    groups: Counter[tuple[int | None, int | None]] = Counter()
    for valid_from, signed_on, valid_until in agreements.values_list(
        "valid_from", "signed_on", "valid_until"
    ):
        start = valid_from or signed_on
        before = None if start is None else bisect.bisect_right(days, start - dt.timedelta(days=1))
        until = None if valid_until is None else bisect.bisect_right(days, valid_until)
        groups[(before, until)] += 1
    return [(before, until, n) for (before, until), n in groups.items()]


def action_item_quarters(
    scope: Q, years: list[int]
) -> tuple[Counter[Quarter], Counter[Quarter], Counter[Quarter]]:
    """(recorded, done, done on time) per (year, quarter) of ``years``."""
    done_note = ProgressUpdate.objects.filter(
        action_item=OuterRef("pk"), status_after=ActionItem.Status.DONE
    ).order_by("-date")
    first, last = dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)
    rows = (
        ActionItem.objects.filter(scope)
        .annotate(
            done_on=Case(
                When(
                    status=ActionItem.Status.DONE,
                    then=Coalesce(Subquery(done_note.values("date")[:1]), TruncDate("updated_at")),
                ),
                default=None,
            ),
            opened_on=TruncDate("created_at"),
        )
        .filter(Q(created_at__date__range=(first, last)) | Q(status=ActionItem.Status.DONE))
        .order_by()
        .values_list("opened_on", "status", "done_on", "due_on", "due_on_precision")
    )
    wanted = set(years)
    opened: Counter[Quarter] = Counter()
    closed: Counter[Quarter] = Counter()
    on_time: Counter[Quarter] = Counter()
    for opened_on, status, done_on, due_on, precision in rows:
        if opened_on.year in wanted:
            opened[(opened_on.year, (opened_on.month - 1) // 3 + 1)] += 1
        if status == ActionItem.Status.DONE and done_on is not None and done_on.year in wanted:
            key = (done_on.year, (done_on.month - 1) // 3 + 1)
            closed[key] += 1
            due = PartialDate.of(due_on, precision)
            if due is None or done_on <= due.last_day():
                on_time[key] += 1
    return opened, closed, on_time


def top_partnership_rows(
    home_city: City | None, first: dt.date, last: dt.date, limit: int
) -> list[tuple[int, str, str, int, int]]:
    """(id, home city, partner city, visits, agreements signed) of the most active."""

    def counted(queryset: QuerySet[Any]) -> Coalesce:
        per_partnership = (
            queryset.filter(partnership=OuterRef("pk"))
            .order_by()
            .values("partnership")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(per_partnership), 0)

    visits = counted(
        Visit.objects.filter(start_date__range=(first, last)).exclude(status=Visit.Status.CANCELLED)
    )
    signed = counted(
        Agreement.objects.filter(signed_on__range=(first, last), status__in=Agreement.CONCLUDED)
    )
    partnerships = Partnership.objects.filter(Q(home_city=home_city) if home_city else Q())
    return list(
        partnerships.annotate(visit_count=visits, signed_count=signed)
        .annotate(activity=F("visit_count") + F("signed_count"))
        .filter(activity__gt=0)
        .order_by("-activity", "partner_city__name", "pk")
        .values_list("pk", "home_city__name", "partner_city__name", "visit_count", "signed_count")[
            :limit
        ]
    )
