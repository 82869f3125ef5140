"""The statistics page: visits per year by direction, agreements signed per year by
kind, agreements in force over the years, action items opened and closed per quarter
(with the share done on time) and the most active partnerships, filtered by home city and
period. Drawn on the server as SVG (common/charts: no script, no inline style, so the
CSP stays strict), each with its numbers in a table. One query per chart.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django import forms
from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
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
from common.permissions import viewer_required
from delegations.models import Visit
from partnerships.models import City
from workspace import freshness, statistics_portable
from workspace.models import ActivityWindow

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
    """Whether the counts can be read from the activity counts PostgreSQL's triggers keep
    (``workspace.models.ActivityCount`` and the tables derived from it); on another database (a first run on SQLite)
    ``workspace.statistics_portable`` counts them from the records."""
    return connection.vendor == "postgresql"


def _period(years: list[int]) -> tuple[dt.date, dt.date]:
    """The years as a range of days: a condition on the date column itself can use its
    index, ``EXTRACT(YEAR …)`` cannot."""
    return dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)


# The charts read the activity counts per home city (``CityActivityCount``, derived by
# triggers from the counts per partnership): a few hundred rows however many partnerships
# there are (issue 16), through the (metric, period) index. The counts per year and kind
# of one metric:
COUNTS_PER_YEAR = """
SELECT EXTRACT(YEAR FROM counts.period)::int, counts.kind, SUM(counts.n)::int
FROM workspace_cityactivitycount counts
WHERE counts.metric = %(metric)s AND counts.period BETWEEN %(first)s AND %(last)s
  AND (%(home_city)s::bigint IS NULL OR counts.home_city_id = %(home_city)s::bigint)
GROUP BY 1, 2
"""


def _counts_per_year(metric: str, home_city: City | None, years: list[int]) -> dict[Any, int]:
    first, last = _period(years)
    params: dict[str, Any] = {
        "metric": metric,
        "first": first,
        "last": last,
        "home_city": _pk(home_city),
    }
    with connection.cursor() as cursor:
        cursor.execute(COUNTS_PER_YEAR, params)
        return {(year, kind): n for year, kind, n in cursor.fetchall()}


def _pk(home_city: City | None) -> int | None:
    return home_city.pk if home_city else None


def visits_per_year(home_city: City | None, years: list[int]) -> Chart:
    if on_postgresql():
        counts = _counts_per_year("visits", home_city, years)
    else:
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
    if on_postgresql():
        counts = _counts_per_year("signed", home_city, years)
    else:
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
    until ``valid_until`` (else for ever)."""
    today = timezone.localdate()
    days = sorted({min(dt.date(y, 12, 31), today) for y in years})
    in_force = (
        _in_force_from_counts(home_city, years, days, today)
        if on_postgresql()
        else _in_force_from_agreements(home_city, days)
    )
    return Chart(
        "line",
        _("Agreements in force at the end of each year"),
        [str(y) for y in years],
        [Series(_("in force"), [in_force[min(dt.date(y, 12, 31), today)] for y in years])],
        category_label=_("Year"),
        chart_id="chart-in-force",
    )


def _in_force_from_agreements(home_city: City | None, days: list[dt.date]) -> Counter[dt.date]:
    binding = Agreement.objects.filter(_scope(home_city), status__in=Agreement.BINDING)
    in_force: Counter[dt.date] = Counter()
    for before, until, n in statistics_portable.in_force_groups(binding, days):
        # In force on the days after the first ``before`` and up to the ``until``-th.
        for day in days[before or 0 : len(days) if until is None else until]:
            in_force[day] += n
    return in_force


# The binding agreements grouped by the first and the last year whose 31 December they
# are in force on (NULL: open): a few hundred groups. And, when today is in the chart and
# not a year end, this year's changes up to today (``in_force_day``: +1 the day one starts
# being in force, -1 the day after one ends): in force today is in force on 31 December
# of last year plus those (``AgreementQuerySet.in_force``).
IN_FORCE_GROUPS = """
SELECT CASE WHEN isfinite(counts.period) THEN EXTRACT(YEAR FROM counts.period)::int END,
       CASE WHEN isfinite(counts.period_end) THEN EXTRACT(YEAR FROM counts.period_end)::int END,
       SUM(counts.n)::int, FALSE
FROM workspace_cityactivitycount counts
WHERE counts.metric = 'in_force' AND counts.period <= %(last)s AND counts.period_end >= %(first)s
  AND counts.period <= counts.period_end AND (%(home_city)s::bigint IS NULL OR counts.home_city_id = %(home_city)s::bigint)
GROUP BY 1, 2
UNION ALL
SELECT NULL, NULL, COALESCE(SUM(counts.n), 0)::int, TRUE
FROM workspace_cityactivitycount counts
WHERE %(today_counted)s AND counts.metric = 'in_force_day'
  AND counts.period BETWEEN %(year_start)s AND %(today)s AND (%(home_city)s::bigint IS NULL OR counts.home_city_id = %(home_city)s::bigint)
"""


def _in_force_from_counts(
    home_city: City | None, years: list[int], days: list[dt.date], today: dt.date
) -> Counter[dt.date]:
    """Year ends from the counts alone; today (when it is not a year end) from the counts
    on 31 December of last year and this year's changes (``IN_FORCE_GROUPS``). One query."""
    first, last = _period(years)
    year_ends = [day for day in days if (day.month, day.day) == (12, 31)]
    this_year = today.year
    today_counted = today in days and today not in year_ends
    if today_counted:
        first = min(first, dt.date(this_year - 1, 1, 1))
    params: dict[str, Any] = {
        "first": first,
        "last": last,
        "home_city": _pk(home_city),
        "today_counted": today_counted,
        "today": today,
        "year_start": dt.date(this_year, 1, 1),
    }
    with connection.cursor() as cursor:
        cursor.execute(IN_FORCE_GROUPS, params)
        groups = cursor.fetchall()
    in_force: Counter[dt.date] = Counter()
    for start, end, n, counted_today in groups:
        if counted_today:
            in_force[today] += n
            continue
        for day in year_ends:
            if (start is None or start <= day.year) and (end is None or day.year <= end):
                in_force[day] += n
        if (
            today_counted
            and (start is None or start < this_year)
            and (end is None or end >= this_year - 1)
        ):
            in_force[today] += n
    return in_force


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


