"""What the overview pages gather: the dashboard's sections and a record's whole story.

Every query comes from a QuerySet or model method; this module only caps, counts,
merges and groups, in a number of queries that does not grow with the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from common import freshness
from common.partialdate import PartialDate
from common.text_match import Group, take
from delegations.models import ActionItem, Visit, VisitParticipant

from .models import Organisation, Partnership, Person, Position, next_round_anniversary

DASHBOARD_LIMIT = 10
EXPIRING_DAYS = 183  # six months
DUE_SOON_DAYS = 30
DORMANT_YEARS = 3

CITIES = ("partnership__home_city", "partnership__partner_city")

# The partnership page tells the whole story, but a partnership with thousands of
# visits or action items shows the latest/most urgent ones and links to the full lists
# (filtered to the partnership), where paging, filters and sorting take over. The caps
# keep the page a one-screen-per-section overview and its cost flat (issue 6).
STORY_VISITS = 20
STORY_ITEMS = 20
STORY_AGREEMENTS = 25
STORY_COUNTERPARTS = 20


@dataclass
class Anniversary:
    """A round anniversary of a partnership's founding or of an agreement's signature."""

    years: int
    when: PartialDate
    partnership: Partnership
    agreement: Agreement | None = None

    @property
    def sort_key(self):
        return (self.when.date, self.years)


def anniversary_rows(on: dt.date, *, limit: int | None = None) -> tuple[list[Anniversary], int]:
    """Round anniversaries in the next 12 months, soonest first, and how many in all."""
    partnerships = Partnership.objects.round_anniversaries(on=on).with_cities()
    agreements = Agreement.objects.round_anniversaries(on=on).select_related(*CITIES)
    total = None
    if limit is not None:
        # Every match is computed and sorted anyway (the order is on date parts), so the
        # count comes with the rows instead of from a second scan. The agreements' order
        # and count are taken from their ids alone, then the rows shown are read by id:
        # thousands of matches are not joined to their cities to show ten.
        everything = Window(Count("pk"))
        partnerships = list(partnerships.annotate(matches=everything)[:limit])
        head = list(agreements.annotate(matches=everything).values_list("pk", "matches")[:limit])
        shown = Agreement.objects.select_related(*CITIES).in_bulk([pk for pk, _n in head])
        agreements = [shown[pk] for pk, _n in head]
        total = (partnerships[0].matches if partnerships else 0) + (head[0][1] if head else 0)
    rows = []
    for partnership in partnerships:
        years, when = next_round_anniversary(partnership.established, on)
        rows.append(Anniversary(years, when, partnership))
    for agreement in agreements:
        years, when = next_round_anniversary(agreement.signed, on)
        rows.append(Anniversary(years, when, agreement.partnership, agreement))
    rows.sort(key=lambda row: row.sort_key)
    if limit is None:
        return rows, len(rows)
    return rows[:limit], total


def _querysets(on: dt.date) -> dict:
    """The dashboard's sections as querysets (anniversaries are merged separately)."""
    return {
        # First, so that every partnership page (and from there every visit) is one click away.
        "partnerships": Partnership.objects.exclude(status=Partnership.Status.ENDED)
        .with_cities()
        .with_last_visit()
        .order_by(F("last_visit_on").desc(nulls_last=True), "partner_city__name"),
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
        "dormant": Partnership.objects.dormant(years=DORMANT_YEARS, on=on)
        .with_cities()
        .with_last_visit()
        .order_by("last_visit_on", "partner_city__name"),
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


# What each section is computed from (common/freshness.py): a section is computed again
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
                lambda keys=keys: _sections(on, keys),
                depends_on=sources,
                version=version,
            )
        )
    return {key: result[key] for key in SECTIONS}


def _sections(on: dt.date, keys) -> dict[str, Group]:
    result = {}
    querysets = _querysets(on)
    for key in keys:
        more = (
            reverse("partnerships:partnership_list")
            if key == "partnerships"
            else reverse("partnerships:dashboard_section", args=[key])
        )
        group = Group(key, SECTIONS[key], more_url=more)
        if key == "anniversaries":  # merged from two models in Python
            group.rows, group.total = anniversary_rows(on, limit=DASHBOARD_LIMIT)
        else:
            take(group, querysets[key], limit=DASHBOARD_LIMIT)
        result[key] = group
    return result


