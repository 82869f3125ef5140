"""The calendar page: a month grid or an agenda of the record's events
(workspace/calendar_events.py), filtered by partnership and kind, moved month by month
with plain links (htmx swaps only the calendar), and printable."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from common.htmx import render_partial_or_page
from common.http_request import AuthenticatedRequest
from common.permissions import viewer_required
from partnerships.choices import partnership_field
from partnerships.models import Partnership
from workspace import freshness
from workspace.calendar_events import KINDS, Event, events_between
from workspace.calendar_items import event_item

MONTH = "month"
AGENDA = "agenda"


class CalendarForm(forms.Form):
    month = forms.CharField(required=False, widget=forms.HiddenInput)
    view = forms.ChoiceField(
        label=_("View"),
        choices=[(MONTH, _("month")), (AGENDA, _("agenda"))],
        required=False,
    )
    # (pk, label) tuples cached per data version, not ~440 instances (issue 16).
    partnership = partnership_field(label=_("Partnership"), required=False)
    kind = forms.ChoiceField(
        label=_("Show"), choices=[("", _("everything")), *KINDS.items()], required=False
    )

    def clean_month(self) -> dt.date:
        """The first day of the month asked for (``2025-05``), this month if none or bad."""
        text = self.cleaned_data.get("month") or ""
        try:
            year, month = (int(part) for part in text.split("-"))
            return dt.date(year, month, 1)
        except ValueError:
            return timezone.localdate().replace(day=1)

    def choices(self) -> tuple[dt.date, str, Partnership | None, list[str] | None]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        month = data.get("month") or timezone.localdate().replace(day=1)
        kind = data.get("kind")
        return month, data.get("view") or MONTH, data.get("partnership"), [kind] if kind else None


@dataclass
class Day:
    date: dt.date
    in_month: bool
    today: bool
    events: list[Event]

    def items(self) -> list[SafeString]:
        """The day's events as the month grid's short ``<li>`` items."""
        return [event_item(e, compact=True) for e in self.events]


def month_weeks(month: dt.date, events: list[Event]) -> list[list[Day]]:
    today = timezone.localdate()
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    days = _by_day(events, weeks[0][0], weeks[-1][-1])
    return [
        [Day(day, day.month == month.month, day == today, days.get(day, [])) for day in week]
        for week in weeks
    ]


def _by_day(events: list[Event], first: dt.date, last: dt.date) -> dict[dt.date, list[Event]]:
    """The events known to the day on each day from ``first`` to ``last`` that they cover
    (a visit on each of its days), in the order of ``events``: one pass over the events,
    not one per day."""
    days: dict[dt.date, list[Event]] = {}
    for event in events:
        if not event.day_known:
            continue
        day = max(event.start, first)
        while day <= min(event.last_day, last):
            days.setdefault(day, []).append(event)
            day += dt.timedelta(days=1)
    return days


def agenda_days(month: dt.date, events: list[Event]) -> list[tuple[dt.date, list[Event]]]:
    """The days of the month that have events, each with them (a visit on each of its days)."""
    return sorted(_by_day(events, month, _month_end(month)).items())


def _month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _shift(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def calendar_grid(
    month: dt.date, view: str, partnership: Partnership | None, kinds: list[str] | None
) -> str:
    """The month grid (or agenda) and the month's undated events, drawn once per version
    of the record (``workspace.freshness``), day ("today", "overdue"), language, month,
    view and filter: at scale reading and drawing the ~5,000 events takes half a second,
    and the record changes far less often than it is read. The events are everyone's
    (no per-user scope), so one drawing serves every viewer."""

    def draw() -> str:
        if view == MONTH:
            weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
            first, last = weeks[0][0], weeks[-1][-1]
        else:
            first, last = month, _month_end(month)
        events = events_between(first, last, partnership=partnership, kinds=kinds)
        undated = [e for e in events if not e.day_known and e.start.month == month.month]
        context = {
            "view": view,
            "weeks": month_weeks(month, events) if view == MONTH else [],
            "agenda": [
                (day, [event_item(e, compact=False) for e in day_events])
                for day, day_events in (agenda_days(month, events) if view == AGENDA else [])
            ],
            "undated": [event_item(e, compact=False) for e in undated],
        }
        return str(render_to_string("workspace/includes/calendar_grid.html", context))

    key = ":".join(
        [
            "calendar",
            timezone.localdate().isoformat(),
            get_language() or "",
            month.isoformat(),
            view,
            str(partnership.pk if partnership else "all"),
            ",".join(kinds or ["all"]),
        ]
    )
    return mark_safe(freshness.cached(key, draw))  # noqa: S308 (rendered by the template engine, escaped there)


def calendar_context(form: CalendarForm) -> dict[str, Any]:
    month, view, partnership, kinds = form.choices()
    return {
        "form": form,
        "month": month,
        "view": view,
        "previous": _shift(month, -1),
        "next": _shift(month, 1),
        "this_month": timezone.localdate().replace(day=1),
        "grid": calendar_grid(month, view, partnership, kinds),
    }


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def calendar_view(request: AuthenticatedRequest) -> HttpResponse:
    context = calendar_context(CalendarForm(request.GET))
    return render_partial_or_page(request, "workspace/calendar.html", context, "calendar-body")
