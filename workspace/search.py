"""The workspace's one search box: every kind of record, grouped, exact accents first.

Each group holds at most ``GROUP_LIMIT`` rows and says how many there are in all.
Matching is ``common.text_match``'s accent-insensitive ``Fold`` (GIN trigram indexes on
PostgreSQL), so the cost stays flat as the record grows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, models
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce, Replace
from django.db.models.lookups import Contains, LessThanOrEqual
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from common.countries import codes_matching
from common.sheetkit.queries import AnyOf
from common.text_match import (
    MIN_QUERY_LENGTH,
    Fold,
    any_field_contains,
    fold_contains,
    matching,
    normalise_query,
    related_match,
    with_exact_match,
)
from delegations.models import ActionItem, Engagement, Visit
from partnerships.models import (
    CITY_NAME_FIELDS,
    City,
    CityName,
    Organisation,
    Partnership,
    Person,
    Position,
)
from workspace.result_groups import Group, TextSearch, take, take_ranked

AGREEMENT_FIELDS = ["reference", "title", "title_en"]
VISIT_FIELDS = ["title", "place", "purpose", "outcomes"]
ENGAGEMENT_FIELDS = ["title", "summary"]
ACTION_ITEM_FIELDS = ["description"]
PERSON_FIELDS = ["full_name", "name_latin"]
ORGANISATION_FIELDS = ["name", "name_en", "abbreviation"]


def _list_url(name: str, **params: str) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def _compact(field: str, query: str) -> Q:
    """``field`` contains ``query`` once spaces are left out of both: "hanoi" = "Hà Nội"."""
    squeezed = query.replace(" ", "")
    squeezed_field = Replace(Fold(F(field)), Value(" "), Value(""), output_field=TextField())
    return Q(Contains(squeezed_field, Fold(Value(squeezed))))


def city_names_match(query: str, countries: Iterable[str] = ()) -> Q:
    """Cities by any of their names, accents ignored, with or without spaces, in any script
    (their other names: "Минск", "ວຽງຈັນ"), or by their country (``countries``: codes).

    The ids are read by a UNION of two index-only branches (the cities' own names, their
    other names), each an OR of trigram indexes PostgreSQL combines (migration
    partnerships 0007 indexes the names without spaces): an ``Exists`` over the other names
    OR'ed with the name conditions made it evaluate ten ``sc_fold`` calls on every city
    (issue 16: 12–19 ms at scale 1, growing with the cities)."""
    own = Q(country__in=list(countries)) if countries else Q(pk__in=[])
    for name in CITY_NAME_FIELDS:
        own |= fold_contains(name, query) | _compact(name, query)
    other = CityName.objects.filter(fold_contains("name", query)).values("city_id")
    return Q(pk__in=City.objects.filter(own).values("pk").union(other))


def partner_cities(query: str) -> models.QuerySet[Partnership]:
    """Partnerships between cities named by ``query`` ("hanoi", "Минск"): a visit or an
    action item is found by its cities even when its own text spells them otherwise."""
    cities = City.objects.filter(city_names_match(query)).values("pk")
    return Partnership.objects.filter(Q(home_city__in=cities) | Q(partner_city__in=cities))


@dataclass(frozen=True)
class Probe:
    """What the visits and action items match besides their own text, read up front.

    Ids as literal lists, not subqueries: PostgreSQL then knows how many rows they
    select, combines the ``partnership_id`` index with the trigram indexes for a rare
    query ("vieng chan": one partnership) and walks the ordering index for a common
    one ("ha noi": every partnership). Behind ``partnership_id IN (subquery)`` it
    guessed 2% of the rows and walked all 100,000 action items (issue 14, finding 5:
    3 s). One statement (a UNION) reads both lists: cities and partnerships are few.
    """

    visits: Q
    partnership_ids: list[int]


VISIT_IDS, PARTNERSHIP_IDS, ALL_PARTNERSHIPS, SAMPLE_HITS = 0, 1, 2, 3
# A query naming more than a quarter of the partnerships (a home city: "ha noi", half the
# record) finds a page of visits by their partnership within a few rows of the ordered
# scan: the programme is then tested for the rows scanned only, never probed.
DENSE_SHARE = 4
# A word in at least 5 of the newest 100 programme items (one in twenty or more:
# "tham quan", sightseeing, is in one in seven) is common: the ordered scan of the
# visits finds a page of them and their capped count within a few hundred rows, so the
# programme is tested for the rows scanned only, never probed. Probing it read every
# matching item through the trigram index before its LIMIT (17,000 at scale 1, 68,000
# at scale 4) only to conclude "too many" (issue 16).
PROGRAMME_SAMPLE = 100
COMMON_IN_SAMPLE = 5


def _count(queryset: models.QuerySet[Partnership]) -> Subquery:
    """``SELECT COUNT(id)`` of ``queryset`` as a scalar subquery (no GROUP BY)."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Subquery(counted, output_field=models.IntegerField())


