"""The calendar page: a month grid or an agenda of the record's events
(workspace/calendar_events.py), filtered by partnership and kind, moved month by month
with plain links (htmx swaps only the calendar), and printable."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, replace
from html import escape
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from common.autocomplete import remember_label
from common.cached_choices import share_version
from common.fast_widgets import speed_up_widgets
from common.htmx import render_partial_or_page
from common.http_request import AuthenticatedRequest
from common.permissions import viewer_required
from partnerships.models import Partnership
from partnerships.pickers import picker
from workspace import freshness
from workspace.calendar_events import (
    ACTIONS,
    ANNIVERSARIES,
    KINDS,
    VISITS,
    AgendaPage,
    Event,
    MonthDays,
    agenda_page,
    month_days,
    month_end,
)
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
    # Typed (a partnership's two cities), not a drop-down of every partnership (~440
    # at scale 1, ~1,700 at scale 4) built and rendered on every request (issue 16).
    partnership = picker("partnerships", quick_add=False, label=_("Partnership"), required=False)
    kind = forms.ChoiceField(
        label=_("Show"), choices=[("", _("everything")), *KINDS.items()], required=False
    )
    # Where a page of the agenda begins (a day of the month, and the events of it shown
    # on the page before): set by its "next" link and a day's "+N more" link only.
    day = forms.DateField(required=False, input_formats=["%Y-%m-%d"], widget=forms.HiddenInput)
    skip = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        share_version(self)  # the partnership box's prefilled datalist (a small office's)
        speed_up_widgets(self)

    def clean_month(self) -> dt.date:
        """The first day of the month asked for (``2025-05``), this month if none or bad."""
        text = self.cleaned_data.get("month") or ""
        try:
            year, month = (int(part) for part in text.split("-"))
            return dt.date(year, month, 1)
        except ValueError:
            return timezone.localdate().replace(day=1)

    def choices(self) -> Choices:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        month = data.get("month") or timezone.localdate().replace(day=1)
        kind = data.get("kind")
        day = data.get("day")
        if day is None or (day.year, day.month) != (month.year, month.month):
            day, skip = month, 0  # a bad or stale day: the month's first page
        else:
            skip = data.get("skip") or 0
        remember_label(self.fields["partnership"], data.get("partnership"))  # "Name (#id)"
        return Choices(
            month=month,
            view=data.get("view") or MONTH,
            partnership=data.get("partnership"),
            kinds=[kind] if kind else None,
            day=day,
            skip=skip,
            # A partnership typed that names none or several: no events (the error shows
            # by the box), as the lists show no rows, not every partnership's.
            unmatched="partnership" in self.errors,
        )


@dataclass(frozen=True)
class Choices:
    """What the calendar shows: the month, the view, the filters, and where in the
    month's agenda its page begins."""

    month: dt.date
    view: str
    partnership: Partnership | None
    kinds: list[str] | None
    day: dt.date
    skip: int
    unmatched: bool = False  # the partnership filter names no single partnership

    def link(self, **changes: Any) -> str:
        """The calendar's address with these choices, ``changes`` made (a plain link:
        every filter kept)."""
        choices = replace(self, **changes)
        query = {
            "month": f"{choices.month:%Y-%m}",
            "view": choices.view,
            "partnership": choices.partnership.pk if choices.partnership else None,
            "kind": choices.kinds[0] if choices.kinds else None,
            "day": choices.day.isoformat() if choices.day != choices.month else None,
            "skip": choices.skip or None,
        }
        return "?" + urlencode({k: v for k, v in query.items() if v is not None})


_INDENT = "  "  # the month grid template's indentation step


@dataclass
class Day:
    date: dt.date
    in_month: bool
    today: bool
    events: list[Event]
    more: int = 0  # events of the day not shown in its cell
    more_url: str = ""

    def items(self) -> list[SafeString]:
        """The day's events as the month grid's short ``<li>`` items."""
        return [event_item(e, compact=True) for e in self.events]

    def cell(self) -> SafeString:
        """The day's ``<td>`` in the month grid, as the grid's template wrote it (its
        indentation included): 42 cells of a dozen template look-ups each cost about
        a third of the month's drawing (issue 16)."""
        classes = ("" if self.in_month else "other-month") + (" today" if self.today else "")
        events = ""
        if self.events:
            items = "".join(f"\n{_INDENT * 13}{item}\n{_INDENT * 12}" for item in self.items())
            events = f'\n{_INDENT * 11}<ul class="plain">\n{_INDENT * 12}{items}\n{_INDENT * 11}</ul>\n{_INDENT * 10}'
        more = ""
        if self.more:
            url = escape(self.more_url)
            label = ngettext("+%(counter)s more", "+%(counter)s more", self.more) % {
                "counter": self.more
            }
            more = (
                f'\n{_INDENT * 11}<a class="more-events" href="{url}" hx-get="{url}" '
                f'aria-label="{escape(self.more_label())}">{label}</a>\n{_INDENT * 10}'
            )
        return mark_safe(  # noqa: S308 (the items are escaped by event_item, the rest here)
            f'\n{_INDENT * 9}<td class="{classes}">\n'
            f'{_INDENT * 10}<span class="day-number">{self.date.day}</span>\n'
            f"{_INDENT * 10}{events}\n{_INDENT * 10}{more}\n{_INDENT * 9}</td>\n{_INDENT * 8}"
        )

    def more_label(self) -> str:
        """The "+N more" link's accessible name: "3 more events on 12 May"."""
        return ngettext(
            "%(count)d more event on %(day)s", "%(count)d more events on %(day)s", self.more
        ) % {"count": self.more, "day": date_format(self.date, "j F")}


