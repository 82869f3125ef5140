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

import calendar
import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import (
    Cast,
    Coalesce,
    Collate,
    Concat,
    ExtractDay,
    ExtractMonth,
    Left,
    RowNumber,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from common.partialdate import PartialDate, Precision
from common.reversing import url_maker
from delegations.models import DESCRIPTION_KEY, ActionItem, Engagement, Visit
from partnerships.models import ANNIVERSARY_CYCLE, City, Partnership, anniversary_key

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
    url: str = ""  # its page, when known (``_Labels``: one ``reverse`` for them all)

    def __str__(self) -> str:
        return f"{self.home_city} – {self.partner_city}"

    def get_absolute_url(self) -> str:
        return self.url or reverse("partnerships:partnership_detail", args=[self.pk])


class _Labels(dict[int, PartnershipLabel]):
    """One ``PartnershipLabel`` per partnership among the rows of one call, and the
    partnership of each visit read (its programme items show it)."""

    def __init__(self) -> None:
        super().__init__()
        self.visits: dict[int, PartnershipLabel] = {}
        self._url: Callable[[int], str] | None = None

    def of(self, *row: Any) -> PartnershipLabel:
        """The label of a row's (partnership id, home city's name, partner city's name)."""
        pk, home_city, partner_city = row
        label = self.get(pk)
        if label is None:
            if self._url is None:
                self._url = url_maker("partnerships:partnership_detail")
            label = self[pk] = PartnershipLabel(pk, home_city, partner_city, self._url(pk))
        return label

    def read_visits(self, visit_ids: Iterable[int], *, every: bool = False) -> None:
        """Learn the partnership of the visits not read yet (``every``: of all of them):
        a programme item dated outside its visit's days (or of a visit known to the year
        only). Usually none, then no query."""
        missing = set(visit_ids) - (set() if every else self.visits.keys())
        if missing:
            rows = Visit.objects.filter(pk__in=missing).order_by().values_list("pk", *PARTNERSHIP)
            for pk, *partnership in rows:
                self.visits[pk] = self.of(*partnership)


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
    wanted, partnerships, scope = _scope(partnership, kinds, partnerships)
    labels = _Labels()
    events = _few_a_month(first, last, wanted, partnerships, labels)
    if VISITS in wanted:
        events += _engagements(first, last, partnerships, labels)
    if ACTIONS in wanted:
        events += _actions(first, last, scope, labels)
    if ANNIVERSARIES in wanted:
        events += _agreement_anniversaries(first, last, partnerships, labels)
    return sorted(events, key=lambda e: e.sort_key)


def _scope(
    partnership: Partnership | None,
    kinds: Iterable[str] | None,
    partnerships: QuerySet[Partnership] | None,
) -> tuple[set[str], QuerySet[Partnership] | None, Q]:
    """The kinds wanted, the partnerships (or None: all) and the filter on them."""
    if partnership is not None:
        partnerships = Partnership.objects.filter(pk=partnership.pk)
    scope = Q(partnership__in=partnerships) if partnerships is not None else Q()
    return set(kinds or KINDS), partnerships, scope


def _cache_as(partnership: Partnership | None) -> CacheAs:
    """What the calendar page's SQL depends on of its partnership filter."""
    return ("partnership", partnership.pk) if partnership is not None else ("all",)


def _few_a_month(
    first: dt.date,
    last: dt.date,
    wanted: set[str],
    partnerships: QuerySet[Partnership] | None,
    labels: _Labels,
) -> list[Event]:
    """The kinds of event with a few a month (~50 visits, ~70 agreement dates and a
    handful of partnerships' anniversaries at scale 1), read whole. The many (timed
    programme items, items due, agreements' anniversaries) are read apart."""
    scope = Q(partnership__in=partnerships) if partnerships is not None else Q()
    events: list[Event] = []
    if VISITS in wanted:
        events += _visits(first, last, scope, labels)
    if AGREEMENTS in wanted:
        events += _agreement_dates(first, last, scope, labels)
    if ANNIVERSARIES in wanted:
        events += _partnership_anniversaries(first, last, partnerships, labels)
    return events


def _visits(first: dt.date, last: dt.date, scope: Q, labels: _Labels) -> list[Event]:
    make = _visit_event_maker(labels)
    return [
        make(row)
        for row in _visit_rows(first, last, scope).values_list(*VISIT_FIELDS)
        if row[3] is not None  # start_date
    ]


def _visit_event_maker(labels: _Labels) -> Callable[[tuple[Any, ...]], Event]:
    """An ``Event`` from a row of ``VISIT_FIELDS``, made once per visit (a visit spread
    over several days is the same event on each)."""
    url = url_maker("delegations:visit_detail")
    directions, statuses = _labels_of(Visit.Direction), _labels_of(Visit.Status)
    made: dict[int, Event] = {}

    def event(row: tuple[Any, ...]) -> Event:
        pk, direction, title, start, end, precision, place, status, *partnership = row
        if pk not in made:
            label = labels.visits[pk] = labels.of(*partnership)
            made[pk] = Event(
                uid=f"visit-{pk}",
                kind=VISITS,
                badge=direction,
                label=directions.get(direction, direction),
                title=title,
                start=start,
                end=end,
                precision=precision,
                url=url(pk),
                partnership=label,
                place=place,
                extra={"status": statuses.get(status, status)},
            )
        return made[pk]

    return event


def _labels_of(choices: type[models.TextChoices]) -> dict[str, str]:
    """A field's ``get_…_display()`` for every value, in the language of the moment."""
    return {value: str(label) for value, label in choices.choices}


def _engagement_rows(
    first: dt.date | RawSQL,
    last: dt.date | RawSQL,
    partnerships: QuerySet[Partnership] | None,
) -> QuerySet[Engagement]:
    """Programme items with a time (the ones without a time are the visit itself), of
    visits not cancelled, read through ``engagement_timed_date``; the cancelled visits
    through ``visit_cancelled`` (an anti-join over a few ids). Neither joined with
    every visit of the record (the model's ordering by the visit's start did, and the
    planner hashes all visits for a join on ``visit.status``); the partnership is the
    visit's, known from the month's visits (``_Labels.read_visits``)."""
    # One day (``first`` is ``last``, an outer query's column): the day's index entries
    # in the index's order (``_first_of_each``).
    span = {"date": first} if first is last else {"date__gte": first, "date__lte": last}
    rows = Engagement.objects.filter(
        ~Exists(Visit.objects.filter(pk=OuterRef("visit_id"), status=Visit.Status.CANCELLED)),
        time__isnull=False,
        **span,
    ).order_by()
    if partnerships is not None:
        rows = rows.filter(visit__in=Visit.objects.filter(partnership__in=partnerships))
    return rows


ENGAGEMENT_FIELDS = ("pk", "kind", "title", "date", "time", "place", "visit_id")


def _engagements(
    first: dt.date,
    last: dt.date,
    partnerships: QuerySet[Partnership] | None,
    labels: _Labels,
) -> list[Event]:
    rows = _engagement_rows(first, last, partnerships).values_list(*ENGAGEMENT_FIELDS)
    return _engagement_events(list(rows), labels)


def _engagement_events(rows: list[tuple[Any, ...]], labels: _Labels) -> list[Event]:
    labels.read_visits(row[6] for row in rows)
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
            partnership=labels.visits[visit_id],
            place=place,
        )
        for pk, kind, title, date, time, place, visit_id in rows
        if date is not None
    ]


def _description_order() -> tuple[Any, ...]:
    """The order of items due in a day's cell and among those known to the month only,
    as Python sorts them (``Event.sort_key``: the description by code point, then the
    id): on PostgreSQL in collation "C" whatever the database's (under a linguistic one,
    ``en_US.UTF-8``, a day's first few read were not those shown first), a description's
    first characters first as ``actionitem_open_day_text_c`` holds them (in code points
    their order is the whole texts'). SQLite's own collation is code-point order."""
    if connection.vendor != "postgresql":
        return ("description", "pk")
    return (
        Collate(Left("description", DESCRIPTION_KEY), "C"),
        Collate("description", "C"),
        "pk",
    )


def _action_rows(first: dt.date, last: dt.date, scope: Q) -> QuerySet[ActionItem]:
    """Open items due from ``first`` to ``last`` (known to the day or month), read
    through ``actionitem_open_due``; no ordering (the events are sorted in Python)."""
    return (
        ActionItem.objects.open()
        .filter(scope, due_on__gte=first, due_on__lte=last)
        .exclude(due_on_precision=Precision.YEAR)
        .order_by()
    )


ACTION_FIELDS = ("pk", "description", "due_on", "due_on_precision", *PARTNERSHIP)


def _actions(first: dt.date, last: dt.date, scope: Q, labels: _Labels) -> list[Event]:
    return _action_events(_action_rows(first, last, scope).values_list(*ACTION_FIELDS), labels)


