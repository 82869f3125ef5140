"""The partner map: every partner city on a world map drawn on the server
(common/worldmap.py), coloured by the partnership's status, sized by its activity
(visits in the last five years, either way), each a link to its partnership, with the
same places in a table beside it. A page of its own, and a block on a partnership's page.

Beyond ``PER_CITY_UP_TO`` partnerships (a national record: 1,700 at scale 4) dots one
per partner city overlap into a blot and their table runs to thousands of rows, so the
map draws one circle per country instead, sized by its partnerships and coloured by
their most common status, each a link to the partners list filtered to that country,
with a table of countries and counts; both read one grouped query, not every
partnership. A filter that leaves few enough partnerships shows each city again.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.core.signals import setting_changed
from django.db.models import Avg, Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET
from django_countries import countries

from common.cached_choices import cached_by_version
from common.htmx import render_partial_or_page
from common.http_request import AuthenticatedRequest
from common.permissions import viewer_required
from common.reversing import url_maker
from common.worldmap import WORLD_BBOX, MapPoint, country_centres, render_world_map
from delegations.models import Visit
from partnerships.models import City, Partnership, PartnershipQuerySet
from workspace import freshness

ACTIVITY_YEARS = 5
# What a place on the map and in its table reads of its partnership.
MAP_FIELDS = (
    "status",
    "home_city__name",
    "partner_city__name",
    "partner_city__country",
    "partner_city__latitude",
    "partner_city__longitude",
)
MIN_RADIUS = 3.5
RADIUS_PER_VISIT = 2.2
MAX_RADIUS = 14.0
# Up to this many partnerships, a dot per partner city (the demo's four, a province's
# record); beyond it, a circle per country. Sixty labelled dots still read on a 960 px
# world map; a hundred do not.
PER_CITY_UP_TO = 60
COUNTRY_MIN_RADIUS = 6.0  # room for a count of two digits
COUNTRY_MAX_RADIUS = 22.0
LABELLED_COUNTRIES = 15  # the biggest circles carry their country's name


class MapFilterForm(forms.Form):
    home_city = forms.ModelChoiceField(
        label=_l("Home city"), queryset=City.objects.home(), required=False
    )
    status = forms.ChoiceField(
        label=_l("Status"), choices=[("", "—"), *Partnership.Status.choices], required=False
    )

    def results(self) -> PartnershipQuerySet:
        partnerships = Partnership.objects.all()
        if not self.is_valid():
            return partnerships
        if self.cleaned_data.get("home_city"):
            partnerships = partnerships.filter(home_city=self.cleaned_data["home_city"])
        if self.cleaned_data.get("status"):
            partnerships = partnerships.filter(status=self.cleaned_data["status"])
        return partnerships

    def list_url(self) -> str:
        """The partners list with this map's filters."""
        query: dict[str, str] = {}
        if self.is_valid() and self.cleaned_data.get("home_city"):
            query["home_city"] = str(self.cleaned_data["home_city"].pk)
        if self.is_valid() and self.cleaned_data.get("status"):
            query["status"] = self.cleaned_data["status"]
        url = reverse("partnerships:partnership_list")
        return f"{url}?{urlencode(query)}" if query else url


@dataclass
class Place:
    partnership: Partnership
    visits: int
    url: str  # the partnership's page

    @property
    def located(self) -> bool:
        city = self.partnership.partner_city
        return city.latitude is not None and city.longitude is not None

    @property
    def radius(self) -> float:
        return min(MAX_RADIUS, MIN_RADIUS + RADIUS_PER_VISIT * math.sqrt(self.visits))

    def point(self) -> MapPoint:
        city = self.partnership.partner_city
        return MapPoint(
            float(city.latitude or 0),
            float(city.longitude or 0),
            label=str(city),
            href=self.url,
            css_class=f"status-{self.partnership.status}",
            radius=self.radius,
        )


