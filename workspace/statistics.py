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
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce, ExtractYear, TruncDate
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
from common.partialdate import PartialDate
from common.permissions import viewer_required
from delegations.models import ActionItem, ProgressUpdate, Visit
from partnerships.models import City, Partnership
from workspace import freshness

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


def visits_per_year(home_city: City | None, years: list[int]) -> Chart:
    rows = (
        Visit.objects.filter(_scope(home_city), start_date__year__range=(years[0], years[-1]))
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
        .filter(_scope(home_city), signed_on__year__range=(years[0], years[-1]))
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
    ``AgreementQuerySet.in_force``, counted from one read of the dates."""
    today = timezone.localdate()
    rows = list(
        Agreement.objects.filter(_scope(home_city), status__in=Agreement.BINDING).values_list(
            "valid_from", "signed_on", "valid_until"
        )
    )

    def in_force_on(day: dt.date) -> int:
        return sum(
            1
            for valid_from, signed_on, valid_until in rows
            if (valid_from or signed_on or day) <= day
            and (valid_until is None or valid_until >= day)
        )

    days = [min(dt.date(y, 12, 31), today) for y in years]
    return Chart(
        "line",
        _("Agreements in force at the end of each year"),
        [str(y) for y in years],
        [Series(_("in force"), [in_force_on(d) for d in days])],
        category_label=_("Year"),
        chart_id="chart-in-force",
    )


def action_items_per_quarter(home_city: City | None, years: list[int]) -> tuple[Chart, Chart]:
    """Opened (recorded) and closed (done) per quarter, and the share of those closed that
    were done by their due date. The day an item was done is the date of the progress
    note that marked it done, else its last change."""
    done_note = ProgressUpdate.objects.filter(
        action_item=OuterRef("pk"), status_after=ActionItem.Status.DONE
    ).order_by("-date")
    first, last = dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)
    rows = list(
        ActionItem.objects.filter(_scope(home_city))
        .annotate(
            # Only done items need the day they were done: the CASE spares the lookup of
            # their notes for the open ones (the subquery ran for all 100,000 at scale).
            done_on=Case(
                When(
                    status=ActionItem.Status.DONE,
                    then=Coalesce(Subquery(done_note.values("date")[:1]), TruncDate("updated_at")),
                ),
                default=None,
            ),
            opened_on=TruncDate("created_at"),
        )
        .filter(Q(created_at__date__range=(first, last)) | Q(status=ActionItem.Status.DONE))
        .order_by()
        .values_list("opened_on", "status", "done_on", "due_on", "due_on_precision")
    )
    quarters = [(y, q) for y in years for q in (1, 2, 3, 4)]
    opened: Counter[tuple[int, int]] = Counter()
    closed: Counter[tuple[int, int]] = Counter()
    on_time: Counter[tuple[int, int]] = Counter()
    for opened_on, status, done_on, due_on, precision in rows:
        opened[(opened_on.year, (opened_on.month - 1) // 3 + 1)] += 1
        if status == ActionItem.Status.DONE and done_on is not None:
            key = (done_on.year, (done_on.month - 1) // 3 + 1)
            closed[key] += 1
            due = PartialDate.of(due_on, precision)  # ActionItem.due, without a model per row
            if due is None or done_on <= due.last_day():
                on_time[key] += 1
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


def _count_per_partnership(queryset: Any) -> Coalesce:
    """A correlated ``COUNT(*)`` of ``queryset``'s rows for the outer partnership.

    Counting each relation in its own subquery keeps the query linear: two ``Count``
    joins on visits and agreements multiply into visits x agreements rows per
    partnership (20 s at 20,000 visits and 10,000 agreements)."""
    counted = (
        queryset.filter(partnership=OuterRef("pk"))
        .order_by()
        .values("partnership")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def top_partnerships(home_city: City | None, years: list[int]) -> Chart:
    period = (dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31))
    visits = _count_per_partnership(
        Visit.objects.filter(start_date__range=period).exclude(status=Visit.Status.CANCELLED)
    )
    signed = _count_per_partnership(
        Agreement.objects.filter(signed_on__range=period, status__in=Agreement.CONCLUDED)
    )
    rows = list(
        Partnership.objects.filter(_scope(home_city, prefix=""))
        .with_cities()
        .annotate(visit_count=visits, signed_count=signed)
        .annotate(activity=F("visit_count") + F("signed_count"))
        .filter(activity__gt=0)
        .order_by("-activity", "partner_city__name")[:TOP_PARTNERSHIPS]
    )
    return Chart(
        "horizontal_bar",
        _("Most active partnerships (visits and agreements signed)"),
        [str(p) for p in rows],
        [
            Series(_("visits"), [p.visit_count for p in rows]),
            Series(_("agreements signed"), [p.signed_count for p in rows]),
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
