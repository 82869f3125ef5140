"""The dashboard's sections: what needs attention across the whole record.

Every query comes from a QuerySet or model method; this module only caps, counts,
merges and groups, in a number of queries that does not grow with the data.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.db import connection
from django.db.models import Count, F, QuerySet, Value, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
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
# A section counts its rows up to here, then says "100+" (as search does): the overdue
# items of a big archive are tens of thousands, and counting them grew with it (issue 16;
# a cap of 1,000 still read 1,001 index entries per count: 7.5 ms for the anniversaries
# at scale 1). The "see all" page counts them all.
DASHBOARD_COUNT_CAP = 100
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
            # The outer LIMIT stops the ranges' Append at ``cap + 1`` rows in all (each
            # range's own LIMIT alone let eight ranges read eight times that).
            count = f"SELECT COUNT(*) FROM (SELECT 1 FROM ({union}) AS matches LIMIT %s) AS capped"  # noqa: S608
            cursor.execute(count, [*_with_limits(params, cap + 1), cap + 1])
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


# Each section but the anniversaries (merged separately) as a queryset, built for the
# sections computed only (issue 16: building all seven for each half of the dashboard
# cost more CPU than reading the three agreement sections).
_SECTION_QUERYSETS: dict[str, Callable[[dt.date], QuerySet[Any]]] = {
    # First, so that every partnership page (and from there every visit) is one click away.
    "partnerships": lambda _on: with_last_visit(
        Partnership.objects.exclude(status=Partnership.Status.ENDED).with_cities()
    ).order_by(
        F("last_visit_on").desc(nulls_last=True), F("has_visit").desc(), "partner_city__name"
    ),
    "upcoming_visits": lambda on: Visit.objects.upcoming(on=on).select_related(*CITIES),
    "overdue": lambda on: ActionItem.objects.overdue(on=on).select_related(
        *CITIES, "owner_organisation"
    ),
    "due_soon": lambda on: ActionItem.objects.due_within(days=DUE_SOON_DAYS, on=on).select_related(
        *CITIES, "owner_organisation"
    ),
    "expiring": lambda on: (
        Agreement.objects.expiring_within(days=EXPIRING_DAYS, on=on)
        .select_related(*CITIES)
        .order_by("valid_until", "reference")
    ),
    "expired": lambda on: (
        Agreement.objects.expired_without_successor(on=on)
        .select_related(*CITIES)
        .order_by("-valid_until", "reference")
    ),
    "dormant": lambda on: with_last_visit(
        dormant(Partnership.objects.with_cities(), years=DORMANT_YEARS, on=on)
    ).order_by(F("last_visit_on").asc(), "partner_city__name"),
}


def _queryset(key: str, on: dt.date) -> QuerySet[Any]:
    return _SECTION_QUERYSETS[key](on)


def _querysets(on: dt.date) -> dict[str, QuerySet[Any]]:
    """Every dashboard section but the anniversaries as a queryset."""
    return {key: build(on) for key, build in _SECTION_QUERYSETS.items()}


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
# only after a change to one of these counters. Action items change all day; the agreement
# sections, the costliest, do not have to follow them, nor do the visit sections (issue 16:
# the dormant partnerships probe every partnership's visits, more at every scale).
SECTION_SOURCES = {
    ("partnerships", freshness.VISITS): ("partnerships", "upcoming_visits", "dormant"),
    ("delegations", "partnerships"): ("overdue", "due_soon"),
    ("agreements", "partnerships"): ("expiring", "expired", "anniversaries"),
}


@dataclass(frozen=True)
class Section:
    """One section as the dashboard shows it: its HTML is cached under ``fragment_key``
    (None: not cached), and its ``group`` is computed only when that HTML is not."""

    key: str
    fragment_key: str | None
    group: Group  # lazy: read on first use


def for_page(on: dt.date, version: freshness.Version | None, language: str) -> dict[str, Section]:
    """The sections in page order, each cached as HTML per version of the apps it is
    computed from (``SECTION_SOURCES``), day and language.

    After an action item changed, only the two sections of action items are computed and
    rendered again; after a visit changed, those and the three that follow visits; after
    an agreement changed, only the three agreement sections (issue 16: one key for all
    eight rendered all eight again). The sections of one source are computed together,
    once, when the first of them is read.
    """
    computed: dict[tuple[str, ...], dict[str, Group]] = {}

    def group(sources: tuple[str, ...], keys: tuple[str, ...], key: str) -> Group:
        if sources not in computed:
            computed[sources] = _sections(on, keys)
        return computed[sources][key]

    result = {}
    for sources, keys in SECTION_SOURCES.items():
        part = f"{version.key(sources)}\n{on.isoformat()}\n{language}" if version else None
        for key in keys:
            result[key] = Section(
                key,
                part and f"dashboard-section\n{key}\n{part}",
                cast("Group", SimpleLazyObject(functools.partial(group, sources, keys, key))),
            )
    return {key: result[key] for key in SECTIONS}


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
            _latest_partnerships(group, _queryset(key, on))
        elif key == "upcoming_visits":
            _take_through_ids(group, _queryset(key, on).order_by("start_date", "id"))
        elif key == "due_soon":
            _take_through_ids(group, _queryset(key, on))
        elif key == "dormant":
            _take_counted_by_window(group, _queryset(key, on))
        else:
            take(group, _queryset(key, on), limit=DASHBOARD_LIMIT, cap=DASHBOARD_COUNT_CAP)
        result[key] = group
    return result


def _take_through_ids(group: Group, ordered: QuerySet[Any]) -> None:
    """``take`` for a section whose conditions and order an index holds whole: its first
    ids are read from the index alone, stopping after them, and then their rows (with
    ``ordered``'s joins) by id. One query for the rows with the joins made the planner
    fetch and sort every match (upcoming visits: 2,720 buffers at scale 1, 3 now)."""
    ids = list(ordered.values_list("pk", flat=True)[: DASHBOARD_LIMIT + 1])
    shown = ordered.in_bulk(ids[:DASHBOARD_LIMIT]) if ids else {}
    group.rows = [shown[pk] for pk in ids[:DASHBOARD_LIMIT]]
    if len(ids) <= DASHBOARD_LIMIT:
        group.total = len(ids)
        return
    counted = ordered.order_by()[: DASHBOARD_COUNT_CAP + 1].count()
    group.total, group.capped = min(counted, DASHBOARD_COUNT_CAP), counted > DASHBOARD_COUNT_CAP


def _take_counted_by_window(group: Group, ordered: QuerySet[Any]) -> None:
    """``take`` for a section whose query reads every match to order them (the dormant
    partnerships: each one's last visit is probed to sort on it): the count comes with the
    first rows, as a window over the same matches, instead of a second query that probed
    every partnership again (issue 16: 1.8 ms at scale 4, growing with the partnerships)."""
    rows = list(ordered.annotate(matches=Window(Count("pk")))[:DASHBOARD_LIMIT])
    counted = rows[0].matches if rows else 0
    group.rows = rows
    group.total, group.capped = min(counted, DASHBOARD_COUNT_CAP), counted > DASHBOARD_COUNT_CAP


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
    return SECTIONS[key], _queryset(key, on)
