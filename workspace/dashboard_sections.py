"""The dashboard's sections: what needs attention across the whole record.

Every query comes from a QuerySet or model method; this module only caps, counts,
merges and groups, in a number of queries that does not grow with the data.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import F, QuerySet, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from common.partialdate import PartialDate
from delegations.models import ActionItem, Visit
from delegations.partnership_visits import dormant, latest_visited, with_last_visit
from partnerships.models import (
    Partnership,
    next_round_anniversary,
    round_anniversary_branches,
)
from workspace import freshness
from workspace.result_groups import Group, take

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DASHBOARD_LIMIT = 10
# A section counts its rows up to here, then says "1000+": the overdue items of a big
# archive are tens of thousands, and counting them grew with it (issue 16).
DASHBOARD_COUNT_CAP = 1000
EXPIRING_DAYS = 183  # six months
DUE_SOON_DAYS = 30
DORMANT_YEARS = 3

CITIES = ("partnership__home_city", "partnership__partner_city")


@dataclass
class Anniversary:
    """A round anniversary of a partnership's founding or of an agreement's signature."""

    years: int
    when: PartialDate
    partnership: Partnership
    agreement: Agreement | None = None

    @property
    def sort_key(self) -> tuple[dt.date, int]:
        return (self.when.date, self.years)


def anniversary_rows(
    on: dt.date, *, limit: int | None = None, cap: int = DASHBOARD_COUNT_CAP
) -> tuple[list[Anniversary], int, bool]:
    """Round anniversaries in the next 12 months, soonest first, how many (counted up to
    ``cap`` when a ``limit`` is given) and whether there are more than that."""
    if limit is None:
        rows = _anniversaries(
            on,
            Partnership.objects.round_anniversaries(on=on).with_cities(),
            Agreement.objects.round_anniversaries(on=on).select_related(*CITIES),
        )
        return rows, len(rows), False
    # Each model's matches are four ranges of an indexed key (``round_anniversary_branches``):
    # one query reads the first ``limit`` ids of every range, a second counts up to ``cap``
    # (only when there are more), then the rows shown are read by id. Nothing here reads
    # the whole archive (issue 16: 13 ms at scale 1 and growing, before).
    union, params = _anniversary_ranges(on)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({union}) AS heads", _with_limits(params, limit + 1))  # noqa: S608
        head = sorted(cursor.fetchall(), key=lambda row: row[1:])
        total, capped = len(head), False
        if total > limit:
            # ``union`` is SQL compiled by Django from the querysets above; values are params.
            count = f"SELECT COUNT(*) FROM ({union}) AS matches"  # noqa: S608
            cursor.execute(count, _with_limits(params, cap + 1))
            counted = cursor.fetchone()[0]
            total, capped = min(counted, cap), counted > cap
    # The first ``limit`` of each model, as ``round_anniversary_within_year`` orders them.
    ids = {kind: [pk for k, _y, _key, pk in head if k == kind][:limit] for kind in ("p", "a")}
    shown_partnerships = Partnership.objects.with_cities().in_bulk(ids["p"])
    shown_agreements = Agreement.objects.select_related(*CITIES).in_bulk(ids["a"])
    rows = _anniversaries(
        on,
        [shown_partnerships[pk] for pk in ids["p"]],
        [shown_agreements[pk] for pk in ids["a"]],
    )
    return rows[:limit], total, capped


@functools.lru_cache(maxsize=4)
def _anniversary_ranges(on: dt.date) -> tuple[str, tuple[tuple[Any, ...], ...]]:
    """The eight ranges' SQL as one UNION ALL, each part ending ``LIMIT %s``, and each
    part's parameters. Compiled once per day and process (the SQL depends on the date
    only; the ORM's compiling of eight querysets cost more than the index reads)."""
    parts = [
        branch.annotate(_kind=Value(kind), _id=F("pk"))
        .values_list("_kind", "_anniversary_next_year", "_anniversary_key", "_id")
        .query.sql_with_params()
        for kind, queryset, field in (
            ("p", Partnership.objects.exclude(status=Partnership.Status.ENDED), "established_on"),
            ("a", Agreement.objects.concluded(), "signed_on"),
        )
        for branch in round_anniversary_branches(queryset, field, on)
    ]
    # Each part as a derived table: SQLite (the first run's database) refuses a
    # parenthesised SELECT as a UNION operand; PostgreSQL takes either.
    union = " UNION ALL ".join(
        f"SELECT * FROM ({sql} LIMIT %s) AS part_{number}"  # noqa: S608 -- Django-compiled SQL
        for number, (sql, _params) in enumerate(parts)
    )
    return union, tuple(tuple(params) for _sql, params in parts)


def _with_limits(params: tuple[tuple[Any, ...], ...], limit: int) -> list[Any]:
    return [value for part in params for value in (*part, limit)]


def _anniversaries(
    on: dt.date, partnerships: Iterable[Partnership], agreements: Iterable[Agreement]
) -> list[Anniversary]:
    """The next round anniversary of each partnership's founding and agreement's signature."""
    # Every row comes from ``round_anniversaries``, which keeps dated rows only: none
    # is without an anniversary.
    rows = [
        Anniversary(*founded, partnership)
        for partnership in partnerships
        if (founded := next_round_anniversary(partnership.established, on))
    ] + [
        Anniversary(*signed, agreement.partnership, agreement)
        for agreement in agreements
        if (signed := next_round_anniversary(agreement.signed, on))
    ]
    return sorted(rows, key=lambda row: row.sort_key)