def with_activity(partnerships: PartnershipQuerySet, on: dt.date | None = None) -> list[Place]:
    """The partnerships with their visits of the last five years (cancelled ones not
    counted), in one query: a count per partnership through the (partnership, start
    date) index, rather than a join of every visit grouped by all the columns of the
    partnership and its cities."""
    on = on or timezone.localdate()
    since = on - dt.timedelta(days=round(365.25 * ACTIVITY_YEARS))
    recent = (
        Visit.objects.filter(partnership=OuterRef("pk"), start_date__gte=since, start_date__lte=on)
        .exclude(status=Visit.Status.CANCELLED)
        .order_by()
        .values("partnership")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # In the model's order (home city, partner city): the grouped count this replaces
    # left it out (Django drops Meta.ordering from GROUP BY queries), so the table came
    # in whatever order PostgreSQL grouped the rows.
    # Only what the map, its table and the partnership's name show: at scale 4 (1,700
    # partnerships) building the partnerships with every field of their two cities and
    # focal office took ~90 ms of CPU (the cities' profiles and key figures among them).
    rows = (
        partnerships.select_related("home_city", "partner_city")
        .only(*MAP_FIELDS)
        .annotate(recent_visits=Coalesce(Subquery(recent), 0))
    )
    url = url_maker("partnerships:partnership_detail")
    return [Place(p, p.recent_visits, url(p.pk)) for p in rows]


def draw(places: list[Place], *, element_id: str = "partner-map") -> SafeString:
    located = [p for p in places if p.located]
    svg = render_world_map(
        [p.point() for p in sorted(located, key=lambda p: -p.radius)],  # small ones on top
        title=_("Partner cities"),
        description=_(
            "Partner cities coloured by the partnership's status and sized by the visits of the last five years; the table lists the same."
        ),
        css_class="partner-map",
        element_id=element_id,
    )
    return mark_safe(svg)  # noqa: S308 (render_world_map escapes every text it draws)


_HUNDREDTH = Decimal("0.01")


def _coordinate(value: Decimal, separator: str) -> str:
    """``value|floatformat:2`` for a coordinate (|value| < 1000: never grouped): half up,
    no "-0.00", the language's decimal separator."""
    rounded = Decimal(value).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)
    if not rounded:
        rounded = abs(rounded)
    return f"{rounded:.2f}".replace(".", separator)


def table_rows(places: list[Place]) -> SafeString:
    """The table's rows, written here rather than by a template loop: at scale 1 (440
    partnerships) the block's template took 41 ms of CPU with the loop, 25 with these rows.
    Same HTML as the loop (tests/test_partner_map.py compares them in both languages)."""
    separator = str(formats.get_format("DECIMAL_SEPARATOR"))
    no_place = escape(_("not on the map: no coordinates"))
    rows = []
    for place in places:
        partnership = place.partnership
        city = partnership.partner_city
        if place.located:
            where = (
                f"{_coordinate(city.latitude, separator)}, "  # type: ignore[arg-type]
                f"{_coordinate(city.longitude, separator)}"  # type: ignore[arg-type]
            )
        else:
            where = f'<span class="muted">{no_place}</span>'
        rows.append(
            f'<tr>\n          <td><a href="{escape(place.url)}">{escape(str(partnership))}</a></td>\n'
            f"          <td>{escape(city.country.name)}</td>\n"  # type: ignore[attr-defined]
            f'          <td><span class="badge badge-{escape(partnership.status)}">'
            f"{escape(partnership.get_status_display())}</span></td>\n"
            f'          <td class="num">{escape(formats.localize(place.visits))}</td>\n'
            f"          <td>{where}</td>\n        </tr>"
        )
    return mark_safe("\n        ".join(rows))  # noqa: S308 (every value escaped above)


@dataclass
class CountryPlace:
    """The partnerships with partner cities in one country, as one circle and one row."""

    code: str
    name: str
    counts: dict[str, int]  # by status, in the order of Partnership.Status
    centre: tuple[float, float] | None  # latitude, longitude
    url: str  # the partners list filtered to the country

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def status(self) -> str:
        """The most common status (the first of Partnership.Status on a tie)."""
        return max(self.counts, key=lambda status: self.counts[status])

    def point(self, *, radius: float, labelled: bool) -> MapPoint:
        return _country_point(
            self.name,
            self.total,
            self.status,
            self.url,
            self.centre or (0.0, 0.0),
            radius=radius,
            labelled=labelled,
            language=get_language(),
        )


