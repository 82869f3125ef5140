"""The statistics page: visits per year by direction, agreements signed per year by
kind, agreements in force over the years, action items opened and closed per quarter
(with the share done on time) and the most active partnerships, filtered by home city and
period. Drawn on the server as SVG (common/charts: no script, no inline style, so the
CSP stays strict), each with its numbers in a table. One query per chart.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Count, DateField, Func, IntegerField, Q, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.http import HttpResponse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET

from agreements.models import Agreement
from common.charts import Chart, Series, figure_html
from common.htmx import render_partial_or_page
from common.http_request import AuthenticatedRequest
from common.partialdate import Precision
from common.permissions import viewer_required
from delegations.models import ActionItem, Visit
from partnerships.models import City
from workspace import freshness, statistics_portable

DEFAULT_YEARS = 10
TOP_PARTNERSHIPS = 10
EARLIEST_YEAR = 1950


class StatisticsForm(forms.Form):
    home_city = forms.ModelChoiceField(
        label=_l("Home city"), queryset=City.objects.home(), required=False
    )
    from_year = forms.IntegerField(
        label=_l("From (year)"), min_value=EARLIEST_YEAR, max_value=2100, required=False
    )
    until_year = forms.IntegerField(
        label=_l("Until (year)"), min_value=EARLIEST_YEAR, max_value=2100, required=False
    )

    def choices(self) -> tuple[City | None, int, int]:
        this_year = timezone.localdate().year
        data = self.cleaned_data if self.is_valid() else {}
        until = data.get("until_year") or this_year
        first = data.get("from_year") or until - DEFAULT_YEARS + 1
        first, until = min(first, until), max(first, until)
        return data.get("home_city"), first, until


def _scope(home_city: City | None, prefix: str = "partnership__") -> Q:
    return Q(**{f"{prefix}home_city": home_city}) if home_city else Q()


def on_postgresql() -> bool:
    """Whether the counts can be left to PostgreSQL (``width_bucket``, ``FILTER``…); on
    another database (a first run on SQLite) ``workspace.statistics_portable`` counts them."""
    return connection.vendor == "postgresql"


def _period(years: list[int]) -> tuple[dt.date, dt.date]:
    """The years as a range of days: a condition on the date column itself can use its
    index, ``EXTRACT(YEAR …)`` cannot."""
    return dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)


def visits_per_year(home_city: City | None, years: list[int]) -> Chart:
    rows = (
        Visit.objects.filter(_scope(home_city), start_date__range=_period(years))
        .exclude(status=Visit.Status.CANCELLED)
        .annotate(year=ExtractYear("start_date"))
        .values_list("year", "direction")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {(year, direction): n for year, direction, n in rows}
    return Chart(
        "stacked_bar",
        _("Visits per year, by direction"),
        [str(y) for y in years],
        [
            Series(str(label), [counts.get((y, value), 0) for y in years], css_class=value)
            for value, label in Visit.Direction.choices
        ],
        category_label=_("Year"),
        chart_id="chart-visits",
    )


def agreements_signed_per_year(home_city: City | None, years: list[int]) -> Chart:
    rows = (
        Agreement.objects.concluded()
        .filter(_scope(home_city), signed_on__range=_period(years))
        .annotate(year=ExtractYear("signed_on"))
        .values_list("year", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {(year, kind): n for year, kind, n in rows}
    return Chart(
        "stacked_bar",
        _("Agreements signed per year, by kind"),
        [str(y) for y in years],
        [
            Series(str(label), [counts.get((y, value), 0) for y in years])
            for value, label in Agreement.Kind.choices
        ],
        category_label=_("Year"),
        chart_id="chart-signed",
    )


def agreements_in_force(home_city: City | None, years: list[int]) -> Chart:
    """In force at the end of each year (today for this year), by the rule of
    ``AgreementQuerySet.in_force``: from ``valid_from`` (else the signing, else always)
    until ``valid_until`` (else for ever). PostgreSQL groups the agreements by the first
    and the last of those days they are in force on (``width_bucket``: how many of the
    days come before the start, how many are not after the end); a few dozen groups
    come back instead of every binding agreement's dates."""
    today = timezone.localdate()
    days = sorted({min(dt.date(y, 12, 31), today) for y in years})
    binding = Agreement.objects.filter(_scope(home_city), status__in=Agreement.BINDING)
    if not on_postgresql():
        rows = statistics_portable.in_force_groups(binding, days)
    else:
        rows = list(
            binding.annotate(
                before=WidthBucket(
                    Coalesce("valid_from", "signed_on") - dt.timedelta(days=1), days
                ),
                until=WidthBucket("valid_until", days),
            )
            .order_by()
            .values_list("before", "until")
            .annotate(n=Count("pk"))
        )
    in_force: Counter[dt.date] = Counter()
    for before, until, n in rows:
        # In force on the days after the first ``before`` and up to the ``until``-th.
        for day in days[before or 0 : len(days) if until is None else until]:
            in_force[day] += n
    return Chart(
        "line",
        _("Agreements in force at the end of each year"),
        [str(y) for y in years],
        [Series(_("in force"), [in_force[min(dt.date(y, 12, 31), today)] for y in years])],
        category_label=_("Year"),
        chart_id="chart-in-force",
    )