def _querysets(on: dt.date) -> dict[str, QuerySet[Any]]:
    """The dashboard's sections as querysets (anniversaries are merged separately)."""
    return {
        # First, so that every partnership page (and from there every visit) is one click away.
        "partnerships": with_last_visit(
            Partnership.objects.exclude(status=Partnership.Status.ENDED).with_cities()
        ).order_by(
            F("last_visit_on").desc(nulls_last=True), F("has_visit").desc(), "partner_city__name"
        ),
        "upcoming_visits": Visit.objects.upcoming(on=on).select_related(*CITIES),
        "overdue": ActionItem.objects.overdue(on=on).select_related(*CITIES, "owner_organisation"),
        "due_soon": ActionItem.objects.due_within(days=DUE_SOON_DAYS, on=on).select_related(
            *CITIES, "owner_organisation"
        ),
        "expiring": Agreement.objects.expiring_within(days=EXPIRING_DAYS, on=on)
        .select_related(*CITIES)
        .order_by("valid_until", "reference"),
        "expired": Agreement.objects.expired_without_successor(on=on)
        .select_related(*CITIES)
        .order_by("-valid_until", "reference"),
        "dormant": with_last_visit(
            dormant(Partnership.objects.with_cities(), years=DORMANT_YEARS, on=on)
        ).order_by(F("last_visit_on").asc(), "partner_city__name"),
    }


SECTIONS = {
    "partnerships": _("Our partnerships, latest visit first"),
    "upcoming_visits": _("Upcoming visits"),
    "overdue": _("Overdue action items"),
    "due_soon": _("Action items due in the next 30 days"),
    "expiring": _("Agreements expiring in the next 6 months"),
    "expired": _("Agreements expired without a successor"),
    "anniversaries": _("Anniversaries in the next 12 months"),
    "dormant": _("No visit in either direction for 3 years"),
}


# What each section is computed from (workspace/freshness.py): a section is computed again
# only after a change to one of these apps. Action items change all day; the agreement
# sections, the costliest, do not have to follow them.
SECTION_SOURCES = {
    ("delegations", "partnerships"): (
        "partnerships",
        "upcoming_visits",
        "overdue",
        "due_soon",
        "dormant",
    ),
    ("agreements", "partnerships"): ("expiring", "expired", "anniversaries"),
}


def sections(on: dt.date | None = None) -> dict[str, Group]:
    """Each dashboard section capped at ``DASHBOARD_LIMIT`` rows, with its full count.

    Computed once per day and version of what it is computed from (``SECTION_SOURCES``):
    the first view after a change pays for the sections the change concerns, the next
    ones read them from the cache.
    """
    on = on or timezone.localdate()
    version = freshness.version_for_reading()  # one read for both halves
    result: dict[str, Group] = {}
    for sources, keys in SECTION_SOURCES.items():
        result.update(
            freshness.cached(
                f"dashboard:{on.isoformat()}:{'-'.join(keys)}",
                functools.partial(_sections, on, keys),
                depends_on=sources,
                version=version,
            )
        )
    return {key: result[key] for key in SECTIONS}


def _sections(on: dt.date, keys: Iterable[str]) -> dict[str, Group]:
    result = {}
    querysets = _querysets(on)
    for key in keys:
        more = (
            reverse("partnerships:partnership_list")
            if key == "partnerships"
            else reverse("workspace:dashboard_section", args=[key])
        )
        group = Group(key, SECTIONS[key], more_url=more)
        if key == "anniversaries":  # merged from two models in Python
            group.rows, group.total, group.capped = anniversary_rows(on, limit=DASHBOARD_LIMIT)
        elif key == "partnerships":
            _latest_partnerships(group, querysets[key])
        else:
            take(group, querysets[key], limit=DASHBOARD_LIMIT, cap=DASHBOARD_COUNT_CAP)
        result[key] = group
    return result


def _latest_partnerships(group: Group, ordered: QuerySet[Any]) -> None:
    """The partnerships section: the first rows of ``ordered`` (latest visit first) read
    among the few partnerships visited last (``latest_visited``), not by computing the
    latest visit of every partnership; the count capped."""
    active = Partnership.objects.exclude(status=Partnership.Status.ENDED)
    candidates = latest_visited(active, DASHBOARD_LIMIT)
    if len(candidates) < DASHBOARD_LIMIT:  # few dated visits: partnerships without any show
        take(group, ordered, limit=DASHBOARD_LIMIT, cap=DASHBOARD_COUNT_CAP)
        return
    group.rows = list(ordered.filter(pk__in=candidates)[:DASHBOARD_LIMIT])
    counted = active.order_by()[: DASHBOARD_COUNT_CAP + 1].count()
    group.total, group.capped = min(counted, DASHBOARD_COUNT_CAP), counted > DASHBOARD_COUNT_CAP


def full_section(
    key: str, on: dt.date | None = None
) -> tuple[StrOrPromise, list[Anniversary] | QuerySet[Any]]:
    """All rows of one dashboard section (its "see all" page)."""
    on = on or timezone.localdate()
    if key == "anniversaries":
        return SECTIONS[key], anniversary_rows(on)[0]
    return SECTIONS[key], _querysets(on)[key]