# A country's circle and row are kept per process by what they show (its name, counts,
# link, size; the language): after a change of the record, the map of ~250 countries
# builds again only what changed, not every country (issue 16: the first view after a
# change grew with the countries, 22 ms at scale 0.25, 36.5 ms at scale 4).
COUNTRIES_KEPT = 4096


@functools.lru_cache(maxsize=COUNTRIES_KEPT)
def _country_point(  # noqa: PLR0913 (what the circle shows, each a key of the cache)
    name: str,
    total: int,
    status: str,
    url: str,
    centre: tuple[float, float],
    *,
    radius: float,
    labelled: bool,
    language: str | None,  # noqa: ARG001 (a key: the count and name are in it)
) -> MapPoint:
    latitude, longitude = centre
    count = formats.localize(total)
    return MapPoint(
        latitude,
        longitude,
        label=name if labelled else "",
        href=url,
        css_class=f"country-point status-{status}",
        radius=radius,
        text=count,
        name=ngettext(
            "%(country)s: %(count)s partnership", "%(country)s: %(count)s partnerships", total
        )
        % {"country": name, "count": count},
    )


type CountryCounts = tuple[Any, ...]  # code, a count per status, mean latitude, longitude


def count_by_country(partnerships: PartnershipQuerySet) -> list[CountryCounts]:
    """The partnerships counted by their partner city's country and status in one grouped
    query (a row per country, at most the world's), with the mean of their cities'
    coordinates, in the order of the countries' codes."""
    statuses = Partnership.Status.values
    rows = (
        partnerships.order_by()
        .values_list("partner_city__country")
        .annotate(
            **{f"n_{status}": Count("pk", filter=Q(status=status)) for status in statuses},
            mean_latitude=Avg("partner_city__latitude"),
            mean_longitude=Avg("partner_city__longitude"),
        )
    )
    return sorted(rows)


def by_country(partnerships: PartnershipQuerySet, filters: MapFilterForm) -> list[CountryPlace]:
    """The partnerships by their partner city's country (``count_by_country``), the
    biggest country first. A country is marked at the centre of its outline
    (common.worldmap.country_centres), or, if too small for the map's outlines, at the
    mean of its cities' coordinates."""
    return _places(count_by_country(partnerships), filters)


def _places(rows: list[CountryCounts], filters: MapFilterForm) -> list[CountryPlace]:
    statuses = Partnership.Status.values
    names = {code: (i, str(name)) for i, (code, name) in enumerate(countries)}
    centres = country_centres()
    listed = filters.list_url()
    listed += "&" if "?" in listed else "?"
    places = []
    for code, *counts, mean_latitude, mean_longitude in rows:
        centre = centres.get(code)
        if centre is None and mean_latitude is not None:
            centre = (float(mean_latitude), float(mean_longitude))
        if centre is not None and not WORLD_BBOX[1] <= centre[0] <= WORLD_BBOX[3]:
            centre = None  # Antarctica: south of the world map's edge
        places.append(
            CountryPlace(
                code,
                names.get(code, (len(names), code))[1],
                dict(zip(statuses, counts, strict=True)),
                centre,
                f"{listed}{_country_query(code)}",
            )
        )
    places.sort(key=lambda c: (-c.total, names.get(c.code, (len(names), c.code))))
    return places


@functools.lru_cache(maxsize=COUNTRIES_KEPT)
def _country_query(code: str) -> str:
    return urlencode({"country": code})


