"""The dated events of the record, between two days: visits and their timed programme,
action items falling due, agreements coming into force and expiring, and round
anniversaries (5, 10, 15… years) of partnerships and signed agreements.

One list feeds the calendar page (month and agenda), the personal iCal feed and the
e-mail reminders. A bounded number of queries whatever the data: one per kind of event.
The rows are read as tuples (``values_list``), not models: a month at scale holds ~5,000
events (mostly timed programme items), and building a model, its visit, partnership and
two cities for each took most of the page's time when it is not cached.

Dates known only to the month or year: an action item due "09/2025" has no day, so it
is kept apart (``Event.precision``): the calendar lists it under its month, the iCal
feed leaves it out. Anniversaries are drawn only from dates known to the day or month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce, ExtractYear, Mod
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from common.partialdate import PartialDate, Precision
from common.reversing import url_maker
from delegations.models import ActionItem, Engagement, Visit
from partnerships.models import Partnership

ANNIVERSARY_STEP = 5
# What an event shows of its partnership, read with the event's row.
PARTNERSHIP = ("partnership_id", "partnership__home_city__name", "partnership__partner_city__name")

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


@dataclass(frozen=True, slots=True)
class PartnershipLabel:
    """What an event shows of its partnership: its name (``str(partnership)``, "Hà Nội –
    Minsk"), its partner city's name and its page, without loading the model."""

    pk: int
    home_city: str
    partner_city: str

    def __str__(self) -> str:
        return f"{self.home_city} – {self.partner_city}"

    def get_absolute_url(self) -> str:
        return reverse("partnerships:partnership_detail", args=[self.pk])


class _Labels(dict[int, PartnershipLabel]):
    """One ``PartnershipLabel`` per partnership among the rows of one call."""

    def of(self, *row: Any) -> PartnershipLabel:
        """The label of a row's (partnership id, home city's name, partner city's name)."""
        pk, home_city, partner_city = row
        label = self.get(pk)
        if label is None:
            label = self[pk] = PartnershipLabel(pk, home_city, partner_city)
        return label


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
    partnership: PartnershipLabel
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
    labels = _Labels()
    events: list[Event] = []
    if VISITS in wanted:
        events += _visits(first, last, scope, labels)
        events += _engagements(first, last, partnerships, labels)
    if ACTIONS in wanted:
        events += _actions(first, last, scope, labels)
    if AGREEMENTS in wanted:
        events += _agreement_dates(first, last, scope, labels)
    if ANNIVERSARIES in wanted:
        events += _anniversaries(first, last, partnerships, labels)
    return sorted(events, key=lambda e: e.sort_key)


def _visits(first: dt.date, last: dt.date, scope: Q, labels: _Labels) -> list[Event]:
    rows = (
        Visit.objects.filter(scope, start_date__lte=last)
        .exclude(status=Visit.Status.CANCELLED)
        .exclude(start_date_precision=Precision.YEAR)
        .annotate(until=Coalesce("end_date", "start_date"))
        .filter(until__gte=first)
        .values_list(
            "pk", "direction", "title", "start_date", "end_date", "start_date_precision",
            "place", "status", *PARTNERSHIP,
        )
    )  # fmt: skip
    url = url_maker("delegations:visit_detail")
    directions, statuses = _labels_of(Visit.Direction), _labels_of(Visit.Status)
    return [
        Event(
            uid=f"visit-{pk}",
            kind=VISITS,
            badge=direction,
            label=directions.get(direction, direction),
            title=title,
            start=start,
            end=end,
            precision=precision,
            url=url(pk),
            partnership=labels.of(*partnership),
            place=place,
            extra={"status": statuses.get(status, status)},
        )
        for pk, direction, title, start, end, precision, place, status, *partnership in rows
        if start is not None
    ]


def _labels_of(choices: type[models.TextChoices]) -> dict[str, str]:
    """A field's ``get_…_display()`` for every value, in the language of the moment."""
    return {value: str(label) for value, label in choices.choices}


def _engagements(
    first: dt.date,
    last: dt.date,
    partnerships: QuerySet[Partnership] | None,
    labels: _Labels,
) -> list[Event]:
    """Programme items with a time (the ones without a time are the visit itself)."""
    scope = Q(visit__partnership__in=partnerships) if partnerships is not None else Q()
    rows = (
        Engagement.objects.filter(scope, date__gte=first, date__lte=last, time__isnull=False)
        .exclude(visit__status=Visit.Status.CANCELLED)
        .values_list(
            "pk", "kind", "title", "date", "time", "place", "visit_id",
            "visit__partnership_id", "visit__partnership__home_city__name",
            "visit__partnership__partner_city__name",
        )
    )  # fmt: skip
    url = url_maker("delegations:visit_detail")
    kinds = _labels_of(Engagement.Kind)
    return [
        Event(
            uid=f"engagement-{pk}",
            kind=VISITS,
            badge="programme",
            label=kinds.get(kind, kind),
            title=title,
            start=date,
            time=time,
            url=url(visit_id),
            partnership=labels.of(*partnership),
            place=place,
        )
        for pk, kind, title, date, time, place, visit_id, *partnership in rows
        if date is not None
    ]


def _actions(first: dt.date, last: dt.date, scope: Q, labels: _Labels) -> list[Event]:
    rows = (
        ActionItem.objects.open()
        .filter(scope, due_on__gte=first, due_on__lte=last)
        .exclude(due_on_precision=Precision.YEAR)
        .values_list("pk", "description", "due_on", "due_on_precision", *PARTNERSHIP)
    )
    url = url_maker("delegations:actionitem_detail")
    today, due = timezone.localdate(), str(_("Due"))
    events = []
    for pk, description, due_on, precision, *partnership in rows:
        if due_on is None:
            continue
        # ActionItem.is_overdue() of an open item, without a model per row.
        period = PartialDate.of(due_on, precision)
        overdue = period is not None and period.last_day() < today
        events.append(
            Event(
                uid=f"action-{pk}-due",
                kind=ACTIONS,
                badge="overdue" if overdue else "due",
                label=due,
                title=description,
                start=due_on,
                precision=precision,
                url=url(pk),
                partnership=labels.of(*partnership),
            )
        )
    return events


def _agreement_dates(first: dt.date, last: dt.date, scope: Q, labels: _Labels) -> list[Event]:
    rows = (
        Agreement.objects.filter(scope, status__in=Agreement.BINDING)
        .filter(Q(valid_from__range=(first, last)) | Q(valid_until__range=(first, last)))
        .values_list("pk", "reference", "title", "valid_from", "valid_until", *PARTNERSHIP)
    )
    url = url_maker("agreements:agreement_detail")
    in_force, expires = str(_("In force from")), str(_("Expires"))
    events = []
    for pk, reference, title, valid_from, valid_until, *partnership in rows:
        for day, suffix, badge, label in (
            (valid_from, "start", "in_force", in_force),
            (valid_until, "expiry", "expiring", expires),
        ):
            if day is not None and first <= day <= last:
                events.append(
                    Event(
                        uid=f"agreement-{pk}-{suffix}",
                        kind=AGREEMENTS,
                        badge=badge,
                        label=label,
                        title=f"{reference} · {title}",
                        start=day,
                        url=url(pk),
                        partnership=labels.of(*partnership),
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
            # Implied by the two above; stated so that an index on the month serves.
            **{f"{month}__gte": start.month, f"{month}__lte": end.month},
            _step=year % ANNIVERSARY_STEP,
            **{f"{field_name}__year__lt": year},
        )
    return condition


def _anniversaries(
    first: dt.date, last: dt.date, scope: QuerySet[Partnership] | None, labels: _Labels
) -> list[Event]:
    events = []
    partnerships = (
        Partnership.objects.filter(Q(pk__in=scope) if scope is not None else Q())
        .exclude(established_on_precision=Precision.YEAR)
        .filter(established_on__isnull=False)
        .annotate(_step=Mod(ExtractYear("established_on"), Value(ANNIVERSARY_STEP)))
        .filter(_anniversary_filter("established_on", first, last))
        .values_list(
            "established_on", "established_on_precision", "pk", "home_city__name",
            "partner_city__name",
        )
    )  # fmt: skip
    partnership_url = url_maker("partnerships:partnership_detail")
    for established_on, precision, *partnership in partnerships:
        assert established_on is not None  # noqa: S101 (filtered above)
        label = labels.of(*partnership)
        events.append(
            _anniversary(
                f"partnership-{label.pk}",
                established_on,
                precision,
                span=(first, last),
                partnership=label,
                url=partnership_url(label.pk),
                what=str(label),
            )
        )
    agreements = (
        Agreement.objects.concluded()
        .filter(Q(partnership__in=scope) if scope is not None else Q())
        .exclude(signed_on_precision=Precision.YEAR)
        .filter(signed_on__isnull=False)
        .annotate(_step=Mod(ExtractYear("signed_on"), Value(ANNIVERSARY_STEP)))
        .filter(_anniversary_filter("signed_on", first, last))
        .values_list("pk", "reference", "signed_on", "signed_on_precision", *PARTNERSHIP)
    )
    agreement_url = url_maker("agreements:agreement_detail")
    for pk, reference, signed_on, precision, *partnership in agreements:
        assert signed_on is not None  # noqa: S101 (filtered above)
        events.append(
            _anniversary(
                f"agreement-{pk}",
                signed_on,
                precision,
                span=(first, last),
                partnership=labels.of(*partnership),
                url=agreement_url(pk),
                what=reference,
            )
        )
    return [e for e in events if e is not None]


def _anniversary(  # noqa: PLR0913 (one event's parts)
    key: str,
    since: dt.date,
    precision: str,
    *,
    span: tuple[dt.date, dt.date],
    partnership: PartnershipLabel,
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