class WidthBucket(Func):
    """``width_bucket(value, thresholds)``: how many of the ascending ``thresholds`` are
    not after ``value`` (NULL for NULL)."""

    function = "width_bucket"
    output_field = IntegerField()

    def __init__(self, expression: Any, thresholds: list[dt.date]) -> None:
        super().__init__(expression, Value(thresholds, output_field=ArrayField(DateField())))


def action_items_per_quarter(home_city: City | None, years: list[int]) -> tuple[Chart, Chart]:
    """Opened (recorded) and closed (done) per quarter, and the share of those closed that
    were done by their due date. The day an item was done is the date of the progress
    note that marked it done, else its last change."""
    opened, closed, on_time = _action_item_quarters(home_city, years)
    quarters = [(y, q) for y in years for q in (1, 2, 3, 4)]
    labels = [f"{y} Q{q}" for y, q in quarters]
    flow = Chart(
        "bar",
        _("Action items recorded and done per quarter"),
        labels,
        [
            Series(_("recorded"), [opened[k] for k in quarters]),
            Series(_("done"), [closed[k] for k in quarters]),
        ],
        category_label=_("Quarter"),
        width=900,
        show_values=False,
        chart_id="chart-actions",
    )
    share = Chart(
        "line",
        _("Share of the action items done on time"),
        labels,
        [
            Series(
                _("done on time"),
                [round(100 * on_time[k] / closed[k]) if closed[k] else None for k in quarters],
            )
        ],
        category_label=_("Quarter"),
        unit="%",
        value_format="percent",
        width=900,
        show_values=False,
        chart_id="chart-on-time",
    )
    return flow, share


# Counted by PostgreSQL per quarter in one pass over the action items (issue 15: reading
# the 100,000 items of scale 1 with the latest "done" note of each took ~0.9 s). Quarters
# are found by ``width_bucket`` against their first instants (recorded) or first days
# (done), not by converting every timestamp to the local date; bucket 1 is the first
# quarter, 0 and len(quarters) + 1 lie outside. The latest "done" note of every item
# comes from one grouped pass over the partial index ``progressupdate_done``, joined by
# hash. "Done": on the date of that note, else of the item's last change. "On time": done
# no later than the last day the due date may stand for (``PartialDate.last_day``: the
# month's or the year's end when only those are known); no due date counts as on time.
ACTION_ITEM_QUARTERS = """
SELECT width_bucket(item.created_at, %(starts)s::timestamptz[]) AS recorded,
       CASE WHEN item.status = %(done)s THEN width_bucket(done.day, %(days)s::date[]) END AS done,
       COUNT(*),
       COUNT(*) FILTER (WHERE item.status = %(done)s AND (
           item.due_on IS NULL OR done.day <= CASE item.due_on_precision
               WHEN %(year)s THEN make_date(EXTRACT(YEAR FROM item.due_on)::int, 12, 31)
               WHEN %(month)s THEN (date_trunc('month', item.due_on) + interval '1 month - 1 day')::date
               ELSE item.due_on END
       ))
FROM delegations_actionitem item
LEFT JOIN (
    SELECT action_item_id, MAX(date) AS date
    FROM delegations_progressupdate WHERE status_after = %(done)s GROUP BY action_item_id
) note ON note.action_item_id = item.id
CROSS JOIN LATERAL (
    SELECT CASE WHEN item.status = %(done)s
        THEN COALESCE(note.date, (item.updated_at AT TIME ZONE %(zone)s)::date) END AS day
) done
WHERE %(home_city)s::bigint IS NULL OR item.partnership_id IN (
    SELECT id FROM partnerships_partnership WHERE home_city_id = %(home_city)s::bigint
)
GROUP BY GROUPING SETS ((1), (2))
"""

Quarter = tuple[int, int]


def _action_item_quarters(
    home_city: City | None, years: list[int]
) -> tuple[Counter[Quarter], Counter[Quarter], Counter[Quarter]]:
    """(recorded, done, done on time) per (year, quarter) of ``years``, in one query."""
    quarters = [(y, q) for y in years for q in (1, 2, 3, 4)]
    days = [dt.date(y, 3 * q - 2, 1) for y, q in quarters] + [dt.date(years[-1] + 1, 1, 1)]
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    params: dict[str, Any] = {
        "starts": [dt.datetime.combine(day, dt.time(), tzinfo=zone) for day in days],
        "days": days,
        "home_city": home_city.pk if home_city else None,
        "zone": settings.TIME_ZONE,
        "done": ActionItem.Status.DONE.value,
        "year": Precision.YEAR.value,
        "month": Precision.MONTH.value,
    }
    if not on_postgresql():
        return statistics_portable.action_item_quarters(_scope(home_city), years)
    opened: Counter[Quarter] = Counter()
    closed: Counter[Quarter] = Counter()
    on_time: Counter[Quarter] = Counter()
    with connection.cursor() as cursor:
        cursor.execute(ACTION_ITEM_QUARTERS, params)
        for recorded, done, count, timely in cursor.fetchall():
            if recorded is not None and 1 <= recorded <= len(quarters):
                opened[quarters[recorded - 1]] = count
            elif done is not None and 1 <= done <= len(quarters):
                closed[quarters[done - 1]], on_time[quarters[done - 1]] = count, timely
    return opened, closed, on_time