def draw_countries(places: list[CountryPlace]) -> SafeString:
    """A circle per country, its area in proportion to its partnerships (the biggest
    country ``COUNTRY_MAX_RADIUS``), the count inside; the biggest ones named."""
    biggest = max((c.total for c in places), default=1)
    span = COUNTRY_MAX_RADIUS - COUNTRY_MIN_RADIUS
    located = [c for c in places if c.centre is not None]  # biggest first: small ones on top
    svg = render_world_map(
        [
            c.point(
                radius=COUNTRY_MIN_RADIUS + span * math.sqrt(c.total / biggest),
                labelled=i < LABELLED_COUNTRIES,
            )
            for i, c in enumerate(located)
        ],
        title=_("Partnerships by partner country"),
        description=_(
            "A circle per country, sized by its partnerships and coloured by their most common status, with their number; the table lists the same."
        ),
        css_class="partner-map",
        element_id="partner-map",
    )
    return mark_safe(svg)  # noqa: S308 (render_world_map escapes every text it draws)


def country_rows(places: list[CountryPlace]) -> SafeString:
    """The country table's rows, written here rather than by a template loop (a row per
    country, up to ~250), each kept per process by what it shows: same HTML as the loop
    (tests/test_partner_map.py)."""
    language = get_language()
    rows = [
        _country_row(
            place.url,
            place.name,
            (place.total, *place.counts.values()),
            located=place.centre is not None,
            language=language,
        )
        for place in places
    ]
    return mark_safe("\n        ".join(rows))  # noqa: S308 (every value escaped in _country_row)


@functools.lru_cache(maxsize=COUNTRIES_KEPT)
def _country_row(
    url: str,
    name: str,
    counts: tuple[int, ...],  # the total, then by status
    *,
    located: bool,
    language: str | None,  # noqa: ARG001 (a key: the counts and the note are in it)
) -> str:
    where = (
        ""
        if located
        else f' <span class="muted">({escape(_("not on the map: no coordinates"))})</span>'
    )
    cells = "".join(f'<td class="num">{formats.localize(n)}</td>' for n in counts)
    return f'<tr><th scope="row"><a href="{escape(url)}">{escape(name)}</a>{where}</th>{cells}</tr>'


def _forget_drawn_countries(**_kwargs: object) -> None:
    """Settings changed (tests): a count's digits may be grouped another way."""
    _country_point.cache_clear()
    _country_row.cache_clear()
    _drawn.clear()


setting_changed.connect(_forget_drawn_countries)


def _country_drawing(filters: MapFilterForm) -> str:
    """What the map of countries is drawn from, as a key (``_drawn_countries``), when the
    filter leaves more than ``PER_CITY_UP_TO`` partnerships, else "" (the map of cities is
    to be drawn); the block is drawn now if no process or cache holds it yet.

    This key, not the ~200 KB block, is what ``map_block`` keeps per version of the record:
    after a change that moves no count (most changes: an agreement, a partnership's notes
    or dates) the first view reads the counts and finds the map drawn, instead of drawing
    ~250 countries again or storing the same block once more (issue 16: at scale 4 the
    first view after a change stored and read 200 KB, 18.6 ms at scale 0.25 and 24.1 ms at
    scale 4 in an interleaved growth run)."""
    rows, total = _counts(filters)
    if total <= PER_CITY_UP_TO:
        return ""
    drawn_from = hashlib.sha256(repr(rows).encode()).hexdigest()
    key = f"{drawn_from}:{get_language()}:{PER_CITY_UP_TO}:{filters.list_url()}"
    _drawn_countries(key, lambda: _draw_country_block(rows, total, filters))
    return key


# The blocks of countries this process drew or read last, by what they are drawn from:
# the map's first view after a change, and every view after it, then reads no 200 KB
# entry from the cache (a worker keeps at most DRAWN_KEPT of them: ~1.6 MB).
DRAWN_KEPT = 8
_drawn: collections.OrderedDict[str, str] = collections.OrderedDict()


def _drawn_countries(key: str, draw: Callable[[], str]) -> str:
    """The block of countries drawn from ``key``: kept by this process, else by the
    cache (shared by the workers), else drawn now."""
    block = _drawn.get(key)
    if block is None:
        block = cached_by_version(key, "partner-map-countries", draw)
        _drawn[key] = block
        if len(_drawn) > DRAWN_KEPT:
            _drawn.popitem(last=False)
    else:
        _drawn.move_to_end(key)
    return block