def month_weeks(choices: Choices, days: MonthDays) -> list[list[Day]]:
    """The month grid: each day with its first few events and a link to the rest (the
    agenda's page that begins with that day)."""
    today = timezone.localdate()
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(
        choices.month.year, choices.month.month
    )
    return [
        [
            Day(
                day,
                day.month == choices.month.month,
                day == today,
                days.shown.get(day, []),
                more=days.more(day),
                more_url=choices.link(month=day.replace(day=1), view=AGENDA, day=day, skip=0)
                + f"#day-{day.isoformat()}",
            )
            for day in week
        ]
        for week in weeks
    ]


def _shift(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def calendar_grid(choices: Choices) -> str:
    """The month grid (or a page of the agenda) and the month's undated events, drawn
    once per version of the record (``workspace.freshness``), day ("today", "overdue"),
    language and choices. A day cell shows its first few events and "+N more", a page of
    the agenda at most ``AGENDA_PAGE`` events: the cost of drawing does not grow with the
    record (issue 16). The events are everyone's (no per-user scope), so one drawing
    serves every viewer."""
    month = choices.month

    def draw() -> str:
        context: dict[str, Any] = {"view": choices.view, "month": month}
        if choices.view == MONTH:
            weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
            days = (
                MonthDays(shown={}, totals={}, undated=[], undated_more={})
                if choices.unmatched
                else month_days(
                    weeks[0][0],
                    weeks[-1][-1],
                    month=month,
                    partnership=choices.partnership,
                    kinds=choices.kinds,
                )
            )
            context["weeks"] = month_weeks(choices, days)
            undated, undated_more = days.undated, days.undated_more
        else:
            page = (
                AgendaPage(
                    days=[], skipped=0, next_day=None, next_skip=0, undated=[], undated_more={}
                )
                if choices.unmatched
                else agenda_page(
                    month,
                    choices.day,
                    choices.skip,
                    partnership=choices.partnership,
                    kinds=choices.kinds,
                )
            )
            context["agenda"] = [
                (day, [event_item(e, compact=False) for e in events]) for day, events in page.days
            ]
            context["continued"] = page.skipped > 0
            context["first_page"] = choices.day == month and not choices.skip
            context["start_url"] = choices.link(day=month, skip=0)
            if page.next_day is not None:
                context["next_url"] = choices.link(day=page.next_day, skip=page.next_skip)
                context["next_day"] = page.next_day
            undated, undated_more = page.undated, page.undated_more
        # Of each kind known to the month only, the first few shown and how many more.
        context["undated"] = [event_item(e, compact=False) for e in undated]
        context["undated_more"] = undated_more.get(ACTIONS, 0)
        context["undated_more_url"] = _items_due_in(month, choices.partnership)
        context["undated_visits_more"] = undated_more.get(VISITS, 0)
        context["undated_visits_url"] = _visits_in(month, choices.partnership)
        context["undated_anniversaries_more"] = undated_more.get(ANNIVERSARIES, 0)
        return str(render_to_string("workspace/includes/calendar_grid.html", context))

    key = ":".join(
        [
            "calendar",
            timezone.localdate().isoformat(),
            get_language() or "",
            choices.link() + ("&unmatched" if choices.unmatched else ""),
        ]
    )
    return mark_safe(freshness.cached(key, draw))  # noqa: S308 (rendered by the template engine, escaped there)


def _items_due_in(month: dt.date, partnership: Partnership | None) -> str:
    """The action items list of the open items due in ``month`` (all of them, the ones
    known to the month only among them)."""
    query = {
        "status": "open",
        "due_from": f"{month:%d/%m/%Y}",
        "due_until": f"{month_end(month):%d/%m/%Y}",
        "sort": "due",
    }
    if partnership is not None:
        query["partnership"] = str(partnership.pk)
    return f"{reverse('delegations:actionitem_list')}?{urlencode(query)}"


def _visits_in(month: dt.date, partnership: Partnership | None) -> str:
    """The visits list of the visits in ``month`` (the ones known to the month only
    among them)."""
    query = {"date_from": f"{month:%d/%m/%Y}", "date_until": f"{month_end(month):%d/%m/%Y}"}
    if partnership is not None:
        query["partnership"] = str(partnership.pk)
    return f"{reverse('delegations:visit_list')}?{urlencode(query)}"


def calendar_context(form: CalendarForm) -> dict[str, Any]:
    choices = form.choices()
    month = choices.month
    return {
        "form": form,
        "month": month,
        "view": choices.view,
        "previous": _shift(month, -1),
        "next": _shift(month, 1),
        "this_month": timezone.localdate().replace(day=1),
        "grid": calendar_grid(choices),
    }


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def calendar_view(request: AuthenticatedRequest) -> HttpResponse:
    context = calendar_context(CalendarForm(request.GET))
    return render_partial_or_page(request, "workspace/calendar.html", context, "calendar-body")
