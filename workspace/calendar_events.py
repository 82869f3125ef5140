"""The dated events of the record, between two days: visits and their timed programme,
action items falling due, agreements coming into force and expiring, and round
anniversaries (5, 10, 15… years) of partnerships and signed agreements.

One list feeds the calendar page (month and agenda), the personal iCal feed and the
e-mail reminders. A bounded number of queries whatever the data: one per kind of event.

Dates known only to the month or year: an action item due "09/2025" has no day, so it
is kept apart (``Event.precision``): the calendar lists it under its month, the iCal
feed leaves it out. Anniversaries are drawn only from dates known to the day or month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce, ExtractYear, Mod
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from common.partialdate import Precision
from delegations.models import ActionItem, Engagement, Visit
from partnerships.models import Partnership

ANNIVERSARY_STEP = 5
CITIES = ("partnership__home_city", "partnership__partner_city")

VISITS = "visits"
ACTIONS = "actions"
AGREEMENTS = "agreements"
ANNIVERSARIES = "anniversaries"
KINDS = {
    VISITS: _("visits and their programme"),
    ACTIONS: _("action items due"),
    AGREEMENTS: _("agreements in force from / until"),
    ANNIVERSARIES: _("anniversaries"),
}


@dataclass
class Event:
    """One entry of the calendar. ``end`` is the last day (inclusive), for visits."""

    uid: str  # stable across edits: the feed's UID, so an update replaces the event
    kind: str  # one of KINDS
    badge: str  # the CSS badge: visit direction, "due", "expiring"…
    label: str  # what it is ("Visit", "Due", "Anniversary"…)
    title: str
    start: dt.date
    url: str
    partnership: Partnership
    end: dt.date | None = None
    time: dt.time | None = None
    precision: str = Precision.DAY
    place: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def last_day(self) -> dt.date:
        return self.end or self.start

    @property
    def day_known(self) -> bool:
        return self.precision == Precision.DAY

    def covers(self, day: dt.date) -> bool:
        return self.day_known and self.start <= day <= self.last_day

    @property
    def sort_key(self) -> tuple[dt.date, dt.time, str]:
        return (self.start, self.time or dt.time.min, self.title)


def events_between(
    first: dt.date,
    last: dt.date,
    *,
    partnership: Partnership | None = None,
    kinds: Iterable[str] | None = None,
    partnerships: QuerySet[Partnership] | None = None,
) -> list[Event]:
    """Every event from ``first`` to ``last`` (both included), soonest first: of one
    ``partnership``, of some ``partnerships`` (a user's, for their feed), or of all."""
    wanted = set(kinds or KINDS)
    if partnership is not None:
        partnerships = Partnership.objects.filter(pk=partnership.pk)
    scope = Q(partnership__in=partnerships) if partnerships is not None else Q()
    events: list[Event] = []
    if VISITS in wanted:
        events += _visits(first, last, scope) + _engagements(first, last, partnerships)
    if ACTIONS in wanted:
        events += _actions(first, last, scope)
    if AGREEMENTS in wanted:
        events += _agreement_dates(first, last, scope)
    if ANNIVERSARIES in wanted:
        events += _anniversaries(first, last, partnerships)
    return sorted(events, key=lambda e: e.sort_key)


def _visits(first: dt.date, last: dt.date, scope: Q) -> list[Event]:
    visits = (
        Visit.objects.filter(scope, start_date__lte=last)
        .exclude(status=Visit.Status.CANCELLED)
        .exclude(start_date_precision=Precision.YEAR)
        .annotate(until=Coalesce("end_date", "start_date"))
        .filter(until__gte=first)
        .select_related(*CITIES)
    )
    return [
        Event(
            uid=f"visit-{v.pk}",
            kind=VISITS,
            badge=v.direction,
            label=str(v.get_direction_display()),
            title=v.title,
            start=v.start_date,
            end=v.end_date,
            precision=v.start_date_precision,
            url=v.get_absolute_url(),
            partnership=v.partnership,
            place=v.place,
            extra={"status": v.get_status_display()},
        )
        for v in visits
        if v.start_date is not None
    ]


def _engagements(
    first: dt.date, last: dt.date, partnerships: QuerySet[Partnership] | None
) -> list[Event]:
    """Programme items with a time (the ones without a time are the visit itself)."""
    scope = Q(visit__partnership__in=partnerships) if partnerships is not None else Q()
    items = (
        Engagement.objects.filter(scope, date__gte=first, date__lte=last, time__isnull=False)
        .exclude(visit__status=Visit.Status.CANCELLED)
        .select_related("visit__partnership__home_city", "visit__partnership__partner_city")
    )
    return [
        Event(
            uid=f"engagement-{e.pk}",
            kind=VISITS,
            badge="programme",
            label=str(e.get_kind_display()),
            title=e.title,
            start=e.date,
            time=e.time,
            url=e.visit.get_absolute_url(),
            partnership=e.visit.partnership,
            place=e.place,
        )
        for e in items
        if e.date is not None
    ]


def _actions(first: dt.date, last: dt.date, scope: Q) -> list[Event]:
    items = (
        ActionItem.objects.open()
        .filter(scope, due_on__gte=first, due_on__lte=last)
        .exclude(due_on_precision=Precision.YEAR)
        .select_related(*CITIES)
    )
    return [
        Event(
            uid=f"action-{item.pk}-due",
            kind=ACTIONS,
            badge="overdue" if item.is_overdue() else "due",
            label=str(_("Due")),
            title=item.description,
            start=item.due_on,
            precision=item.due_on_precision,
            url=item.get_absolute_url(),
            partnership=item.partnership,
        )
        for item in items
        if item.due_on is not None
    ]


def _agreement_dates(first: dt.date, last: dt.date, scope: Q) -> list[Event]:
    agreements = (
        Agreement.objects.filter(scope, status__in=Agreement.BINDING)
        .filter(Q(valid_from__range=(first, last)) | Q(valid_until__range=(first, last)))
        .select_related(*CITIES)
    )
    events = []
    for agreement in agreements:
        for day, suffix, badge, label in (
            (agreement.valid_from, "start", "in_force", _("In force from")),
            (agreement.valid_until, "expiry", "expiring", _("Expires")),
        ):
            if day is not None and first <= day <= last:
                events.append(
                    Event(
                        uid=f"agreement-{agreement.pk}-{suffix}",
                        kind=AGREEMENTS,
                        badge=badge,
                        label=str(label),
                        title=f"{agreement.reference} · {agreement.title}",
                        start=day,
                        url=agreement.get_absolute_url(),
                        partnership=agreement.partnership,
                    )
                )
    return events


def _anniversary_filter(field_name: str, first: dt.date, last: dt.date) -> Q:
    """Rows whose date ``field_name`` (known to the day or month) comes round a multiple of
    five years later between ``first`` and ``last`` (a span of at most a few months)."""
    month, day = f"{field_name}__month", f"{field_name}__day"
    condition = Q(pk__in=[])
    for year in range(first.year, last.year + 1):
        start = max(first, dt.date(year, 1, 1))
        end = min(last, dt.date(year, 12, 31))
        after_start = Q(**{f"{month}__gt": start.month}) | Q(
            **{month: start.month, f"{day}__gte": start.day}
        )
        before_end = Q(**{f"{month}__lt": end.month}) | Q(
            **{month: end.month, f"{day}__lte": end.day}
        )
        condition |= Q(
            after_start,
            before_end,
            _step=year % ANNIVERSARY_STEP,
            **{f"{field_name}__year__lt": year},
        )
    return condition


def _anniversaries(
    first: dt.date, last: dt.date, scope: QuerySet[Partnership] | None
) -> list[Event]:
    events = []
    partnerships = (
        Partnership.objects.filter(Q(pk__in=scope) if scope is not None else Q())
        .exclude(established_on_precision=Precision.YEAR)
        .filter(established_on__isnull=False)
        .annotate(_step=Mod(ExtractYear("established_on"), Value(ANNIVERSARY_STEP)))
        .filter(_anniversary_filter("established_on", first, last))
        .with_cities()
    )
    for p in partnerships:
        assert p.established_on is not None  # noqa: S101 (filtered above)
        events.append(
            _anniversary(
                f"partnership-{p.pk}",
                p.established_on,
                p.established_on_precision,
                span=(first, last),
                partnership=p,
                url=p.get_absolute_url(),
                what=str(p),
            )
        )
    agreements = (
        Agreement.objects.concluded()
        .filter(Q(partnership__in=scope) if scope is not None else Q())
        .exclude(signed_on_precision=Precision.YEAR)
        .filter(signed_on__isnull=False)
        .annotate(_step=Mod(ExtractYear("signed_on"), Value(ANNIVERSARY_STEP)))
        .filter(_anniversary_filter("signed_on", first, last))
        .select_related(*CITIES)
    )
    for a in agreements:
        assert a.signed_on is not None  # noqa: S101 (filtered above)
        events.append(
            _anniversary(
                f"agreement-{a.pk}",
                a.signed_on,
                a.signed_on_precision,
                span=(first, last),
                partnership=a.partnership,
                url=a.get_absolute_url(),
                what=a.reference,
            )
        )
    return [e for e in events if e is not None]


def _anniversary(  # noqa: PLR0913 (one event's parts)
    key: str,
    since: dt.date,
    precision: str,
    *,
    span: tuple[dt.date, dt.date],
    partnership: Partnership,
    url: str,
    what: str,
) -> Event | None:
    first, last = span
    for year in range(first.year, last.year + 1):
        try:
            day = since.replace(year=year)
        except ValueError:  # 29 February
            day = since.replace(year=year, day=28)
        years = year - since.year
        if first <= day <= last and years > 0 and years % ANNIVERSARY_STEP == 0:
            return Event(
                uid=f"{key}-anniversary-{years}",
                kind=ANNIVERSARIES,
                badge="anniversary",
                label=str(_("Anniversary")),
                title=str(_("%(years)d years: %(what)s") % {"years": years, "what": what}),
                start=day,
                precision=precision,
                url=url,
                partnership=partnership,
                extra={"years": years},
            )
    return None