# Recorded, done and done on time per quarter, from the activity counts (the triggers
# count each item by the quarter it was recorded in and the quarter of the day it was
# done: the latest "done" note's date, else its last change; on time when done no later
# than the last day its due date may stand for, ``PartialDate.last_day``, or with no due
# date). Counting the 100,000 items of scale 1 with their notes took ~0.4 s.
ACTION_ITEM_QUARTERS = """
SELECT counts.metric, EXTRACT(YEAR FROM counts.period)::int,
       EXTRACT(QUARTER FROM counts.period)::int, SUM(counts.n)::int
FROM workspace_cityactivitycount counts
WHERE counts.metric IN ('recorded', 'done', 'done_on_time')
  AND counts.period BETWEEN %(first)s AND %(last)s AND (%(home_city)s::bigint IS NULL OR counts.home_city_id = %(home_city)s::bigint)
GROUP BY 1, 2, 3
"""

Quarter = tuple[int, int]


def _action_item_quarters(
    home_city: City | None, years: list[int]
) -> tuple[Counter[Quarter], Counter[Quarter], Counter[Quarter]]:
    """(recorded, done, done on time) per (year, quarter) of ``years``, in one query."""
    if not on_postgresql():
        return statistics_portable.action_item_quarters(_scope(home_city), years)
    first, last = _period(years)
    counters: dict[str, Counter[Quarter]] = {
        "recorded": Counter(),
        "done": Counter(),
        "done_on_time": Counter(),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            ACTION_ITEM_QUARTERS, {"first": first, "last": last, "home_city": _pk(home_city)}
        )
        for metric, year, quarter, n in cursor.fetchall():
            counters[metric][(year, quarter)] = n
    return counters["recorded"], counters["done"], counters["done_on_time"]


# The partnerships with the most visits and agreements signed in a ten years' period (the
# default), from their totals (``ActivityWindow``, kept only while above zero): the rows
# of the (last year, total descending) index down to the tenth total, ties included, then
# ordered as below by partner city.
TOP_PARTNERSHIPS_OF_TEN_YEARS = """
SELECT partnership.id, home.name, partner.name, windows.visits, windows.signed
FROM workspace_activitywindow windows
JOIN partnerships_partnership partnership ON partnership.id = windows.partnership_id
JOIN partnerships_city home ON home.id = partnership.home_city_id
JOIN partnerships_city partner ON partner.id = partnership.partner_city_id
WHERE windows.last_year = %(last_year)s
  AND (%(home_city)s::bigint IS NULL OR windows.home_city_id = %(home_city)s::bigint)
  AND windows.total >= COALESCE((
      SELECT tenth.total FROM workspace_activitywindow tenth
      WHERE tenth.last_year = %(last_year)s
        AND (%(home_city)s::bigint IS NULL OR tenth.home_city_id = %(home_city)s::bigint)
      ORDER BY tenth.total DESC OFFSET %(tenth)s LIMIT 1), 1)
ORDER BY windows.total DESC, partner.name ASC, partnership.id
LIMIT %(limit)s
"""

# Any other period: the same from the activity counts per partnership (a count is kept
# only while it is above zero), a sum over the partnerships active in the period.
TOP_PARTNERSHIPS_QUERY = """
SELECT partnership.id, home.name, partner.name,
       COALESCE(counts.visits, 0) AS visit_count, COALESCE(counts.signed, 0) AS signed_count
FROM (
    SELECT partnership_id,
           SUM(n) FILTER (WHERE metric = 'visits')::int AS visits,
           SUM(n) FILTER (WHERE metric = 'signed')::int AS signed
    FROM workspace_activitycount
    WHERE metric IN ('visits', 'signed') AND period BETWEEN %(first)s AND %(last)s
    GROUP BY partnership_id
) counts
JOIN partnerships_partnership partnership ON partnership.id = counts.partnership_id
JOIN partnerships_city home ON home.id = partnership.home_city_id
JOIN partnerships_city partner ON partner.id = partnership.partner_city_id
WHERE %(home_city)s::bigint IS NULL OR partnership.home_city_id = %(home_city)s::bigint
ORDER BY COALESCE(counts.visits, 0) + COALESCE(counts.signed, 0) DESC, partner.name ASC, partnership.id
LIMIT %(limit)s
"""


def top_partnerships(home_city: City | None, years: list[int]) -> Chart:
    first, last = _period(years)
    params: dict[str, Any] = {
        "first": first,
        "last": last,
        "last_year": years[-1],
        "home_city": _pk(home_city),
        "limit": TOP_PARTNERSHIPS,
        "tenth": TOP_PARTNERSHIPS - 1,
    }
    if not on_postgresql():
        rows = statistics_portable.top_partnership_rows(home_city, first, last, TOP_PARTNERSHIPS)
    else:
        ten_years = len(years) == ActivityWindow.YEARS
        with connection.cursor() as cursor:
            cursor.execute(
                TOP_PARTNERSHIPS_OF_TEN_YEARS if ten_years else TOP_PARTNERSHIPS_QUERY, params
            )
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