def _action_events(rows: Iterable[tuple[Any, ...]], labels: _Labels) -> list[Event]:
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
        .order_by()
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
    five years later between ``first`` and ``last`` (a span of at most a few months): per
    year of the span, one range of the indexed ``anniversary_key`` (``_anniversary_key``,
    the year's place in the five-year cycle, the month and the day), so the index reads
    only the rows that match (issue 16: by month alone it read all the years' rows of
    the span's months, ten times as many, and filtered them)."""
    condition = Q(pk__in=[])
    for year_condition in _anniversary_filters(field_name, first, last):
        condition |= year_condition
    return condition


def _anniversary_filters(field_name: str, first: dt.date, last: dt.date) -> list[Q]:
    """``_anniversary_filter``'s conditions, one per year of the span (each one range of
    ``anniversary_key``)."""
    conditions = []
    for year in range(first.year, last.year + 1):
        start = max(first, dt.date(year, 1, 1))
        end = min(last, dt.date(year, 12, 31))
        cycle = (year % ANNIVERSARY_STEP) * ANNIVERSARY_CYCLE
        end_key = end.month * 100 + end.day
        if (end.month, end.day) == (2, 28) and not calendar.isleap(year):
            end_key = 229  # a 29 February comes round on the 28th in a common year
        conditions.append(
            Q(
                _anniversary_key__gte=cycle + start.month * 100 + start.day,
                _anniversary_key__lte=cycle + end_key,
                **{f"{field_name}__year__lt": year},
            )
        )
    return conditions


def _partnership_anniversaries(
    first: dt.date,
    last: dt.date,
    scope: QuerySet[Partnership] | None,
    labels: _Labels,
    cache_as: CacheAs = None,
) -> list[Event]:
    events = []
    partnerships = _rows_of(
        ("partnership_anniversaries", first, last),
        cache_as,
        lambda: _partnership_anniversary_rows(first, last, scope),
    )
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
    return [e for e in events if e is not None]


def _partnership_anniversary_rows(
    first: dt.date, last: dt.date, scope: QuerySet[Partnership] | None
) -> QuerySet[Any]:
    return (
        Partnership.objects.filter(Q(pk__in=scope) if scope is not None else Q())
        .exclude(established_on_precision=Precision.YEAR)
        .filter(established_on__isnull=False)
        .annotate(_anniversary_key=anniversary_key("established_on"))
        .filter(_anniversary_filter("established_on", first, last))
        .order_by()
        .values_list(
            "established_on", "established_on_precision", "pk", "home_city__name",
            "partner_city__name",
        )
    )  # fmt: skip


def _agreement_anniversary_rows(
    first: dt.date, last: dt.date, scope: QuerySet[Partnership] | None
) -> QuerySet[Agreement]:
    """Concluded agreements signed (to the day or month) a multiple of five years
    before a day from ``first`` to ``last``, read through ``agreement_signed_month_day``:
    ~140 a month at scale 1, ~550 at scale 4."""
    return _agreements_signed(scope).filter(_anniversary_filter("signed_on", first, last))


def _agreements_signed(scope: QuerySet[Partnership] | None) -> QuerySet[Any]:
    """Concluded agreements signed on a day or in a month, with their ``anniversary_key``."""
    return (
        Agreement.objects.concluded()
        .filter(Q(partnership__in=scope) if scope is not None else Q())
        .exclude(signed_on_precision=Precision.YEAR)
        .filter(signed_on__isnull=False)
        .annotate(_anniversary_key=anniversary_key("signed_on"))
        .order_by()
    )


def _agreement_anniversaries_counted(
    first: dt.date, last: dt.date, scope: QuerySet[Partnership] | None
) -> QuerySet[Any]:
    """The agreements' anniversaries from ``first`` to ``last`` counted per signed day
    (``anniversary_key``) and precision: one query per year of the span, UNION ALL, so
    each reads one range of ``agreement_anniversary_day`` index-only (issue 16: over
    the years' ranges OR-ed, PostgreSQL read every row of the span through a bitmap of
    ``agreement_anniversary``, 3.5 ms at scale 4 against 0.4 ms)."""
    counted = [
        _agreements_signed(scope)
        .filter(condition)
        .values_list("_anniversary_key", "signed_on_precision")
        .annotate(n=Count("pk"))
        for condition in _anniversary_filters("signed_on", first, last)
    ]
    return counted[0].union(*counted[1:], all=True).order_by() if counted[1:] else counted[0]


AGREEMENT_ANNIVERSARY_FIELDS = ("pk", "reference", "signed_on", "signed_on_precision", *PARTNERSHIP)


def _agreement_anniversaries(
    first: dt.date, last: dt.date, scope: QuerySet[Partnership] | None, labels: _Labels
) -> list[Event]:
    rows = _agreement_anniversary_rows(first, last, scope).values_list(
        *AGREEMENT_ANNIVERSARY_FIELDS
    )
    return [e for e in _agreement_anniversary_events(rows, first, last, labels) if e is not None]


def _agreement_anniversary_events(
    rows: Iterable[tuple[Any, ...]], first: dt.date, last: dt.date, labels: _Labels
) -> list[Event | None]:
    """One event per row, in their order (None: none between ``first`` and ``last``)."""
    agreement_url = url_maker("agreements:agreement_detail")
    events = []
    for pk, reference, signed_on, precision, *partnership in rows:
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
    return events


@functools.lru_cache(maxsize=8)
def _anniversary_texts(language: str | None) -> tuple[str, str]:  # noqa: ARG001 (the key)
    """An anniversary's label and title in ``language``, looked up once (a month grid at
    scale 4 makes ~200 anniversaries: two translations each cost more than the rest of
    the event)."""
    return str(_("Anniversary")), str(_("%(years)d years: %(what)s"))


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
    found = _anniversary_day(since, span)
    if found is None:
        return None
    day, years = found
    label, title = _anniversary_texts(get_language())
    return Event(
        uid=f"{key}-anniversary-{years}",
        kind=ANNIVERSARIES,
        badge="anniversary",
        label=label,
        title=title % {"years": years, "what": what},
        start=day,
        precision=precision,
        url=url,
        partnership=partnership,
        extra={"years": years},
    )


def _anniversary_day(since: dt.date, span: tuple[dt.date, dt.date]) -> tuple[dt.date, int] | None:
    """The day from ``span``'s first to its last on which ``since`` has a round
    anniversary (``ANNIVERSARY_STEP`` years), and how many years; None if none."""
    first, last = span
    for year in range(first.year, last.year + 1):
        try:
            day = since.replace(year=year)
        except ValueError:  # 29 February
            day = since.replace(year=year, day=28)
        years = year - since.year
        if first <= day <= last and years > 0 and years % ANNIVERSARY_STEP == 0:
            return day, years
    return None


# The month grid and the agenda at a cost that does not grow with the record (issue 16):
# at scale 4 a month holds ~2,000 timed programme items and ~500 items due, more than
# any day cell or page can show. Those two kinds are read a few per day (or a page's
# days) with each day's count; the kinds with a few a month are read whole.

PER_DAY = 4  # events a day cell of the month grid shows before "+N more"
UNDATED_SHOWN = 10  # items due known to the month only, shown before "N more"
# A day cell's order: visits, then agreement dates and anniversaries, then the visits'
# timed programme, then items due; by time and title within each.
_RANKS = {VISITS: 0, AGREEMENTS: 1, ANNIVERSARIES: 1, ACTIONS: 3}


def cell_order(event: Event) -> tuple[int, dt.date, dt.time, str]:
    rank = 2 if event.badge == "programme" else _RANKS[event.kind]
    return (rank, *event.sort_key)


@dataclass
class MonthDays:
    """The events of some days, a bounded number of them: on each day its first
    events (``cell_order``) and how many it has in all; the month's events whose day
    is not known, the first few of each kind, and of each kind how many more."""

    shown: dict[dt.date, list[Event]]
    totals: dict[dt.date, int]
    undated: list[Event]
    undated_more: dict[str, int]

    def more(self, day: dt.date) -> int:
        return self.totals.get(day, 0) - len(self.shown.get(day, []))

    @property
    def undated_total(self) -> int:
        return len(self.undated) + sum(self.undated_more.values())


class _Gathered:
    """Events gathered a few per day (and a few known to the month only), with counts."""

    def full_days(self, per_day: int, *, before: int | None = None) -> set[dt.date]:
        """The days whose cell is full with the events gathered so far (``before``: with
        those of a rank in the cell, ``cell_order``, below it): an event of a kind that
        comes after them in a cell is not shown there, and is only counted, not made. At
        scale 4 nearly every day is full of visits before the rest is read (issue 16)."""
        if before is None:
            return {day for day, events in self.shown.items() if len(events) >= per_day}
        return {
            day
            for day, events in self.shown.items()
            if sum(cell_order(event)[0] < before for event in events) >= per_day
        }

    def __init__(self) -> None:
        self.shown: dict[dt.date, list[Event]] = {}
        self.totals: dict[dt.date, int] = {}
        self.undated: list[Event] = []
        self.undated_more: dict[str, int] = {}

    def add(self, kind: str, events: dict[dt.date | None, list[Event]], days: DayRows) -> None:
        for day, total in days.totals.items():  # a day's events may be left unmade
            day_events = events.get(day, [])
            if day is None:
                self.add_undated(kind, day_events, total)
            else:
                self.shown.setdefault(day, []).extend(day_events)
                self.totals[day] = self.totals.get(day, 0) + total

    def add_counted(self, events: Iterable[Event], counts: dict[dt.date, int]) -> None:
        for event in events:
            self.shown.setdefault(event.start, []).append(event)
        for day, n in counts.items():
            self.totals[day] = self.totals.get(day, 0) + n

    def add_undated(self, kind: str, events: list[Event], total: int) -> None:
        self.undated += events
        more = self.undated_more.get(kind, 0) + total - len(events)
        if more:
            self.undated_more[kind] = more


def month_days(  # noqa: PLR0913 (the calendar's filters)
    first: dt.date,
    last: dt.date,
    *,
    month: dt.date,
    partnership: Partnership | None = None,
    kinds: Iterable[str] | None = None,
    per_day: int = PER_DAY,
) -> MonthDays:
    """The month grid's days from ``first`` to ``last``: at most ``per_day`` events
    each, with its total; ``month``'s events not known to the day, at most
    ``UNDATED_SHOWN`` of each kind. One query per kind, as ``events_between``: every
    kind but the partnerships' anniversaries (a handful) is cut per day in the
    database and only the first few read: the programme items, items due and agreements'
    anniversaries counted per day over an index and each day's first read in index
    order (``_first_of_each``), the visits likewise (``visits_per_day``), the agreement
    dates ranked per day (``ROW_NUMBER``/``COUNT``); so the month costs about the same
    however many events it holds (issue 16). On a day whose cell is already full of the
    events that come first in it (visits: at scale 4 nearly every day), the kinds read
    after them are only counted in the database, none of their rows read or joined. Elsewhere than on PostgreSQL (SQLite) all are ranked by the ORM."""
    wanted, partnerships, scope = _scope(partnership, kinds, None)
    cache_as = _cache_as(partnership)
    labels = _Labels()
    gathered = _Gathered()
    if VISITS in wanted:
        visits = visits_per_day(
            first,
            last,
            scope,
            month=month,
            per_day=per_day,
            undated=UNDATED_SHOWN,
            cache_as=cache_as,
        )
        gathered.add(VISITS, _visit_events(visits, labels), visits)
    if AGREEMENTS in wanted:
        full = gathered.full_days(per_day, before=_RANKS[AGREEMENTS])
        dates = agreement_dates_per_day(
            first, last, scope, per_day=per_day, cache_as=cache_as, full=full
        )
        shown = DayRows({d: [] if d in full else rows for d, rows in dates.rows.items()})
        gathered.add(AGREEMENTS, _agreement_date_events(shown, labels), dates)
    if ANNIVERSARIES in wanted:
        few = _partnership_anniversaries(first, last, partnerships, labels, cache_as)
        gathered.add_counted(
            [e for e in few if e.day_known],
            {day: len(events) for day, events in by_day(few, first, last).items()},
        )
        undated = [e for e in few if not e.day_known and _in_month(e, month)]
        gathered.add_undated(ANNIVERSARIES, undated, len(undated))
    if VISITS in wanted:
        full = gathered.full_days(per_day)
        rows, counts = _engagements_per_day(
            first, last, partnerships, per_day=per_day, cache_as=cache_as, full=full
        )
        kept, n = [], len(ENGAGEMENT_FIELDS)
        joined = bool(rows) and len(rows[0]) > n  # with their visits' partnerships
        for row in rows:
            kept.append(row[:n])
            if joined:
                labels.visits[row[6]] = labels.of(*row[n:])
        # Their visits' partnerships (SQLite: not joined): at most one query whatever
        # the data, none when joined.
        labels.read_visits((row[6] for row in kept), every=not joined)
        gathered.add_counted(_engagement_events(kept, labels), counts)
    if ACTIONS in wanted:
        _actions_per_day(
            first,
            last,
            scope,
            labels,
            month=month,
            per_day=per_day,
            into=gathered,
            cache_as=cache_as,
        )
    if ANNIVERSARIES in wanted:
        _anniversaries_per_day(
            first,
            last,
            partnerships,
            labels,
            month=month,
            per_day=per_day,
            into=gathered,
            cache_as=cache_as,
        )
    return MonthDays(
        shown={
            day: sorted(events, key=cell_order)[:per_day] for day, events in gathered.shown.items()
        },
        totals=gathered.totals,
        undated=sorted(gathered.undated, key=lambda e: e.sort_key),
        undated_more=gathered.undated_more,
    )


def _engagements_per_day(  # noqa: PLR0913 (month_days' parts)
    first: dt.date,
    last: dt.date,
    partnerships: QuerySet[Partnership] | None,
    *,
    per_day: int,
    cache_as: CacheAs,
    full: set[dt.date],
) -> tuple[list[tuple[Any, ...]], dict[dt.date, int]]:
    """The timed programme items of each day, the first ``per_day`` by time and title
    (``ENGAGEMENT_FIELDS``), in that order, and each day's count: on PostgreSQL counted
    and read a few a day through ``engagement_timed_day`` (``_first_of_each``), none
    read on a ``full`` day (its cell already full of events shown before them)."""
    key = ("engagements_per_day", first, last, per_day)
    if cache_as is not None and connection.vendor == "postgresql":
        rows = _first_of_each(
            key,
            cache_as,
            counted=lambda: (
                _engagement_rows(first, last, partnerships)
                .values_list("date")
                .annotate(n=Count("pk"))
            ),
            first=lambda: (
                _engagement_rows(day := _outer(0, models.DateField()), day, partnerships)
                .order_by("time", "title", "pk")
                .values_list(*ENGAGEMENT_FIELDS)
            ),
            shape=(1, len(ENGAGEMENT_FIELDS)),
            limit=("%s", [per_day]),
            order_by="c.k0, f.c4, f.c2, f.c0",
            joined="visit",
            full=("c.k0 = ANY(%s)", [sorted(full)]),
        )
        return [row for row, _n, _keys in rows if row is not None], {
            keys[0]: n for _row, n, keys in rows
        }
    ranked = _rows_of(
        key,
        cache_as,
        lambda: _first_per_day(
            _engagement_rows(first, last, partnerships),
            partition_by=["date"],
            order_by=["time", "title", "pk"],
            limit=Value(per_day),
        ).values_list(*ENGAGEMENT_FIELDS, "day_total"),
    )
    shown = [row[:-1] for row in ranked if row[3] not in full]
    return shown, {row[3]: row[-1] for row in ranked}


def _per_day_or_undated(precision_field: str, per_day: int) -> Case:
    """How many of a partition to keep (the ORM's ranking): ``UNDATED_SHOWN`` of those
    known to the month only, ``per_day`` of a day's."""
    return Case(
        When(**{precision_field: Precision.MONTH}, then=Value(UNDATED_SHOWN)),
        default=Value(per_day),
    )


def _per_day_or_undated_sql(per_day: int) -> tuple[str, list[Any]]:
    """The same for ``_first_of_each``, whose second key (``c.k1``) is the precision."""
    return "CASE WHEN c.k1 = %s THEN %s ELSE %s END", [Precision.MONTH, UNDATED_SHOWN, per_day]


def _actions_per_day(  # noqa: PLR0913 (month_days' parts)
    first: dt.date,
    last: dt.date,
    scope: Q,
    labels: _Labels,
    *,
    month: dt.date,
    per_day: int,
    into: _Gathered,
    cache_as: CacheAs = None,
) -> None:
    """The items due on each day, the first ``per_day`` (by description) and the day's
    count; those due in ``month`` known to the month only, the first ``UNDATED_SHOWN``."""
    key = ("actions_per_day", first, last, per_day)
    full = into.full_days(per_day)
    if cache_as is not None and connection.vendor == "postgresql":
        own = ACTION_FIELDS[: -len(PARTNERSHIP) + 1]  # up to partnership_id
        firsts = _first_of_each(
            key,
            cache_as,
            counted=lambda: (
                _action_rows(first, last, scope)
                .values_list("due_on", "due_on_precision")
                .annotate(n=Count("pk"))
            ),
            first=lambda: (
                ActionItem.objects.open()
                .filter(scope, due_on=_outer(0, models.DateField()), due_on_precision=_outer(1))
                # In the order of the index ``actionitem_open_day_text_c`` (a
                # description's first characters: the whole text may outgrow an index
                # entry), then the whole text: each day's first items read from the index,
                # not every item of the day fetched and sorted (scale 4: 8.5 -> ~2.4 ms a
                # month). In code points (``_description_order``).
                .order_by(*_description_order())
                .values_list(*own)
            ),
            shape=(2, len(own)),
            limit=_per_day_or_undated_sql(per_day),
            order_by="c.k0, c.k1, f.c1, f.c0",
            joined="partnership",
            # None read on a day already full: only counted.
            full=("c.k1 = %s AND c.k0 = ANY(%s)", [Precision.DAY, sorted(full)]),
        )
        counts = {keys[0]: n for _row, n, keys in firsts if keys[1] == Precision.DAY}
        rows = [(*row, n) for row, n, _keys in firsts if row is not None]
    else:
        rows = _rows_of(
            key,
            cache_as,
            lambda: (
                _first_per_day(
                    _action_rows(first, last, scope),
                    partition_by=["due_on", "due_on_precision"],
                    order_by=["description", "pk"],
                    limit=_per_day_or_undated("due_on_precision", per_day),
                )
                .order_by("due_on", "due_on_precision", "description", "pk")
                .values_list(*ACTION_FIELDS, "day_total")
            ),
        )
        counts = {row[2]: row[-1] for row in rows if row[3] == Precision.DAY}
        rows = [row for row in rows if row[3] != Precision.DAY or row[2] not in full]
    events = _action_events([row[:-1] for row in rows], labels)
    dated, undated, undated_total = [], [], 0
    for event, row in zip(events, rows, strict=True):
        if event.day_known:
            dated.append(event)
        elif _in_month(event, month):
            undated_total = row[-1]
            undated.append(event)
    into.add_counted(dated, counts)
    into.add_undated(ACTIONS, undated, undated_total)


def _anniversary_rows_shown(
    rows: list[tuple[Any, ...]], span: tuple[dt.date, dt.date], *, full: set[dt.date]
) -> tuple[list[tuple[Any, ...]], dict[dt.date, int]]:
    """Of the agreements' anniversary rows (``AGREEMENT_ANNIVERSARY_FIELDS`` and their
    signed day's count), those with an anniversary in ``span`` and not on a ``full``
    day, and each day's count (of every row, shown or not)."""
    kept = []
    counts: dict[dt.date, int] = {}
    counted: set[tuple[int, int]] = set()
    for row in rows:
        found = _anniversary_day(row[2], span)
        if found is None:
            continue
        if row[3] == Precision.DAY:
            # A day's count is the sum of its signed days' (28 February in a common year
            # has the 28th's and the 29th's); each row carries its signed day's.
            signed = (row[2].month, row[2].day)
            if signed not in counted:
                counted.add(signed)
                counts[found[0]] = counts.get(found[0], 0) + row[-1]
            if found[0] in full:
                continue
        kept.append(row)
    return kept, counts


def _anniversaries_per_day(  # noqa: PLR0913 (month_days' parts)
    first: dt.date,
    last: dt.date,
    partnerships: QuerySet[Partnership] | None,
    labels: _Labels,
    *,
    month: dt.date,
    per_day: int,
    into: _Gathered,
    cache_as: CacheAs = None,
) -> None:
    """The agreements' anniversaries of each day, the first ``per_day`` (by reference)
    and the day's count; those known to the month only, the first ``UNDATED_SHOWN``."""
    key = ("anniversaries_per_day", first, last, per_day)
    span = (first, last)
    # Counted all, made only where shown: not on a day already full of events that come
    # first in its cell (visits: at scale 4 nearly every day).
    full = into.full_days(per_day, before=_RANKS[ANNIVERSARIES])
    if cache_as is not None and connection.vendor == "postgresql":
        own = AGREEMENT_ANNIVERSARY_FIELDS[: -len(PARTNERSHIP) + 1]  # up to partnership_id
        firsts = _first_of_each(
            key,
            cache_as,
            # Each signed day of the span (its ``anniversary_key``) and precision.
            counted=lambda: _agreement_anniversaries_counted(first, last, partnerships),
            first=lambda: (
                _agreement_anniversary_rows(first, last, partnerships)
                .filter(
                    Q(_anniversary_key=_outer(0, models.IntegerField())),
                    signed_on_precision=_outer(1),
                )
                .order_by("reference", "pk")
                .values_list(*own)
            ),
            shape=(2, len(own)),
            limit=_per_day_or_undated_sql(per_day),
            order_by="c.k0, c.k1, f.c1, f.c0",
            joined="partnership",
            # None read for a signed day whose anniversary falls on a full day.
            full=("c.k1 = %s AND c.k0 = ANY(%s)", [Precision.DAY, _anniversary_keys(full)]),
        )
        counts: dict[dt.date, int] = {}
        # A day's count is the sum of its signed days' (28 February in a common year has
        # the 28th's and the 29th's); every row of a signed day carries its count.
        signed = {keys: n for _row, n, keys in firsts if keys[1] == Precision.DAY}
        for (signed_key, _precision), n in signed.items():
            day = _anniversary_key_day(signed_key, span)
            if day is not None:
                counts[day] = counts.get(day, 0) + n
        rows = [(*row, n) for row, n, _keys in firsts if row is not None]
        kept, _counted = _anniversary_rows_shown(rows, span, full=full)
    else:
        rows = _rows_of(
            key,
            cache_as,
            lambda: (
                _first_per_day(
                    _agreement_anniversary_rows(first, last, partnerships).annotate(
                        signed_month=ExtractMonth("signed_on"), signed_day=ExtractDay("signed_on")
                    ),
                    partition_by=["signed_month", "signed_day", "signed_on_precision"],
                    order_by=["reference", "pk"],
                    limit=_per_day_or_undated("signed_on_precision", per_day),
                )
                .order_by("signed_month", "signed_day", "signed_on_precision", "reference", "pk")
                .values_list(*AGREEMENT_ANNIVERSARY_FIELDS, "day_total")
            ),
        )
        kept, counts = _anniversary_rows_shown(rows, span, full=full)
    events = _agreement_anniversary_events([row[:-1] for row in kept], first, last, labels)
    dated, undated, undated_total = [], [], 0
    for event, row in zip(events, kept, strict=True):
        if event is None:
            continue
        if event.day_known:
            dated.append(event)
        elif _in_month(event, month):
            # One partition per signed month: its count is the month's.
            undated_total = row[-1]
            undated.append(event)
    into.add_counted(dated, counts)
    into.add_undated(ANNIVERSARIES, undated, undated_total)


def _anniversary_keys(days: Iterable[dt.date]) -> list[int]:
    """The ``anniversary_key`` of the signed days whose round anniversary falls on one
    of ``days`` (28 February in a common year: the 29th's too)."""
    keys = []
    for day in sorted(days):
        cycle = (day.year % ANNIVERSARY_STEP) * ANNIVERSARY_CYCLE
        keys.append(cycle + day.month * 100 + day.day)
        if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            keys.append(cycle + 229)
    return keys


def _anniversary_key_day(key: int, span: tuple[dt.date, dt.date]) -> dt.date | None:
    """The day of ``span`` on which the round anniversaries of the signed day ``key``
    (``anniversary_key``) fall, or None."""
    cycle, month_day = divmod(key, ANNIVERSARY_CYCLE)
    month, day = divmod(month_day, 100)
    first, last = span
    for year in range(first.year, last.year + 1):
        if year % ANNIVERSARY_STEP == cycle:
            try:
                found = dt.date(year, month, day)
            except ValueError:  # 29 February in a common year: the 28th
                found = dt.date(year, 2, 28)
            if first <= found <= last:
                return found
    return None


# Visits and agreement dates a few per day (issue 16): at scale 4 a month grid holds ~440
# visits and ~270 agreement dates. Each row is spread over its days in the database (a
# visit over each day it covers, an agreement over its start and its expiry) and only
# the first ``per_day`` of each day read, with the day's count. Raw SQL around the ORM's
# query for the spreading (``generate_series``/``VALUES`` in a LATERAL join), which the
# ORM does not write.

VISIT_FIELDS = (
    "pk", "direction", "title", "start_date", "end_date", "start_date_precision", "place",
    "status", *PARTNERSHIP,
)  # fmt: skip
_NO_LIMIT = 2**31 - 1


def _visit_rows(first: dt.date, last: dt.date, scope: Q) -> QuerySet[Visit]:
    """Visits not cancelled covering a day from ``first`` to ``last`` (known to the day
    or month)."""
    return (
        Visit.objects.filter(scope, start_date__lte=last)
        .exclude(status=Visit.Status.CANCELLED)
        .exclude(start_date_precision=Precision.YEAR)
        .annotate(until=Coalesce("end_date", "start_date"))
        .filter(until__gte=first)
        .order_by()
    )


def _raw(sql: str, params: Iterable[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


# The calendar page's queries compiled once per process and what their SQL depends on
# (the days, the limits, the partnership filter: ``CacheAs``): building and compiling
# them through the ORM cost a quarter of a month grid's time (issue 16), more than the
# database took to answer them.
CacheAs = (
    tuple[Any, ...] | None
)  # what the partnership filter is ("all", or its pk); None: no cache
_COMPILED: dict[tuple[Any, ...], tuple[str, tuple[Any, ...]]] = {}
_COMPILED_KEPT = 512


def _compiled(
    key: tuple[Any, ...], cache_as: CacheAs, build: Callable[[], QuerySet[Any]]
) -> tuple[str, tuple[Any, ...]]:
    """The SQL and parameters of the queryset ``build`` makes, compiled once per ``key``
    (every argument its SQL depends on) and ``cache_as``; every time if ``cache_as`` is
    None (a user's partnerships, for their feed)."""
    if cache_as is None:
        sql, params = build().query.sql_with_params()
        return sql, tuple(params)
    full_key = (connection.vendor, *key, *cache_as)
    compiled = _COMPILED.get(full_key)
    if compiled is None:
        if len(_COMPILED) >= _COMPILED_KEPT:
            _COMPILED.clear()
        sql, params = build().query.sql_with_params()
        compiled = _COMPILED[full_key] = (sql, tuple(params))
    return compiled


def _rows_of(
    key: tuple[Any, ...], cache_as: CacheAs, build: Callable[[], QuerySet[Any]]
) -> list[tuple[Any, ...]]:
    """The rows of the ``values_list`` queryset ``build`` makes: on PostgreSQL by its SQL
    compiled once (``_compiled``; its columns are the fields' and need no converter);
    elsewhere (SQLite: its dates need the ORM's converters) or uncached, through the ORM."""
    if cache_as is None or connection.vendor != "postgresql":
        return list(build())
    return _raw(*_compiled(key, cache_as, build))


def _rows_named(
    key: tuple[Any, ...],
    cache_as: CacheAs,
    build: Callable[[], QuerySet[Any]],
    fields: tuple[str, ...],
    *,
    order_by: str = "",
) -> list[tuple[Any, ...]]:
    """The rows of ``build()`` as ``values_list(*fields, *PARTNERSHIP)``. On PostgreSQL
    its own columns read first (``partnership_id`` last), then each row's partnership's
    cities' names looked up (``_names_of``), not joined: the planner hashed every
    partnership (1,709 at scale 4) for a few rows (issue 16). ``order_by``: the order of
    the rows, over their columns ``f.c0``… (the inner query's own order is kept for its
    ``LIMIT`` only)."""
    if cache_as is None or connection.vendor != "postgresql":
        return list(build().values_list(*fields, *PARTNERSHIP))
    own = (*fields, "partnership_id")
    sql, params = _compiled(key, cache_as, lambda: build().values_list(*own))
    columns = [f"c{i}" for i in range(len(own))]
    names = _names_of(f"{Partnership._meta.db_table} AS p", f"p.id = f.c{len(own) - 1}")
    return _raw(
        f"""
        SELECT {", ".join(f"f.{c}" for c in columns)}, names.home, names.partner
        FROM ({sql}) AS f({", ".join(columns)}){names}
        {f"ORDER BY {order_by}" if order_by else ""}
        """,  # noqa: S608 (the ORM's own SQL and parameters, the models' tables)
        params,
    )


def _outer(n: int, output_field: models.Field[Any, Any] | None = None) -> RawSQL:
    """The ``n``-th key column of ``_first_of_each``'s counted rows, in its LATERAL query."""
    return RawSQL(f"c.k{n}", (), output_field=output_field or models.CharField())  # noqa: S611 (a column name)


def _names_of(source: str, where: str) -> str:
    """A LEFT JOIN LATERAL of a partnership's id and its cities' names, ``names(
    partnership_id, home, partner)``: ``p`` of ``source`` where ``where``, looked up for
    each row kept, not flattened into a join that hashes every partnership and city
    (issue 16: a few hundred rows at most against 1,709 and 1,205 at scale 4)."""
    city = City._meta.db_table
    return f"""
        LEFT JOIN LATERAL (
            SELECT p.id,
                (SELECT name FROM {city} WHERE id = p.home_city_id),
                (SELECT name FROM {city} WHERE id = p.partner_city_id)
            FROM {source}
            WHERE {where}
            OFFSET 0  -- not flattened: looked up for each row kept, not hashed whole
        ) AS names(partnership_id, home, partner) ON TRUE"""  # noqa: S608 (the models' tables)


def _first_of_each(  # noqa: PLR0913 (the query's parts)
    key: tuple[Any, ...],
    cache_as: CacheAs,
    *,
    counted: Callable[[], QuerySet[Any]],
    first: Callable[[], QuerySet[Any]],
    shape: tuple[int, int],
    limit: tuple[str, list[Any]],
    order_by: str,
    joined: str = "",
    full: tuple[str, list[Any]] | None = None,
) -> list[tuple[tuple[Any, ...] | None, int, tuple[Any, ...]]]:
    """On PostgreSQL, for each row of ``counted`` (keys, then a count: a day's events
    counted over an index, grouped, no row read), the first rows of ``first`` (its
    ``_outer`` columns that row's keys, ordered as an index reads them), at most
    ``limit`` (SQL over ``c.k0``…); sorted by ``order_by`` (over ``c.k0``… and ``f.c0``…,
    ``first``'s columns; ``shape``: how many keys and columns). So only the rows kept
    are read, a few a day, in index order: a month costs about the same however many
    events its days hold (issue 16; ``tests/test_explain.py``). ``full``: SQL over
    ``c.k0``… (and its parameters) true of the keys whose cell is already full, of
    which none is read, only counted.

    Each row: ``(row or None, count, keys)``; None for a key counted but not read.
    ``joined``: ``first``'s last column is a partnership's id (``"partnership"``) or a
    visit's (``"visit"``): its partnership's (or its visit's partnership's id and) cities'
    names follow in the row, looked up for the rows kept only (issue 16: joined, the
    planner hashed every partnership and city for a few hundred rows at most)."""
    counts_sql, counts_params = _compiled(("counted", *key), cache_as, counted)
    first_sql, first_params = _compiled(("first", *key), cache_as, first)
    n_keys, n_own = shape
    keys = [f"c.k{i}" for i in range(n_keys)]
    own = [f"f.c{i}" for i in range(n_own)]
    names = ""
    if joined:
        source, where = f"{Partnership._meta.db_table} AS p", f"p.id = f.c{n_own - 1}"
        if joined == "visit":
            source = f"{Visit._meta.db_table} AS v JOIN {source} ON p.id = v.partnership_id"
            where = f"v.id = f.c{n_own - 1}"
            own.append("names.partnership_id")
        own += ["names.home", "names.partner"]
        names = _names_of(source, where)
    limit_sql, limit_params = limit
    full_sql, full_params = full or ("FALSE", [])
    columns = ", ".join(f"c{i}" for i in range(n_own))
    rows = _raw(
        f"""
        SELECT {", ".join(own)}, c.n, {", ".join(keys)}
        FROM ({counts_sql}) AS c({", ".join(f"k{i}" for i in range(n_keys))}, n)
        LEFT JOIN LATERAL ({first_sql} LIMIT CASE WHEN {full_sql} THEN 0 ELSE {limit_sql} END)
            AS f({columns}) ON TRUE{names}
        ORDER BY {order_by}
        """,  # noqa: S608 (the ORM's own SQL and parameters, the models' tables)
        [*counts_params, *first_params, *full_params, *limit_params],
    )
    width = len(own)  # the first own column is a primary key: None where none was read
    return [
        (tuple(row[:width]) if row[0] is not None else None, row[width], tuple(row[width + 1 :]))
        for row in rows
    ]


@dataclass
class DayRows:
    """Rows of one kind spread over days: each day's first rows and its count."""

    rows: dict[dt.date | None, list[tuple[Any, ...]]] = field(default_factory=dict)
    totals: dict[dt.date | None, int] = field(default_factory=dict)

    def add(self, day: dt.date | None, row: tuple[Any, ...], total: int) -> None:
        self.rows.setdefault(day, []).append(row)
        self.totals[day] = total


def visits_per_day(  # noqa: PLR0913 (the span, the month and the limits)
    first: dt.date,
    last: dt.date,
    scope: Q,
    *,
    month: dt.date,
    per_day: int | None,
    undated: int,
    cache_as: CacheAs = None,
) -> DayRows:
    """The visits of each day from ``first`` to ``last`` they cover, the first
    ``per_day`` (None: all; 0: none, counted only) by start and title, with each day's
    count; under the day None the visits of ``month`` known to the month only, the first
    ``undated``."""

    def visits() -> QuerySet[Any]:
        return _visit_rows(first, last, scope).values_list(*VISIT_FIELDS, "until")

    if connection.vendor != "postgresql":
        return _visits_per_day_in_python(
            visits(), first=first, last=last, month=month, per_day=per_day, undated=undated
        )
    # Each day's first visits read in the order shown from ``visit_day_first`` and
    # counted over it alone: the visits that start on the day or at most the longest
    # visit's length before (``visit_longest``, one index entry) and end on or after it;
    # the month's visits known to the month only likewise. Only the rows kept are joined
    # to their partnership and its cities: a month costs about the same however many
    # visits the record holds (issue 16; the ranked reads cost 1.5 ms at scale 0.25 and
    # 5 ms at scale 4).
    own = VISIT_FIELDS[: -len(PARTNERSHIP) + 1]  # up to partnership_id
    day, since = _outer_day("day"), _outer_day("since")
    parts = {
        name: _compiled((f"visits_{name}", first, last, month), cache_as, build)
        for name, build in (
            ("day_counted", lambda: _day_visits(day, since, scope).order_by().values("pk")),
            ("day_first", lambda: _day_visits(day, since, scope).values_list(*own, "until")),
            ("month_counted", lambda: _month_visits(month, scope).order_by().values("pk")),
            ("month_first", lambda: _month_visits(month, scope).values_list(*own, "until")),
        )
    }
    n = len(own)
    columns = ", ".join(f"c{i}" for i in range(n + 1))
    partnership, city, visit = Partnership._meta.db_table, City._meta.db_table, Visit._meta.db_table
    (day_counted, day_counted_params), (day_first, day_first_params) = (
        parts["day_counted"], parts["day_first"]
    )  # fmt: skip
    (month_counted, month_counted_params), (month_first, month_first_params) = (
        parts["month_counted"], parts["month_first"]
    )  # fmt: skip
    rows = _raw(
        f"""
        SELECT {", ".join(f"r.c{i}" for i in range(n))}, home.name, partner.name, r.c{n},
            r.day, r.n
        FROM (
            SELECT f.*, d.day, c.n, 0 AS part
            FROM (
                SELECT days.day, days.day - longest.n AS since
                FROM unnest(%s::date[]) AS days(day),
                    (SELECT COALESCE(MAX(COALESCE(end_date, start_date) - start_date), 0) AS n
                     FROM {visit}
                     WHERE start_date_precision = %s AND NOT (status = %s)) AS longest
            ) AS d
            CROSS JOIN LATERAL (SELECT COUNT(*) AS n FROM ({day_counted}) AS x) AS c
            LEFT JOIN LATERAL ({day_first} LIMIT %s) AS f({columns}) ON TRUE
            WHERE c.n > 0
            UNION ALL
            SELECT f.*, NULL::date, c.n, 1
            FROM (SELECT COUNT(*) AS n FROM ({month_counted}) AS x) AS c
            LEFT JOIN LATERAL ({month_first} LIMIT %s) AS f({columns}) ON TRUE
            WHERE c.n > 0
        ) AS r
        -- Outer joins: a day counted only (``per_day`` 0) has no visit read.
        LEFT JOIN {partnership} AS p ON p.id = r.c{n - 1}
        LEFT JOIN {city} AS home ON home.id = p.home_city_id
        LEFT JOIN {city} AS partner ON partner.id = p.partner_city_id
        ORDER BY r.part, r.day, r.c3, r.c2, r.c0
        """,  # noqa: S608 (the ORM's own SQL and parameters, the models' tables)
        [
            _days(first, last), Precision.DAY, Visit.Status.CANCELLED,
            *day_counted_params, *day_first_params, _NO_LIMIT if per_day is None else per_day,
            *month_counted_params, *month_first_params, undated,
        ],
    )  # fmt: skip
    days = DayRows()
    for *row, _until, day, total in rows:
        if row[0] is None:  # counted, none read (``per_day`` or ``undated`` 0)
            days.totals[day] = total
        else:
            days.add(day, tuple(row), total)
    return days


def _outer_day(name: str) -> RawSQL:
    """A day column of ``visits_per_day``'s days, in its LATERAL queries."""
    return RawSQL(f"d.{name}", (), output_field=models.DateField())  # noqa: S611 (a column name)


def _day_visits(day: RawSQL, since: RawSQL, scope: Q) -> QuerySet[Visit]:
    """Visits not cancelled known to the day covering ``day``, started on or after
    ``since`` (the longest visit's length before), in ``visit_day_first``'s order."""
    return (
        Visit.objects.filter(
            scope, start_date_precision=Precision.DAY, start_date__gte=since, start_date__lte=day
        )
        .exclude(status=Visit.Status.CANCELLED)
        .annotate(until=Coalesce("end_date", "start_date"))
        .filter(until__gte=day)
        .order_by("start_date", "title", "pk")
    )


def _month_visits(month: dt.date, scope: Q) -> QuerySet[Visit]:
    """Visits not cancelled of ``month`` known to the month only, in
    ``visit_day_first``'s order."""
    return (
        Visit.objects.filter(
            scope,
            start_date_precision=Precision.MONTH,
            start_date__gte=month,
            start_date__lte=month_end(month),
        )
        .exclude(status=Visit.Status.CANCELLED)
        .annotate(until=Coalesce("end_date", "start_date"))
        .order_by("start_date", "title", "pk")
    )


def _ranked_per_day(
    spread: Iterable[tuple[dt.date | None, Any, tuple[Any, ...]]],
    limit: Any,
) -> DayRows:
    """What the SQL of ``visits_per_day``/``agreement_dates_per_day`` does, in Python
    (SQLite, the zero-setup first run, has no LATERAL join or arrays; its records are
    few): ``(day, sort key, row)`` ranked per day by key, the first ``limit(day)`` kept,
    each with its day's count."""
    per: dict[dt.date | None, list[tuple[Any, tuple[Any, ...]]]] = {}
    for day, key, row in spread:
        per.setdefault(day, []).append((key, row))
    days = DayRows()
    for day, keyed in per.items():
        keyed.sort(key=lambda pair: pair[0])
        days.totals[day] = len(keyed)  # counted even when none is kept (a limit of 0)
        for _key, row in keyed[: limit(day)]:
            days.add(day, row, len(keyed))
    return days


def _visits_per_day_in_python(  # noqa: PLR0913 (as visits_per_day)
    visits: QuerySet[Any],
    *,
    first: dt.date,
    last: dt.date,
    month: dt.date,
    per_day: int | None,
    undated: int,
) -> DayRows:
    def spread() -> Iterable[tuple[dt.date | None, Any, tuple[Any, ...]]]:
        for *row, until in visits:
            pk, title, start, precision = row[0], row[2], row[3], row[5]
            key = (start, title, pk)
            if precision == Precision.DAY:
                for day in _days(max(first, start), min(last, until)):
                    yield day, key, tuple(row)
            elif month <= start <= month_end(month):
                yield None, key, tuple(row)

    return _ranked_per_day(spread(), lambda day: undated if day is None else (per_day or _NO_LIMIT))


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every day from ``first`` to ``last``: a list the planner counts right (it takes
    a ``generate_series`` of dates for 1,000 rows, and a month's estimate then passes
    the JIT compiler's threshold: 4 s of compiling for a 1 ms query)."""
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _visit_events(days: DayRows, labels: _Labels) -> dict[dt.date | None, list[Event]]:
    """The events of ``visits_per_day``'s rows, one ``Event`` per visit."""
    event = _visit_event_maker(labels)
    return {day: [event(row) for row in rows] for day, rows in days.rows.items()}


def agreement_dates_per_day(  # noqa: PLR0913 (the span, the limit and the full days)
    first: dt.date,
    last: dt.date,
    scope: Q,
    *,
    per_day: int | None,
    cache_as: CacheAs = None,
    full: Iterable[dt.date] = (),
) -> DayRows:
    """The agreements coming into force or expiring on each day from ``first`` to
    ``last``, the first ``per_day`` (None: all) by reference and title, with each day's
    count. A row: the agreement's fields and "start" or "expiry". On PostgreSQL, none
    read on a ``full`` day (its cell already full of visits), only counted."""

    def binding() -> QuerySet[Agreement]:
        return (
            Agreement.objects.filter(scope, status__in=Agreement.BINDING)
            .filter(Q(valid_from__range=(first, last)) | Q(valid_until__range=(first, last)))
            .order_by()
        )

    def dates() -> QuerySet[Any]:
        return binding().values_list(
            "pk", "reference", "title", *PARTNERSHIP, "valid_from", "valid_until"
        )

    if connection.vendor != "postgresql":
        return _agreement_dates_in_python(dates(), first=first, last=last, per_day=per_day)

    def own_dates() -> QuerySet[Any]:
        # The partnership's id only: its cities' names are read for the rows kept (issue
        # 16: joined to every date of the span, partnerships and cities were hashed whole).
        return binding().values_list(
            "pk", "reference", "title", "partnership_id", "valid_from", "valid_until"
        )

    sql, params = _compiled(("agreement_dates", first, last), cache_as, own_dates)
    names = _names_of(f"{Partnership._meta.db_table} AS p", "p.id = ranked.c3 AND ranked.shown")
    rows = _raw(
        f"""
        SELECT c0, c1, c2, c3, names.home, names.partner, which, day, day_total, shown FROM (
            SELECT a.*, d.day, d.which, NOT (d.day = ANY(%s)) AS shown,
                ROW_NUMBER() OVER (
                    PARTITION BY d.day ORDER BY CONCAT(a.c1, %s, a.c2), a.c0, d.which DESC
                ) AS day_rank,
                COUNT(*) OVER (PARTITION BY d.day) AS day_total
            FROM ({sql}) AS a(c0, c1, c2, c3, c4, c5)
            CROSS JOIN LATERAL (VALUES (a.c4, 'start'), (a.c5, 'expiry')) AS d(day, which)
            WHERE d.day BETWEEN %s AND %s
        ) AS ranked{names}
        -- A full day's first row only, for its count.
        WHERE day_rank <= CASE WHEN shown THEN %s ELSE 1 END
        ORDER BY day, day_rank
        """,  # noqa: S608 (the ORM's own SQL and parameters, the models' tables)
        [
            sorted(full),
            AGREEMENT_TITLE_SEPARATOR,
            *params,
            first,
            last,
            _NO_LIMIT if per_day is None else per_day,
        ],
    )
    days = DayRows()
    for *row, day, total, shown in rows:
        if shown:
            days.add(day, tuple(row), total)
        else:
            days.totals[day] = total
    return days


def _agreement_dates_in_python(
    dates: QuerySet[Any], *, first: dt.date, last: dt.date, per_day: int | None
) -> DayRows:
    """What the SQL of ``agreement_dates_per_day`` does, in Python (SQLite)."""

    def spread() -> Iterable[tuple[dt.date | None, Any, tuple[Any, ...]]]:
        for *row, valid_from, valid_until in dates:
            pk, reference, title = row[0], row[1] or "", row[2] or ""
            # ``which DESC``: "start" before "expiry" of the same agreement on a day.
            for day, which, order in ((valid_from, "start", 0), (valid_until, "expiry", 1)):
                if day is not None and first <= day <= last:
                    key = (f"{reference}{AGREEMENT_TITLE_SEPARATOR}{title}", pk, order)
                    yield day, key, (*row, which)

    return _ranked_per_day(spread(), lambda _day: per_day or _NO_LIMIT)


AGREEMENT_TITLE_SEPARATOR = " · "


def _agreement_date_events(days: DayRows, labels: _Labels) -> dict[dt.date | None, list[Event]]:
    url = url_maker("agreements:agreement_detail")
    badges = {
        "start": ("in_force", str(_("In force from"))),
        "expiry": ("expiring", str(_("Expires"))),
    }
    events: dict[dt.date | None, list[Event]] = {}
    for day, rows in days.rows.items():
        for pk, reference, title, *partnership, which in rows:
            badge, label = badges[which]
            events.setdefault(day, []).append(
                Event(
                    uid=f"agreement-{pk}-{which}",
                    kind=AGREEMENTS,
                    badge=badge,
                    label=label,
                    title=f"{reference}{AGREEMENT_TITLE_SEPARATOR}{title}",
                    start=day,  # type: ignore[arg-type]
                    url=url(pk),
                    partnership=labels.of(*partnership),
                )
            )
    return events


def _in_month(event: Event, month: dt.date) -> bool:
    return (event.start.year, event.start.month) == (month.year, month.month)


def _first_per_day(
    rows: QuerySet[Any], *, partition_by: list[str], order_by: list[str], limit: Any
) -> QuerySet[Any]:
    """The first ``limit`` rows of each day (``partition_by``) in ``order_by``, each
    with its day's count (``day_total``), ranked by window functions over every row of
    the span: SQLite's way (PostgreSQL reads each day's first in index order instead,
    ``_first_of_each``)."""
    partition = [F(name) for name in partition_by]
    return rows.annotate(
        day_rank=Window(RowNumber(), partition_by=partition, order_by=order_by),
        day_total=Window(Count("pk"), partition_by=partition),
        day_limit=limit,
    ).filter(day_rank__lte=F("day_limit"))


def by_day(events: Iterable[Event], first: dt.date, last: dt.date) -> dict[dt.date, list[Event]]:
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


AGENDA_PAGE = 40  # events on a page of the agenda


@dataclass
class AgendaPage:
    """A page of a month's agenda: whole days while they fit in ``AGENDA_PAGE`` events
    (a day with more is cut, the rest on the next page), the day and the number of its
    events to skip of the next page, and the month's events whose day is not known
    (the first ``UNDATED_SHOWN`` of each kind, and of each kind how many more)."""

    days: list[tuple[dt.date, list[Event]]]
    skipped: int  # events of the first day shown on the pages before
    next_day: dt.date | None
    next_skip: int
    undated: list[Event]
    undated_more: dict[str, int]

    @property
    def undated_total(self) -> int:
        return len(self.undated) + sum(self.undated_more.values())


def agenda_page(  # noqa: PLR0913 (the calendar's filters and the page)
    month: dt.date,
    first: dt.date,
    skip: int = 0,
    *,
    partnership: Partnership | None = None,
    kinds: Iterable[str] | None = None,
    limit: int | None = None,
) -> AgendaPage:
    """The page of ``month``'s agenda that begins with ``first``'s events after the
    first ``skip``. The days to show are chosen from each day's count (counted in the
    database), then only those days' events read: the page costs the same however many
    events the month holds (issue 16)."""
    limit = limit or AGENDA_PAGE
    last = month_end(month)
    wanted, partnerships, scope = _scope(partnership, kinds, None)
    cache_as = _cache_as(partnership)
    labels = _Labels()
    undated = _Gathered()
    counts: dict[dt.date, int] = {}
    if VISITS in wanted:
        # Counted only (no day's visit read: the page's are read below), and the
        # month's visits known to the month only.
        visits = visits_per_day(
            first, last, scope, month=month, per_day=0, undated=UNDATED_SHOWN, cache_as=cache_as
        )
        _add_counts(counts, visits.totals)
        undated.add_undated(
            VISITS,
            _visit_events(visits, labels).get(None, []),
            visits.totals.get(None, 0),
        )
    if AGREEMENTS in wanted:
        _add_counts(counts, _agreement_date_counts(first, last, scope, cache_as=cache_as))
    few: list[Event] = []
    if ANNIVERSARIES in wanted:
        few = _partnership_anniversaries(first, last, partnerships, labels, cache_as)
        _add_counts(counts, {day: len(e) for day, e in by_day(few, first, last).items()})
        month_only = [e for e in few if not e.day_known and _in_month(e, month)]
        undated.add_undated(ANNIVERSARIES, month_only, len(month_only))
    programme: dict[dt.date, int] = {}
    undated_actions = _day_counts(
        first, last, wanted, partnerships, counts, programme=programme, cache_as=cache_as
    )
    days, next_day, next_skip = _page_days(counts, first, skip, limit)
    end = days[-1] if days else first
    programme_limit = None
    if days and next_day == end:
        # One day cut (more events than a page): its timed programme items come after
        # its other events (but for any at midnight), so only as many of them are read
        # as the page shows after those (scale 4: none of the 58 of 1 May 2025 on the
        # first page of its agenda, where 75 other events come first).
        shown_until = (skip if end == first else 0) + limit
        programme_limit = max(0, shown_until - (counts[end] - programme.get(end, 0)))
    events = _page_events(
        first,
        end,
        wanted,
        partnerships,
        labels,
        days=bool(days),
        few=few,
        cache_as=cache_as,
        programme_limit=programme_limit,
    )
    if ANNIVERSARIES in wanted:
        gathered = _Gathered()
        _anniversaries_per_day(
            first,
            end,
            partnerships,
            labels,
            month=month,
            per_day=_NO_LIMIT,
            into=gathered,
            cache_as=cache_as,
        )
        for day, day_events in gathered.shown.items():
            events.setdefault(day, []).extend(day_events)
        undated.add_undated(
            ANNIVERSARIES,
            gathered.undated,
            sum(gathered.undated_more.values()) + len(gathered.undated),
        )
    page = [(day, sorted(events.get(day, []), key=_agenda_order)) for day in days]
    if page:
        offset = skip if page[0][0] == first else 0
        page[0] = (page[0][0], page[0][1][offset : offset + limit])
    if undated_actions:
        # The first few in the order of ``actionitem_open_day_text_c`` (a description's
        # first characters, then the whole text, in code points), read from it, not all
        # of the month's (~140 at scale 4) fetched and sorted.
        rows = _rows_named(
            ("agenda_month_actions", month),
            cache_as,
            lambda: (
                ActionItem.objects.open()
                .filter(scope, due_on=month, due_on_precision=Precision.MONTH)
                .order_by(*_description_order())[:UNDATED_SHOWN]
            ),
            ACTION_FIELDS[: -len(PARTNERSHIP)],
            order_by="f.c1, f.c0",
        )
        undated.add_undated(ACTIONS, _action_events(rows, labels), undated_actions)
    return AgendaPage(
        days=page,
        skipped=skip if page and page[0][0] == first else 0,
        next_day=next_day,
        next_skip=next_skip,
        undated=sorted(undated.undated, key=_agenda_order),
        undated_more=undated.undated_more,
    )


def _agreement_date_counts(
    first: dt.date, last: dt.date, scope: Q, *, cache_as: CacheAs = None
) -> dict[dt.date | None, int]:
    """The number of binding agreements coming into force or expiring on each day from
    ``first`` to ``last`` (one agreement may do both on a day: two), counted over
    ``agreement_binding_from`` and ``agreement_binding_until`` alone, no row read (issue
    16: ranked as the month grid ranks them, every date of the month was read, ~200
    rows at scale 4, to count them)."""

    def dated(field_name: str) -> QuerySet[Any]:
        return (
            Agreement.objects.filter(
                scope,
                status__in=Agreement.BINDING,
                **{f"{field_name}__gte": first, f"{field_name}__lte": last},
            )
            .order_by()
            .values_list(field_name)
            .annotate(n=Count("*"))
        )

    counts: dict[dt.date | None, int] = {}
    for day, n in _rows_of(
        ("agreement_date_counts", first, last),
        cache_as,
        lambda: dated("valid_from").union(dated("valid_until"), all=True).order_by(),
    ):
        counts[day] = counts.get(day, 0) + n
    return counts


def _add_counts(counts: dict[dt.date, int], more: dict[dt.date | None, int]) -> None:
    for day, n in more.items():
        if day is not None:
            counts[day] = counts.get(day, 0) + n


def _day_counts(  # noqa: PLR0913 (agenda_page's parts)
    first: dt.date,
    last: dt.date,
    wanted: set[str],
    partnerships: QuerySet[Partnership] | None,
    counts: dict[dt.date, int],
    *,
    programme: dict[dt.date, int],
    cache_as: CacheAs = None,
) -> int:
    """Add to ``counts`` the number of programme items, items due and agreements'
    anniversaries on each day from ``first`` to ``last``, counted in the database,
    grouped by day (to ``programme`` the programme items' alone); return the number of
    items due known to the month only. Each query compiled once (``_rows_of``)."""
    scope = Q(partnership__in=partnerships) if partnerships is not None else Q()
    undated_actions = 0

    def add(day: dt.date | None, n: int) -> None:
        if day is not None:
            counts[day] = counts.get(day, 0) + n

    if VISITS in wanted:
        for day, n in _rows_of(
            ("agenda_engagement_counts", first, last),
            cache_as,
            lambda: (
                _engagement_rows(first, last, partnerships)
                .values_list("date")
                .annotate(n=Count("pk"))
            ),
        ):
            add(day, n)
            programme[day] = programme.get(day, 0) + n
    if ACTIONS in wanted:
        for day, precision, n in _rows_of(
            ("agenda_action_counts", first, last),
            cache_as,
            lambda: (
                _action_rows(first, last, scope)
                .values_list("due_on", "due_on_precision")
                .annotate(n=Count("pk"))
            ),
        ):
            if precision == Precision.DAY:
                add(day, n)
            else:
                undated_actions += n
    if ANNIVERSARIES in wanted:
        for signed_month, signed_day, n in _rows_of(
            ("agenda_anniversary_counts", first, last),
            cache_as,
            lambda: (
                _agreement_anniversary_rows(first, last, partnerships)
                .filter(signed_on_precision=Precision.DAY)
                .annotate(
                    signed_month=ExtractMonth("signed_on"), signed_day=ExtractDay("signed_on")
                )
                .values_list("signed_month", "signed_day")
                .annotate(n=Count("pk"))
            ),
        ):
            add(_day_between(first, last, int(signed_month), int(signed_day)), n)
    return undated_actions


def _page_events(  # noqa: PLR0913 (agenda_page's parts)
    first: dt.date,
    end: dt.date,
    wanted: set[str],
    partnerships: QuerySet[Partnership] | None,
    labels: _Labels,
    *,
    days: bool,
    few: list[Event],
    cache_as: CacheAs = None,
    programme_limit: int | None = None,
) -> dict[dt.date, list[Event]]:
    """The visits, agreement dates, programme items and items due (to the day) from
    ``first`` to ``end`` (a page's days: none if it has none) and the partnerships'
    anniversaries among ``few``, by day; of the programme items after midnight only the
    first ``programme_limit`` (None: all; ``_agenda_engagement_rows``)."""
    scope = Q(partnership__in=partnerships) if partnerships is not None else Q()
    events = by_day(few, first, end)
    if not days:
        return events

    def add(more: dict[dt.date | None, list[Event]]) -> None:
        for day, day_events in more.items():
            if day is not None:
                events.setdefault(day, []).extend(day_events)

    if VISITS in wanted:
        add(
            _visit_events(
                visits_per_day(
                    first, end, scope, month=first, per_day=None, undated=0, cache_as=cache_as
                ),
                labels,
            )
        )
    if AGREEMENTS in wanted:
        add(
            _agreement_date_events(
                agreement_dates_per_day(first, end, scope, per_day=None, cache_as=cache_as),
                labels,
            )
        )
    many: list[Event] = []
    if VISITS in wanted:
        rows = _rows_of(
            ("agenda_engagements", first, end, programme_limit),
            cache_as,
            lambda: _agenda_engagement_rows(first, end, partnerships, programme_limit),
        )
        many += _engagement_events(rows, labels)
    if ACTIONS in wanted:
        actions = _rows_named(
            ("agenda_actions", first, end),
            cache_as,
            lambda: _action_rows(first, end, scope).filter(due_on_precision=Precision.DAY),
            ACTION_FIELDS[: -len(PARTNERSHIP)],
        )
        many += _action_events(actions, labels)
    for event in many:
        events.setdefault(event.start, []).append(event)
    return events


def _agenda_engagement_rows(
    first: dt.date,
    end: dt.date,
    partnerships: QuerySet[Partnership] | None,
    limit: int | None,
) -> QuerySet[Any]:
    """The timed programme items from ``first`` to ``end``: all of them, or (``limit``,
    on PostgreSQL) those at midnight and the first ``limit`` of the others in the
    agenda's order (``_agenda_order``: time, title, then the event's uid as text, texts
    in code-point order as Python compares them: collation "C", whatever the database's),
    read through ``engagement_timed_day`` (in order of day and time, each time's few
    sorted)."""
    rows = _engagement_rows(first, end, partnerships)
    if limit is None or connection.vendor != "postgresql":  # SQLite: no LIMIT in a UNION
        return rows.values_list(*ENGAGEMENT_FIELDS)
    midnight = dt.time(0)
    at_midnight = rows.filter(time=midnight).values_list(*ENGAGEMENT_FIELDS)
    if not limit:
        return at_midnight
    uid = Concat(Value("engagement-"), Cast("pk", models.TextField()))
    later = (
        rows.filter(time__gt=midnight)
        .order_by("date", "time", Collate("title", "C"), Collate(uid, "C"))
        .values_list(*ENGAGEMENT_FIELDS)[:limit]
    )
    return at_midnight.union(later, all=True).order_by()


def _day_between(first: dt.date, last: dt.date, month: int, day: int) -> dt.date | None:
    """The day from ``first`` to ``last`` that is ``day``/``month`` (28 February for a
    29th in a common year, as ``_anniversary``), if any."""
    for year in range(first.year, last.year + 1):
        try:
            date = dt.date(year, month, day)
        except ValueError:  # 29 February
            date = dt.date(year, month, 28)
        if first <= date <= last:
            return date
    return None


def _agenda_order(event: Event) -> tuple[dt.date, dt.time, str, str]:
    return (*event.sort_key, event.uid)


def _page_days(
    counts: dict[dt.date, int], first: dt.date, skip: int, limit: int
) -> tuple[list[dt.date], dt.date | None, int]:
    """The days of a page beginning with ``first`` (its first ``skip`` events shown
    already): whole days while they fit in ``limit`` events, at least one; and where
    the next page begins (a day and the events of it to skip), or None."""
    days: list[dt.date] = []
    shown = 0
    for day in sorted(d for d in counts if d >= first):
        left = counts[day] - (skip if day == first else 0)
        if left <= 0:
            continue
        if days and shown + left > limit:
            return days, day, 0
        days.append(day)
        shown += left
        if shown > limit:  # one day with more than a page: the rest on the next
            return days, day, (skip if day == first else 0) + limit
    return days, None, 0


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])
