"""The partner map: every partner city on a world map drawn on the server
(common/worldmap.py), coloured by the partnership's status, sized by its activity
(visits in the last five years, either way), each a link to its partnership, with the
same places in a table beside it. A page of its own, and a block on a partnership's page.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET

from common.htmx import render_partial_or_page
from common.http_request import AuthenticatedRequest
from common.permissions import viewer_required
from common.reversing import url_maker
from common.worldmap import MapPoint, render_world_map
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


def map_block(filters: MapFilterForm) -> SafeString:
    """The drawn map with its legend and table, once per version of the record
    (``workspace.freshness``), day (visits of the last five years), language and filter:
    reading and drawing every partner city takes about 200 ms at scale. Nothing in it
    depends on who looks."""
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

    def render() -> str:
        places = with_activity(filters.results())
        context = {
            "places": places,
            "rows": table_rows(places),
            "map": draw(places),
            "statuses": Partnership.Status.choices,
            "years": ACTIVITY_YEARS,
        }
        return str(render_to_string("workspace/includes/partner_map_block.html", context))

    return mark_safe(freshness.cached(key, render))  # noqa: S308 (rendered by the template engine, escaped there)


@require_GET
@viewer_required
def partner_map(request: AuthenticatedRequest) -> HttpResponse:
    filters = MapFilterForm(request.GET)
    context = {"filters": filters, "map_block": map_block(filters), "years": ACTIVITY_YEARS}
    return render_partial_or_page(request, "workspace/partner_map.html", context)