def full_section(key: str, on: dt.date | None = None):
    """All rows of one dashboard section (its "see all" page)."""
    on = on or timezone.localdate()
    if key == "anniversaries":
        return SECTIONS[key], anniversary_rows(on)[0]
    return SECTIONS[key], _querysets(on)[key]


# -- the whole story of one record ------------------------------------------------------


def partnership_story(partnership: Partnership) -> dict:
    """Agreements with their chain, visits both ways, open action items, counterparts.

    Each part is computed when the page first uses it (``SimpleLazyObject``): the parts
    the page takes from its cache (see partnership_detail.html) cost no query at all.
    """
    heads = VisitParticipant.objects.filter(role=VisitParticipant.Role.HEAD).select_related(
        "person"
    )
    visits = partnership.visits.prefetch_related(
        Prefetch("participants", queryset=heads, to_attr="heads")
    ).order_by("-start_date", "-pk")
    # Only what the section shows is joined (every join costs the planner time too);
    # the items' partnership is this one.
    open_items = (
        partnership.action_items.open()
        .select_related("owner_organisation", "visit")
        .order_by(F("due_on").asc(nulls_last=True), "-priority", "pk")
    )
    tree = SimpleLazyObject(lambda: partnership.agreement_tree(limit=STORY_AGREEMENTS))
    return {
        "agreement_tree": SimpleLazyObject(lambda: tree[0]),
        "agreement_total": SimpleLazyObject(lambda: tree[1]),
        "visits": SimpleLazyObject(lambda: take(Group("visits", ""), visits, limit=STORY_VISITS)),
        "balance": SimpleLazyObject(partnership.visit_balance),
        "open_items": SimpleLazyObject(
            lambda: _with_partnership(
                take(Group("open_items", ""), open_items, limit=STORY_ITEMS), partnership
            )
        ),
        "counterparts": SimpleLazyObject(
            lambda: take(
                Group("counterparts", ""),
                partnership.counterpart_positions(),
                limit=STORY_COUNTERPARTS,
            )
        ),
        "next_anniversary": partnership.next_anniversary(),
    }


def _with_partnership(group: Group, partnership: Partnership) -> Group:
    for row in group.rows:
        row.partnership = partnership
    return group


def person_story(person: Person) -> dict:
    """Positions over time, visits taken part in, agreements signed, action items owned."""
    positions = person.positions.select_related("organisation__city").order_by("-start", "-pk")
    participations = person.visit_participations.select_related(
        "visit__partnership__home_city", "visit__partnership__partner_city"
    ).order_by("-visit__start_date")
    signatures = person.signatures.select_related("agreement", "organisation").order_by(
        "-agreement__signed_on"
    )
    today = timezone.localdate()
    positions = list(positions)
    current_ids = set(
        Position.objects.held_on(today).filter(person=person).values_list("pk", flat=True)
    )
    for position in positions:
        position.is_current = position.pk in current_ids
    return {
        "positions": positions,
        "participations": list(participations),
        "signatures": list(signatures),
        "owned_items": list(
            person.owned_action_items.select_related(*CITIES).order_by("due_on", "pk")[:50]
        ),
    }


def organisation_story(organisation: Organisation) -> dict:
    """Who held office there over time, its units, agreements and action items."""
    today = timezone.localdate()
    positions = list(
        organisation.positions.select_related("person").order_by("-start", "person__full_name")
    )
    current_ids = set(
        Position.objects.held_on(today)
        .filter(organisation=organisation)
        .values_list("pk", flat=True)
    )
    for position in positions:
        position.is_current = position.pk in current_ids
    return {
        "positions": positions,
        "units": list(organisation.units.order_by("name")),
        "agreements": list(
            organisation.agreements.select_related(*CITIES).order_by("-signed_on")[:50]
        ),
        "action_items": list(
            ActionItem.objects.filter(
                Q(owner_organisation=organisation) | Q(counterpart=organisation)
            )
            .select_related(*CITIES)
            .order_by("due_on", "pk")[:50]
        ),
        "partnerships": list(organisation.focal_partnerships.with_cities()),
    }
