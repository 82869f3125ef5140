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

from django.db.models import Count, F, QuerySet, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from common.partialdate import PartialDate
from delegations.models import ActionItem, Visit
from delegations.partnership_visits import dormant, with_last_visit
from partnerships.models import Partnership, next_round_anniversary
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


def anniversary_rows(on: dt.date, *, limit: int | None = None) -> tuple[list[Anniversary], int]:
    """Round anniversaries in the next 12 months, soonest first, and how many in all."""
    partnerships = Partnership.objects.round_anniversaries(on=on).with_cities()
    agreements = Agreement.objects.round_anniversaries(on=on).select_related(*CITIES)
    if limit is None:
        rows = _anniversaries(on, partnerships, agreements)
        return rows, len(rows)
    # Every match is computed and sorted anyway (the order is on date parts), so the
    # count comes with the rows instead of from a second scan. The agreements' order
    # and count are taken from their ids alone, then the rows shown are read by id:
    # thousands of matches are not joined to their cities to show ten.
    everything = Window(Count("pk"))
    first_partnerships = list(partnerships.annotate(matches=everything)[:limit])
    head = list(agreements.annotate(matches=everything).values_list("pk", "matches")[:limit])
    shown = Agreement.objects.select_related(*CITIES).in_bulk([pk for pk, _n in head])
    first_agreements = [shown[pk] for pk, _n in head]
    total = (first_partnerships[0].matches if first_partnerships else 0) + (
        head[0][1] if head else 0
    )
    return _anniversaries(on, first_partnerships, first_agreements)[:limit], total


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
            group.rows, group.total = anniversary_rows(on, limit=DASHBOARD_LIMIT)
        else:
            take(group, querysets[key], limit=DASHBOARD_LIMIT, cap=DASHBOARD_COUNT_CAP)
        result[key] = group
    return result


def full_section(
    key: str, on: dt.date | None = None
) -> tuple[StrOrPromise, list[Anniversary] | QuerySet[Any]]:
    """All rows of one dashboard section (its "see all" page)."""
    on = on or timezone.localdate()
    if key == "anniversaries":
        return SECTIONS[key], anniversary_rows(on)[0]
    return SECTIONS[key], _querysets(on)[key]