def _country_block(filters: MapFilterForm, drawing: str) -> str:
    """The map of countries drawn from ``drawing`` (``_country_drawing``'s key). Drawn
    again from the counts read now if neither this process nor the cache holds it any
    more: within a version of the record the counts are the ones it was drawn from."""

    return _drawn_countries(drawing, lambda: _draw_country_block(*_counts(filters), filters))


def _counts(filters: MapFilterForm) -> tuple[list[CountryCounts], int]:
    """The filter's partnerships counted by country (``count_by_country``), and in all."""
    rows = count_by_country(filters.results())
    statuses = len(Partnership.Status.values)
    return rows, sum(sum(row[1 : 1 + statuses]) for row in rows)


def _draw_country_block(rows: list[CountryCounts], total: int, filters: MapFilterForm) -> str:
    by_countries = _places(rows, filters)
    context = {
        "countries": by_countries,
        "total": total,
        "rows": country_rows(by_countries),
        "map": draw_countries(by_countries),
        "statuses": Partnership.Status.choices,
        "per_city_up_to": PER_CITY_UP_TO,
        "list_url": filters.list_url(),
    }
    return str(render_to_string("workspace/includes/partner_map_countries.html", context))


def _city_block(filters: MapFilterForm) -> str:
    places = with_activity(filters.results())
    context = {
        "places": places,
        "rows": table_rows(places),
        "map": draw(places),
        "statuses": Partnership.Status.choices,
        "years": ACTIVITY_YEARS,
    }
    return str(render_to_string("workspace/includes/partner_map_block.html", context))


# What each map is drawn from (workspace.freshness): the countries' map counts the
# partnerships by their partner city's country (a visit changes nothing in it); the
# cities' map sizes each city by its visits and lists their number (delegations).
COUNTRY_MAP_READS = ("partnerships",)
CITY_MAP_READS = ("partnerships", "delegations")


@dataclass(frozen=True)
class MapBlock:
    html: SafeString
    countries: bool  # a circle per country (beyond PER_CITY_UP_TO), else a dot per city


def map_block(filters: MapFilterForm) -> MapBlock:
    """The drawn map with its legend and table, once per version of what it is drawn
    from (``workspace.freshness``: an agreement or, for the countries, a visit changes
    nothing in it), day (visits of the last five years), language and filter. Nothing
    in it depends on who looks."""
    valid = filters.is_valid()
    home_city = filters.cleaned_data.get("home_city") if valid else None
    status = filters.cleaned_data.get("status") if valid else ""
    key = ":".join(
        [
            "partner-map",
            timezone.localdate().isoformat(),
            get_language() or "",
            str(home_city.pk if home_city else "all"),
            status or "all",
        ]
    )
    version = freshness.version_for_reading()  # one read for both
    drawing = freshness.cached(
        f"{key}:countries-drawn-from",
        lambda: _country_drawing(filters),
        depends_on=COUNTRY_MAP_READS,
        version=version,
    )
    if drawing:
        countries = _country_block(filters, drawing)
        return MapBlock(mark_safe(countries), countries=True)  # noqa: S308 (rendered by the template engine, escaped there)
    cities = freshness.cached(
        f"{key}:cities", lambda: _city_block(filters), depends_on=CITY_MAP_READS, version=version
    )
    return MapBlock(mark_safe(cities), countries=False)  # noqa: S308 (rendered by the template engine, escaped there)


@require_GET
@viewer_required
def partner_map(request: AuthenticatedRequest) -> HttpResponse:
    filters = MapFilterForm(request.GET)
    block = map_block(filters)
    context = {
        "filters": filters,
        "map_block": block.html,
        "by_country": block.countries,
        "years": ACTIVITY_YEARS,
    }
    return render_partial_or_page(request, "workspace/partner_map.html", context)
