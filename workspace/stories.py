"""The whole story of one record: a partnership's, a person's, an organisation's page.

Every query comes from a QuerySet or model method; this module only caps, counts and
groups, in a number of queries that does not grow with the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Count, F, Prefetch, Q, Sum
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from delegations.models import ActionItem, VisitParticipant, visit_balance
from partnerships.models import Organisation, Partnership, Person, Position
from workspace.models import ActivityCount
from workspace.result_groups import Group, take

CITIES = ("partnership__home_city", "partnership__partner_city")

# The partnership page tells the whole story, but a partnership with thousands of
# visits or action items shows the latest/most urgent ones and links to the full lists
# (filtered to the partnership), where paging, filters and sorting take over. The caps
# keep the page a one-screen-per-section overview and its cost flat (issue 6).
STORY_VISITS = 20
STORY_ITEMS = 20
STORY_AGREEMENTS = 25
# Beyond 25 agreements, the first 8 roots of the tree and 2 successors of each (issue 16:
# the whole tree was read to show 25 of its agreements).
STORY_AGREEMENT_ROOTS = 8
STORY_AGREEMENT_SUCCESSORS = 2
STORY_COUNTERPARTS = 20
# The visits and open items are counted up to here ("more than 1000", as the lists the
# page links to say it): counting all of the biggest partnership's read thousands of
# index entries, growing with the record (issue 16).
STORY_COUNT_CAP = 1000


def partnership_story(partnership: Partnership) -> dict[str, Any]:
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
    return {
        "agreements": SimpleLazyObject(
            lambda: partnership.agreements.outline(
                limit=STORY_AGREEMENTS,
                roots=STORY_AGREEMENT_ROOTS,
                successors=STORY_AGREEMENT_SUCCESSORS,
                cap=STORY_COUNT_CAP,
            )
        ),
        "visits": SimpleLazyObject(
            lambda: take(Group("visits", ""), visits, limit=STORY_VISITS, cap=STORY_COUNT_CAP)
        ),
        "balance": SimpleLazyObject(lambda: _visit_balance(partnership)),
        "open_items": SimpleLazyObject(
            lambda: _with_partnership(
                take(Group("open_items", ""), open_items, limit=STORY_ITEMS, cap=STORY_COUNT_CAP),
                partnership,
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


def _visit_balance(partnership: Partnership) -> dict[str, int]:
    """``partnership.visits.balance()``, read on PostgreSQL from the monthly visit counts
    its triggers keep (``ActivityCount``: a few rows per month) plus the visits with no
    start date, which those counts leave out: counting the biggest partnership's visits
    read every one of them (issue 16: thousands of rows, the page's cost growing with
    them)."""
    if connection.vendor != "postgresql":
        return partnership.visits.balance()
    months = (
        ActivityCount.objects.filter(partnership_id=partnership.pk, metric="visits")
        .order_by()
        .values_list("kind")
        .annotate(n=Sum("n"))
    )
    undated = (
        partnership.visits.filter(start_date__isnull=True)
        .exclude(status="cancelled")
        .order_by()
        .values_list("direction")
        .annotate(n=Count("pk"))
    )
    return visit_balance(months.union(undated, all=True))


def _with_partnership(group: Group, partnership: Partnership) -> Group:
    for row in group.rows:
        row.partnership = partnership
    return group


def _marked_current(positions: Iterable[Position], current_ids: set[int]) -> list[Any]:
    """The positions, each with ``is_current`` (held today) for the page to read."""
    rows: list[Any] = list(positions)
    for position in rows:
        position.is_current = position.pk in current_ids
    return rows


def person_story(person: Person) -> dict[str, Any]:
    """Positions over time, visits taken part in, agreements signed, action items owned."""
    positions = person.positions.select_related("organisation__city").order_by("-start", "-pk")
    participations = person.visit_participations.select_related(
        "visit__partnership__home_city", "visit__partnership__partner_city"
    ).order_by("-visit__start_date")
    signatures = person.signatures.select_related("agreement", "organisation").order_by(
        "-agreement__signed_on"
    )
    today = timezone.localdate()
    rows = list(positions)
    current_ids = set(
        Position.objects.held_on(today).filter(person=person).values_list("pk", flat=True)
    )
    return {
        "positions": _marked_current(rows, current_ids),
        "participations": list(participations),
        "signatures": list(signatures),
        "owned_items": list(
            person.owned_action_items.select_related(*CITIES).order_by("due_on", "pk")[:50]
        ),
    }


def organisation_story(organisation: Organisation) -> dict[str, Any]:
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
    return {
        "positions": _marked_current(positions, current_ids),
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