# The partnerships with the most visits and agreements signed in the period: each side
# counted once, grouped (visits through their start-date index, agreements through their
# signing-date index), then joined to the partnerships by hash. A correlated count per
# partnership ran twice for each of the ~440 (in the filter and in the order): ~0.4 s.
TOP_PARTNERSHIPS_QUERY = """
SELECT partnership.id, home.name, partner.name,
       COALESCE(visits.n, 0) AS visit_count, COALESCE(signed.n, 0) AS signed_count
FROM partnerships_partnership partnership
JOIN partnerships_city home ON home.id = partnership.home_city_id
JOIN partnerships_city partner ON partner.id = partnership.partner_city_id
LEFT JOIN (
    SELECT partnership_id, COUNT(*) AS n FROM delegations_visit
    WHERE start_date BETWEEN %(first)s AND %(last)s AND status <> %(cancelled)s
    GROUP BY partnership_id
) visits ON visits.partnership_id = partnership.id
LEFT JOIN (
    SELECT partnership_id, COUNT(*) AS n FROM agreements_agreement
    WHERE signed_on BETWEEN %(first)s AND %(last)s AND status = ANY(%(concluded)s)
    GROUP BY partnership_id
) signed ON signed.partnership_id = partnership.id
WHERE (visits.n IS NOT NULL OR signed.n IS NOT NULL)
  AND (%(home_city)s::bigint IS NULL OR partnership.home_city_id = %(home_city)s::bigint)
ORDER BY COALESCE(visits.n, 0) + COALESCE(signed.n, 0) DESC, partner.name ASC, partnership.id
LIMIT %(limit)s
"""


def top_partnerships(home_city: City | None, years: list[int]) -> Chart:
    first, last = _period(years)
    params: dict[str, Any] = {
        "first": first,
        "last": last,
        "cancelled": Visit.Status.CANCELLED.value,
        "concluded": [str(status) for status in Agreement.CONCLUDED],
        "home_city": home_city.pk if home_city else None,
        "limit": TOP_PARTNERSHIPS,
    }
    if not on_postgresql():
        rows = statistics_portable.top_partnership_rows(home_city, first, last, TOP_PARTNERSHIPS)
    else:
        with connection.cursor() as cursor:
            cursor.execute(TOP_PARTNERSHIPS_QUERY, params)
            rows = cursor.fetchall()
    return Chart(
        "horizontal_bar",
        _("Most active partnerships (visits and agreements signed)"),
        # str(Partnership): "home city – partner city"
        [f"{home} – {partner}" for _pk, home, partner, _visits, _signed in rows],
        [
            Series(_("visits"), [row[3] for row in rows]),
            Series(_("agreements signed"), [row[4] for row in rows]),
        ],
        category_label=_("Partnership"),
        chart_id="chart-top",
    )


def statistics_charts(home_city: City | None, first: int, until: int) -> list[Chart]:
    years = list(range(first, until + 1))
    flow, share = action_items_per_quarter(home_city, years)
    return [
        visits_per_year(home_city, years),
        agreements_signed_per_year(home_city, years),
        agreements_in_force(home_city, years),
        flow,
        share,
        top_partnerships(home_city, years),
    ]


def statistics_figures(home_city: City | None, first: int, until: int) -> list[SafeString]:
    """The drawn charts, once per version of the record (``workspace.freshness``), day
    ("in force" counts up to today) and language: at scale the six queries read every
    action item (about a second), and the record changes far less often than it is read."""
    key = ":".join(
        [
            "statistics",
            timezone.localdate().isoformat(),
            get_language() or "",
            str(home_city.pk if home_city else "all"),
            str(first),
            str(until),
        ]
    )
    return freshness.cached(
        key, lambda: [figure_html(c) for c in statistics_charts(home_city, first, until)]
    )


@require_GET
@viewer_required
def statistics(request: AuthenticatedRequest) -> HttpResponse:
    form = StatisticsForm(request.GET)
    home_city, first, until = form.choices()
    figures = statistics_figures(home_city, first, until)
    context: dict[str, Any] = {"form": form, "figures": figures, "first": first, "until": until}
    return render_partial_or_page(request, "workspace/statistics.html", context)