def _sample_hits(query: str) -> models.QuerySet[Engagement]:
    """The newest ``PROGRAMME_SAMPLE`` programme items that mention ``query``: each tested
    through the primary key, a bounded read whatever the size of the record."""
    newest = Engagement.objects.order_by("-pk").values("pk")[:PROGRAMME_SAMPLE]
    return Engagement.objects.filter(pk__in=newest).filter(
        any_field_contains(ENGAGEMENT_FIELDS, query)
    )


def probe(query: str) -> Probe:
    """The partnerships ``query`` names and the visits whose programme mentions it, in one
    statement (a UNION of four branches, four statements on SQLite).

    The programme branch is read only when the query names few partnerships and is not a
    common word of the programme: gates on two counts and on the newest items (PostgreSQL
    evaluates them once, as a one-time filter, and skips the branch) that Python decides
    the same way from the rows read. Behind a home city's name or a common word the
    trigram scan read every matching programme item before its LIMIT (a bitmap of 33,000
    items at scale 4 for "ha noi", 68,000 for "tham quan", growing with the record), only
    to conclude "too many".
    """
    named = partner_cities(query)
    few_named = Q(LessThanOrEqual(_count(named) * DENSE_SHARE, _count(Partnership.objects.all())))
    sample_hits = _sample_hits(query).order_by()
    rare_word = ~Q(Exists(sample_hits[COMMON_IN_SAMPLE - 1 : COMMON_IN_SAMPLE]))
    engagements = (
        Engagement.objects.filter(few_named, rare_word)
        .filter(any_field_contains(ENGAGEMENT_FIELDS, query))
        .order_by()
        .annotate(probe_kind=Value(VISIT_IDS), probe_ref=F("visit_id"))
        .values_list("probe_kind", "probe_ref")[:PROGRAMME_PROBE]
    )
    partnerships = (
        named.order_by()
        .annotate(probe_kind=Value(PARTNERSHIP_IDS), probe_ref=F("pk"))
        .values_list("probe_kind", "probe_ref")
    )
    total = (
        Partnership.objects.order_by()
        .annotate(probe_kind=Value(ALL_PARTNERSHIPS), probe_ref=Func(F("pk"), function="COUNT"))
        .values_list("probe_kind", "probe_ref")
    )
    common = sample_hits.annotate(probe_kind=Value(SAMPLE_HITS), probe_ref=F("pk")).values_list(
        "probe_kind", "probe_ref"
    )[:COMMON_IN_SAMPLE]
    if connection.features.supports_slicing_ordering_in_compound:
        rows = list(engagements.union(partnerships, total, common, all=True).order_by())
    else:  # SQLite: four statements
        rows = [*engagements, *partnerships, *total, *common]
    programme = [ref for kind, ref in rows if kind == VISIT_IDS]
    partnership_ids = sorted({ref for kind, ref in rows if kind == PARTNERSHIP_IDS})
    (all_partnerships,) = [ref for kind, ref in rows if kind == ALL_PARTNERSHIPS]
    common_word = sum(kind == SAMPLE_HITS for kind, _ref in rows) >= COMMON_IN_SAMPLE
    if common_word or len(partnership_ids) * DENSE_SHARE > all_partnerships:
        # the branch was skipped
        return Probe(programme_match(query, [], complete=False), partnership_ids)
    # The probe reads at most PROGRAMME_PROBE programme items: only when it read fewer
    # are their visits all the matching visits (items of one visit come several times:
    # deciding on the distinct visits matched only the first 500 items' visits, e.g.
    # "tham quan" at scale 1: 17,050 items, 345 visits of 2,000 found).
    complete = len(programme) < PROGRAMME_PROBE
    return Probe(programme_match(query, sorted(set(programme)), complete=complete), partnership_ids)


def search_cities(query: str) -> Group:
    partnerships = Partnership.objects.select_related("home_city", "partner_city")
    home_count = (
        Partnership.objects.filter(home_city=OuterRef("pk"))
        .order_by()
        .values("home_city")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # A country in any spelling ("Belarus", "Bêlarut", "Беларусь") finds its cities.
    countries = codes_matching(query)
    cities = (
        with_exact_match(
            City.objects.filter(city_names_match(query, countries)), CITY_NAME_FIELDS, query
        )
        # A home city shows how many partnerships it has (Hà Nội: hundreds), not them.
        .annotate(home_partnership_count=Coalesce(Subquery(home_count), 0))
        .prefetch_related(
            Prefetch("partner_partnerships", queryset=partnerships, to_attr="as_partner"),
            "alternative_names",
        )
        .order_by("-exact_match", "-is_home", "name")
    )
    return take(
        Group(
            "cities",
            _("Partners and cities"),
            more_url=_list_url("partnerships:partnership_list", q=query),
        ),
        cities,
    )


def search_agreements(query: str) -> Group:
    rows = Agreement.objects.select_related("partnership__home_city", "partnership__partner_city")
    more = _list_url("agreements:agreement_list", q=query)
    return take_ranked(
        Group("agreements", _("Agreements"), more_url=more),
        rows,
        TextSearch(query, AGREEMENT_FIELDS),
    )


def _partnerships(found: Probe) -> Q | None:
    """The rows of the partnerships between the cities the query names, if any: a
    group's count reads them first, through the ``partnership_id`` index."""
    return _in_partnerships(found) if found.partnership_ids else None


def _in_partnerships(found: Probe) -> Q:
    """The rows of ``found.partnership_ids``, the ids sent as one array parameter: a home
    city's hundreds of partnerships (867 at scale 4) cost Django and psycopg a placeholder
    and a conversion each, in every statement they are in (four), growing with the record."""
    return Q(AnyOf(F("partnership_id"), found.partnership_ids))


def search_visits(query: str, found: Probe) -> Group:
    # A visit is also found by its programme (Đông Hồ in a Minsk 2025 engagement).
    rows = Visit.objects.select_related("partnership__home_city", "partnership__partner_city")
    more = _list_url("delegations:visit_list", q=query)
    return take_ranked(
        Group("visits", _("Visits"), more_url=more),
        rows,
        TextSearch(
            query,
            VISIT_FIELDS,
            extra=_in_partnerships(found) | found.visits,
            indexed=_partnerships(found),
        ),
    )


PROGRAMME_PROBE = 500


def programme_match(query: str, visit_ids: list[int], *, complete: bool) -> Q:
    """Visits whose programme mentions ``query``.

    When few engagements match (``complete``: the probe read them all; ``visit_ids``,
    their visits), their visits' ids go into
    the query as a list, so PostgreSQL combines the trigram indexes instead of scanning
    every visit; when many do, an ``Exists`` lets the ordered scan stop after a page
    (issue 6: scale).
    """
    if complete:
        return Q(pk__in=visit_ids)
    return related_match(Engagement, "visit", ENGAGEMENT_FIELDS, query, per_row=True)


def search_action_items(query: str, found: Probe) -> Group:
    rows = ActionItem.objects.select_related("partnership__home_city", "partnership__partner_city")
    more = _list_url("delegations:actionitem_list", q=query)
    return take_ranked(
        Group("action_items", _("Action items"), more_url=more),
        rows,
        TextSearch(
            query,
            ACTION_ITEM_FIELDS,
            extra=_in_partnerships(found),
            indexed=_partnerships(found),
        ),
    )


def search_people(query: str) -> Group:
    current = Position.objects.current().select_related("organisation")
    rows = (
        matching(Person.objects.all(), PERSON_FIELDS, query)
        .prefetch_related(Prefetch("positions", queryset=current, to_attr="current_positions"))
        .order_by("-exact_match", "full_name")
    )
    return take(
        Group("people", _("People"), more_url=_list_url("partnerships:person_list", q=query)), rows
    )


def search_organisations(query: str) -> Group:
    rows = (
        matching(Organisation.objects.all(), ORGANISATION_FIELDS, query)
        .select_related("city")
        .order_by("-exact_match", "name")
    )
    return take(
        Group(
            "organisations",
            _("Organisations"),
            more_url=_list_url("partnerships:organisation_list", q=query),
        ),
        rows,
    )


def search_record(raw_query: str | None) -> tuple[str, list[Group]]:
    """The normalised query and its result groups (none for a query under two characters)."""
    query = normalise_query(raw_query)
    if len(query) < MIN_QUERY_LENGTH:
        return query, []
    found = probe(query)
    return query, [
        search_cities(query),
        search_agreements(query),
        search_visits(query, found),
        search_action_items(query, found),
        search_people(query),
        search_organisations(query),
    ]
