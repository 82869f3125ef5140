"""Delegation visits, their programme, and the action items agreed.

What a briefing book reads from a visit (issue 13); every model below keeps its history
(django-simple-history) and is edited one row at a time on the visit page:

- ``Visit``: ``title``, ``purpose``, ``talking_points`` (free text kept from before),
  ``outcomes`` — each with an English version (``title_en``…; ``visit.text_in("en",
  "purpose")`` gives ``(value, fell_back)``); ``budget_line`` with ``budget_amount`` and
  ``budget_currency``; ``security_notes``/``health_notes`` (and ``_en``); ``date_note``
  is what the source said about the date ("Sáng 9/8 (bài báo không nêu năm)") and is
  only ever printed as a note, never parsed; ``time_difference()`` is the partner city's
  offset from the home city (hours) on the first day.
- ``VisitParticipant``: who is in the delegation or met, ``role`` (head, deputy, member,
  adviser, interpreter, protocol, press, security; host, counterpart, guest), ``phone``,
  ``position_title`` (the office held then).
- ``Engagement`` (a timed programme item): ``date``, ``time``–``end_time`` in the local time of
  the place, ``date_note``, ``place`` (venue), ``dress`` (``Engagement.Dress``),
  ``accompanied_by`` (our people who go), ``counterparts`` (people met), ``title``/``summary``
  with English versions.
- ``TravelSegment``: flight/train/road, ``carrier`` + ``number``, ``from_place`` →
  ``to_place``, departure and arrival date and time (local at each end), ``seats``.
- ``Accommodation``: hotel, address, phone, check-in/out.
- ``LocalContact``: embassy, the counterpart's protocol office, interpreter, liaison…
  with name, organisation, phone and e-mail.
- ``Gift``: given or received, to/from whom; ``Gift.objects.same_gift_given(...)`` (the
  register across visits) and ``gift.given_before()`` warn when the same gift already went
  to the same person.
- ``BriefPoint``: objectives, key messages, defensive questions with their answers,
  the press line (``kind``), ordered, with English versions.
- ``VisitDocument``: speeches, toasts and other papers attached (files under
  ``MEDIA_ROOT/private/visits/``, served only through ``delegations:visit_document``).
- ``VisitSource``: the articles and pages the record rests on (publisher, title, date,
  and the link when there is one).

``is_sample`` on the logistics rows marks demo data no article gives (printed as a sample).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Self, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Case, Exists, F, Func, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements.models import Agreement
from common.account_names import AccountName
from common.indexes import OrderIndex
from common.list_subquery import ListSubquery
from common.models import (
    EndKind,
    EnglishVersions,
    Record,
    Versioned,
    end_kind_constraint,
    end_kind_field,
)
from common.partialdate import PartialDate, Precision, partial_date_constraint, period_covers
from common.text import clean_spaces, fold
from common.text_match import Fold
from partnerships.models import FieldOfCooperation, Organisation, Partnership, Person

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise


class DaysBetween(Func):
    """The days from the second date to the first (PostgreSQL's ``date - date``): a
    visit's length in ``visit_longest``."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = models.IntegerField()


class VisitQuerySet(models.QuerySet["Visit"]):
    def upcoming(self, *, on: dt.date | None = None) -> Self:
        on = on or timezone.localdate()
        return self.filter(
            Q(end_date__gte=on) | Q(end_date__isnull=True, start_date__gte=on),
            status__in=[Visit.Status.PLANNED, Visit.Status.CONFIRMED],
        ).order_by("start_date")

    def past(self, *, on: dt.date | None = None) -> Self:
        on = on or timezone.localdate()
        return self.filter(Q(end_date__lt=on) | Q(end_date__isnull=True, start_date__lt=on))

    def incoming(self) -> Self:
        return self.filter(direction=Visit.Direction.INCOMING)

    def outgoing(self) -> Self:
        return self.filter(direction=Visit.Direction.OUTGOING)

    def with_rows_present(self, relations: Iterable[str]) -> Self:
        """Each visit with ``has_<relation>`` for each list of its rows named
        (``participants``, ``engagements``…): whether it has any, an EXISTS in the visits'
        own query, so that a page asks only for the lists that have rows (issue 16).

        The EXISTS are written out (``_rows_exist_sql``): compiling the ORM's ``Exists``
        cost ~0.3 ms of CPU each, more than PostgreSQL spends on all of them. They name
        the visits' table, so this is for a query of visits, not for a subquery.
        """
        return self.annotate(
            **{
                f"has_{name}": RawSQL(_rows_exist_sql(name), (), output_field=models.BooleanField())  # noqa: S611 (SQL made of the models' own table and column names)
                for name in relations
            }
        )

    def balance(self) -> dict[str, int]:
        """How many of these visits (a partnership's: ``partnership.visits.balance()``) went
        each way, cancelled ones not counted, in one query."""
        return visit_balance(
            self.exclude(status="cancelled")
            .order_by()
            .values_list("direction")
            .annotate(n=models.Count("pk"))
        )


def visit_balance(counts: Iterable[tuple[str, int]]) -> dict[str, int]:
    """The balance of visits from ``(direction, count)`` pairs (a direction may come more
    than once: its counts add up), with each way's share of the bar rounded to 5%."""
    totals: dict[str, int] = {}
    for direction, n in counts:
        totals[direction] = totals.get(direction, 0) + n
    incoming, outgoing = totals.get("incoming", 0), totals.get("outgoing", 0)
    both = incoming + outgoing
    return {
        "incoming": incoming,
        "outgoing": outgoing,
        "online": totals.get("online", 0),
        "incoming_share": round(incoming * 20 / both) * 5 if both else 0,
        "outgoing_share": 100 - round(incoming * 20 / both) * 5 if both else 0,
    }


@functools.cache
def _rows_exist_sql(relation: str) -> str:
    """``EXISTS (…)``: the visit of the outer query has rows in ``Visit.<relation>``
    (children, or links of a many-to-many)."""
    field = Visit._meta.get_field(relation)
    if isinstance(field, models.ManyToManyField):
        through = cast("type[models.Model]", field.remote_field.through)
        table = through._meta.db_table
        link = cast("models.Field[Any, Any]", through._meta.get_field(field.m2m_field_name()))
        column = link.column
    elif isinstance(field, models.ManyToOneRel):
        table, column = field.related_model._meta.db_table, field.field.column
    else:
        raise TypeError(f"{relation!r} is not a list of rows of a visit")
    quote = connection.ops.quote_name
    rows = f"{quote(table)}.{quote(str(column))}"
    visit = f"{quote(Visit._meta.db_table)}.{quote('id')}"
    return f"EXISTS (SELECT 1 FROM {quote(table)} WHERE {rows} = {visit})"  # noqa: S608 (the models' own table and column names, quoted)


# The longest a visit may last from its first day to its last: a year, leap day included.
# A longer one is a typo in the end date (2205 for 2025); the calendar would also read
# every day's visits back as far as the longest (``visit_longest``).
LONGEST_VISIT = dt.timedelta(days=366)


def default_as_of(start_date: dt.date | None, today: dt.date | None = None) -> dt.date:
    """The day a visit's brief is printed as of, unless asked otherwise: today for a visit
    still to come (or of unknown date), its first day for a past one."""
    today = today or timezone.localdate()
    if start_date is None or start_date >= today:
        return today
    return start_date


class Visit(EnglishVersions, Record):
    """A delegation visit: incoming, outgoing, or an online meeting."""

    class Direction(models.TextChoices):
        INCOMING = "incoming", _("incoming")
        OUTGOING = "outgoing", _("outgoing")
        ONLINE = "online", _("online meeting")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        CONFIRMED = "confirmed", _("confirmed")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="visits", verbose_name=_("partnership")
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    purpose_en = models.TextField(_("purpose (English)"), blank=True)
    start_date = models.DateField(
        _("start date"),
        null=True,
        blank=True,
        help_text=_("Leave empty when the year is not known."),
    )
    start_date_precision = models.CharField(
        _("start date: precision"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_date_kind = end_kind_field(
        _("one day: it ends the day it starts"),
        _("When the end date is empty: a one-day visit, or an end date not recorded."),
    )
    date_note = models.CharField(
        _("date as reported"),
        max_length=120,
        blank=True,
        help_text=_(
            "What the source says when the full date is not known, e.g. “17/11, year not given”."
        ),
    )
    place = models.CharField(_("place"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    classification = models.CharField(
        _("classification"), max_length=100, blank=True, default="Lưu hành nội bộ"
    )
    outcomes = models.TextField(_("outcomes"), blank=True)
    outcomes_en = models.TextField(_("outcomes (English)"), blank=True)
    talking_points = models.TextField(_("talking points"), blank=True)
    talking_points_en = models.TextField(_("talking points (English)"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    budget_line = models.CharField(
        _("budget line"),
        max_length=255,
        blank=True,
        help_text=_("Which budget pays for the visit, e.g. “Kinh phí đối ngoại 2025 của TP”."),
    )
    budget_amount = models.DecimalField(
        _("budget amount"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    budget_currency = models.CharField(_("currency"), max_length=3, blank=True, default="VND")
    security_notes = models.TextField(_("security notes"), blank=True)
    security_notes_en = models.TextField(_("security notes (English)"), blank=True)
    health_notes = models.TextField(_("health notes"), blank=True)
    health_notes_en = models.TextField(_("health notes (English)"), blank=True)
    agreements_signed = models.ManyToManyField(
        Agreement,
        blank=True,
        related_name="signed_during_visits",
        verbose_name=_("agreements signed during the visit"),
    )
    source_url = models.URLField(_("source"), blank=True, max_length=500)

    history = HistoricalRecords(m2m_fields=[agreements_signed])
    objects = VisitQuerySet.as_manager()

    # Set only on the instances a spreadsheet import fills (delegations/resources.py).
    _import_agreements: list[Agreement]

    class Meta:
        ordering = [models.F("start_date").desc(nulls_last=True), "title"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=False, end_date__gte=models.F("start_date")),
                name="visit_end_not_before_start",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="visit_title_not_empty"),
            end_kind_constraint("end_date", "end_date_kind", "visit"),
            models.CheckConstraint(
                condition=Q(budget_amount__isnull=True) | Q(budget_amount__gte=0),
                name="visit_budget_not_negative",
            ),
            partial_date_constraint("start_date", "visit"),
            # At most LONGEST_VISIT from the last day the start may stand for: "05/2025"
            # may have begun on 31/05 (any month taken as 31 days), "2025" on 31/12.
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(
                    start_date_precision=Precision.DAY,
                    end_date__lte=F("start_date") + LONGEST_VISIT,
                )
                | Q(
                    start_date_precision=Precision.MONTH,
                    end_date__lte=F("start_date") + (LONGEST_VISIT + dt.timedelta(days=30)),
                )
                | Q(
                    start_date_precision=Precision.YEAR,
                    end_date__lte=F("start_date") + (LONGEST_VISIT + dt.timedelta(days=365)),
                ),
                name="visit_lasts_at_most_a_year",
            ),
        ]
        # The visit list's default order, newest first (issue 6: scale).
        indexes = [
            OrderIndex(
                models.F("start_date").desc(nulls_last=True),
                models.F("id").desc(),
                name="visit_start_order",
            ),
            models.Index(fields=["start_date", "id"], name="visit_start_asc"),
            # The list sorted by title, both ways (issue 16: the visits list's htmx page
            # sorted by title sorted every completed visit, ~18,000, to show 25).
            models.Index(fields=["title", "id"], name="visit_title_asc"),
            OrderIndex(
                models.F("title").desc(nulls_last=True),
                models.F("id").desc(),
                name="visit_title_order",
            ),
            # A partnership's latest visit (partners list, dashboard's dormant section).
            models.Index(fields=["partnership", "start_date"], name="visit_partnership_start"),
            # The visits list filtered by direction (and home city): counted from the index
            # alone, not by reading every visit's row (issue 16: scale 1, 0.9 -> 0.35 ms).
            models.Index(fields=["direction", "partnership"], name="visit_direction_partnership"),
            # The same for the visits held or planned, not cancelled (what "last visit" and
            # "dormant" count): read from the index alone. At scale 4 the planner probed
            # each partnership through the partnership-only index and filtered its visits'
            # rows for the dates and status (dormant section: 16,725 buffers, now 7,624).
            models.Index(
                fields=["partnership", "start_date"],
                condition=~Q(status="cancelled"),
                name="visit_partnership_held",
            ),
            # Upcoming visits (dashboard): the planned and confirmed ones are a few hundred
            # of tens of thousands. With the end date in the index the dashboard reads the
            # first ids in date order from the index alone and stops (issue 16), where
            # it fetched every upcoming visit's row to sort them.
            models.Index(
                fields=["start_date", "id"],
                include=["end_date"],
                condition=Q(status__in=["planned", "confirmed"]),
                name="visit_upcoming",
            ),
            # The calendar's month (issue 15): visits that end (or, without an end, start)
            # on or after its first day and start before its last, read in the index.
            models.Index(
                Coalesce("end_date", "start_date"), F("start_date"), name="visit_until_start"
            ),
            # The calendar's month grid (issue 16): each day's first visits read in the
            # order shown (known to the day, or the month's known to the month only), and
            # counted from the index alone; the visits covering a day are those started at
            # most the longest visit's length before it (``visit_longest``: its first entry
            # read backwards) that end on or after it.
            models.Index(
                F("start_date_precision"),
                F("start_date"),
                F("title"),
                F("id"),
                Coalesce("end_date", "start_date"),
                F("end_date"),
                F("partnership"),
                condition=~Q(status="cancelled"),
                name="visit_day_first",
            ),
            models.Index(
                DaysBetween(Coalesce("end_date", "start_date"), F("start_date")),
                condition=Q(start_date_precision="day") & ~Q(status="cancelled"),
                name="visit_longest",
            ),
            # The calendar leaves out the programme of cancelled visits (issue 16): an
            # anti-join over these few ids, not a join of the month's programme items
            # with every visit of the record.
            models.Index(
                fields=["id"],
                condition=Q(status="cancelled"),
                name="visit_cancelled",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("delegations:visit_detail", args=[self.pk])

    def clean(self) -> None:
        if self.end_date and not self.start_date:
            raise ValidationError({"start_date": _("A visit with an end date needs a start date.")})
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The visit cannot end before it starts.")})
        # From the last day a partial start stands for: the shortest it could be.
        lasts = self.end_date - self.start.last_day() if self.end_date and self.start else None
        if lasts is not None and lasts > LONGEST_VISIT:
            days = lasts.days + 1
            message = _(
                "The visit would last %(days)s days: a visit lasts at most a year. "
                "Check the end date."
            )
            raise ValidationError(
                {"end_date": ValidationError(message, code="too_long", params={"days": days})}
            )

    @property
    def start(self) -> PartialDate | None:
        return PartialDate.of(self.start_date, self.start_date_precision)

    @property
    def end_not_recorded(self) -> bool:
        """No end date stored because none was recorded (not because it lasted one day)."""
        return self.end_date is None and self.end_date_kind == EndKind.NOT_RECORDED

    def dates_label(self) -> str:
        """ "11/05/2025 – 13/05/2025", "05/2025", "11/05/2025 – ?" (end not recorded), or
        what the source said."""
        if self.start is None:
            return self.date_note
        if self.end_date and self.end_date != self.start_date:
            return f"{self.start} – {self.end_date:%d/%m/%Y}"
        if self.end_not_recorded:
            return f"{self.start} – ?"
        return str(self.start)

    def time_difference(self) -> float | None:
        """Hours the partner city is ahead of the home city (negative: behind) on the first
        day of the visit (today when undated); None when a time zone is not recorded."""
        day = self.start_date or timezone.localdate()
        partner = self.partnership.partner_city.utc_offset_on(day)
        home = self.partnership.home_city.utc_offset_on(day)
        if partner is None or home is None:
            return None
        return (partner - home).total_seconds() / 3600

    @property
    def head(self) -> VisitParticipant | None:
        for participant in self.participants.all():
            if participant.role == VisitParticipant.Role.HEAD:
                return participant
        return None


class VisitParticipant(Versioned):
    """Someone in the delegation, or a counterpart met, with the office they held then."""

    class Side(models.TextChoices):
        DELEGATION = "delegation", _("delegation")
        COUNTERPART = "counterpart", _("host / counterpart")

    class Role(models.TextChoices):
        HEAD = "head", _("head of delegation")
        DEPUTY = "deputy", _("deputy head")
        MEMBER = "member", _("member")
        ADVISER = "adviser", _("adviser / expert")
        INTERPRETER = "interpreter", _("interpreter")
        PROTOCOL = "protocol", _("protocol officer")
        PRESS = "press", _("press officer")
        SECURITY = "security", _("security officer")
        HOST = "host", _("host")
        COUNTERPART = "counterpart", _("counterpart")
        GUEST = "guest", _("guest of honour")

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="participants", verbose_name=_("visit")
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="visit_participations",
        verbose_name=_("person"),
    )
    side = models.CharField(_("side"), max_length=12, choices=Side.choices, default=Side.DELEGATION)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    position_title = models.CharField(_("position held then"), max_length=255, blank=True)
    phone = models.CharField(_("phone during the visit"), max_length=50, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["visit", "side", "order", "id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["visit", "person"], name="participant_once_per_visit"),
            models.UniqueConstraint(
                fields=["visit"], condition=Q(role="head"), name="visit_has_one_head"
            ),
            models.CheckConstraint(
                condition=~Q(side="counterpart", role__in=["head", "deputy", "member"]),
                name="participant_role_fits_side",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()}"


class Engagement(EnglishVersions, Versioned):
    """One item of a visit's programme: talks, a courtesy call, a signing, a culture day…

    Times are local times of the place where it happens.
    """

    class Dress(models.TextChoices):
        BUSINESS = "business", _("business suit")
        FORMAL = "formal", _("formal / dark suit")
        NATIONAL = "national", _("national dress or formal")
        SMART_CASUAL = "smart_casual", _("smart casual")
        CASUAL = "casual", _("casual")
        UNIFORM = "uniform", _("uniform")

    class Kind(models.TextChoices):
        TALKS = "talks", _("talks")
        COURTESY_CALL = "courtesy_call", _("courtesy call")
        SIGNING = "signing", _("signing ceremony")
        CULTURAL_EVENT = "cultural_event", _("cultural event")
        FORUM = "forum", _("forum or conference")
        SITE_VISIT = "site_visit", _("site visit")
        ONLINE_TALKS = "online_talks", _("online talks")
        CEREMONY = "ceremony", _("ceremony")
        OTHER = "other", _("other")

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="engagements", verbose_name=_("visit")
    )
    date = models.DateField(_("date"), null=True, blank=True)
    date_note = models.CharField(
        _("date as reported"),
        max_length=120,
        blank=True,
        help_text=_("What the source says when the date is not known, e.g. “morning of 9/8”."),
    )
    time = models.TimeField(_("starts (local time)"), null=True, blank=True)
    end_time = models.TimeField(_("ends (local time)"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TALKS)
    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    place = models.CharField(_("venue"), max_length=255, blank=True)
    dress = models.CharField(_("dress"), max_length=20, choices=Dress.choices, blank=True)
    accompanied_by = models.ManyToManyField(
        Person,
        blank=True,
        related_name="accompanied_engagements",
        verbose_name=_("accompanied by"),
    )
    counterparts = models.ManyToManyField(
        Person, blank=True, related_name="engagements", verbose_name=_("counterparts")
    )
    summary = models.TextField(_("summary"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)

    history = HistoricalRecords(m2m_fields=[counterparts, accompanied_by])

    class Meta:
        ordering = [
            "visit",
            models.F("date").asc(nulls_last=True),
            models.F("time").asc(nulls_first=True),
            "id",
        ]
        verbose_name = _("engagement")
        verbose_name_plural = _("programme")
        # The calendar's month (issue 15): the timed programme items of a few weeks
        # among 120,000 at scale 1.
        indexes = [
            models.Index(
                fields=["date"], condition=Q(time__isnull=False), name="engagement_timed_date"
            ),
            # The month grid's first items of each day in its order, and each day's count
            # from the index alone (the visit for leaving out the cancelled ones): issue 16,
            # the month read and sorted every item of its six weeks (2,500 at scale 4).
            models.Index(
                fields=["date", "time", "title", "id"],
                include=["visit"],
                condition=Q(time__isnull=False),
                name="engagement_timed_day",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="engagement_title_not_empty"),
            models.CheckConstraint(
                condition=Q(end_time__isnull=True)
                | Q(time__isnull=False, end_time__gte=models.F("time")),
                name="engagement_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.end_time and not self.time:
            raise ValidationError({"time": _("An item with an end time needs a start time.")})
        if self.end_time and self.time and self.end_time < self.time:
            raise ValidationError({"end_time": _("The item cannot end before it starts.")})

    def times_label(self) -> str:
        """ "09:00–10:30", "09:00" or ""."""
        if self.time and self.end_time:
            return f"{self.time:%H:%M}–{self.end_time:%H:%M}"
        return f"{self.time:%H:%M}" if self.time else ""


# The records an action item's row on the list and its card on "my work" name.
LIST_RELATED = (
    "partnership__home_city",
    "partnership__partner_city",
    "owner_organisation",
    "owner_person",
    "visit",
    "agreement",
)
# The item's own columns its row shows (``ActionItemQuerySet.for_list``)...
LIST_COLUMNS = (
    "version",
    "updated_at",  # the inline status form's stamp
    "description",
    "due_on",
    "due_on_precision",
    "status",
    "priority",
)
# ... and the names it shows of the records in LIST_RELATED, read as text with the row
# (``ActionItemQuerySet.with_list_names``): None when the item has no such record.
LIST_NAMES = {
    "home_city_name": "partnership__home_city__name",
    "partner_city_name": "partnership__partner_city__name",
    "owner_organisation_name": "owner_organisation__name",
    "owner_person_name": "owner_person__full_name",
    "visit_title": "visit__title",
    "agreement_reference": "agreement__reference",
}


# How many of a description's first characters the calendar's index of items due holds
# (``actionitem_open_day_text_c``, migration 0021): within a byte-sized index entry whatever the text.
DESCRIPTION_KEY = 64


class ActionItemQuerySet(models.QuerySet["ActionItem"]):
    def for_list(self) -> Self:
        """The items as the list's rows show them (delegations/templatetags/actionitem_rows.py),
        with only the columns they show: reading every column (about a hundred a row
        when joined) cost more than the rows' HTML (issue 16). What the rows name of
        other records is added when the page's rows are read: ``with_list_names``."""
        return self.only(*LIST_COLUMNS)

    def with_list_names(self) -> Self:
        """The names a list row shows (``LIST_NAMES``) and its assignees' names, read with
        the row, joined to the seven tables they are in: as text, not as a model instance
        of each record (six a row; 1.5-2 ms a page of 25, issue 16). Added to the page's
        rows only: the joins would slow the count of the rows (their annotations' joins
        stay in its statement) for nothing."""
        names = {name: F(path) for name, path in LIST_NAMES.items()}
        return self.annotate(**names).with_assignee_names()

    def with_assignee_names(self) -> Self:
        """Each item's assignees' names read in the same statement, as a list in the order
        they were assigned (``ActionItem.assigned_names``), not by a second query making a
        model instance per account (issue 16). Named by the database as Django names
        them (``common.account_names``): one subquery, not one for each part of a name.
        Added when the rows are read, not before: a list served from its cached HTML
        never builds the subquery."""
        assigned = self.model.assignees.through.objects.filter(actionitem=OuterRef("pk"))
        # named "part" in the subquery: SQLite's json_group_array reads it by name
        names = assigned.order_by("pk").annotate(part=AccountName("user__")).values("part")  # type: ignore[misc]  # django-stubs misses the annotation
        return self.annotate(assignee_names=ListSubquery(names))

    def open(self) -> Self:
        return self.filter(status__in=ActionItem.OPEN)

    def assigned_to(self, user: User) -> Self:
        return self.filter(assignees=user)

    def my_work(self, user: User, *, on: dt.date | None = None) -> Self:
        """``user``'s open items: overdue first, then by due date (the soonest first),
        undated last; higher priority first on the same day."""
        on = on or timezone.localdate()
        # The same rule as ``overdue()``, as a column to sort on.
        late = Q(due_on__lt=on) & ~period_covers("due_on", on, after=True)
        return (
            self.assigned_to(user)
            .open()
            .annotate(is_late=models.Case(models.When(late, then=True), default=False))
            .order_by(
                models.F("is_late").desc(),
                models.F("due_on").asc(nulls_last=True),
                "-priority",
                "pk",
            )
        )

    def overdue(self, *, on: dt.date | None = None) -> Self:
        """Open, and the whole of the due period is behind us (due "09/2025" is overdue from October)."""
        on = on or timezone.localdate()
        # ``due_on < on`` follows from the rest; it lets the index bound the scan (issue 6).
        return (
            self.open()
            .filter(due_on__isnull=False, due_on__lt=on)
            .exclude(period_covers("due_on", on, after=True))
        )

    def agreed_by(self, on: dt.date) -> Self:
        """The items already agreed on ``on`` (a brief printed "as of" that day shows no later one).

        An item is as old as the visit it was agreed at (its first day); one agreed in an
        agreement alone, or at a visit of unknown date, as old as the agreement's
        signature. With neither date known it cannot be placed, and is kept.
        """
        at_a_dated_visit = Q(visit__start_date__lte=on)
        undated = Q(visit__start_date__isnull=True) & (
            Q(agreement__signed_on__isnull=True) | Q(agreement__signed_on__lte=on)
        )
        return self.filter(at_a_dated_visit | undated)

    def with_status_on(self, on: dt.date) -> Self:
        """Annotate ``status_on``: the status the item had on ``on``.

        The status after the last progress update made by then; with none, "agreed" if
        updates were made later (the status before them is not kept), else the status.
        """
        updates = ProgressUpdate.objects.filter(action_item=OuterRef("pk"))
        then = updates.filter(date__lte=on).exclude(status_after="").order_by("-date", "-id")
        return self.annotate(
            status_on=Coalesce(
                Subquery(then.values("status_after")[:1]),
                Case(
                    When(Exists(updates.filter(date__gt=on)), then=Value(ActionItem.Status.AGREED)),
                    default=F("status"),
                ),
                output_field=models.CharField(),
            )
        )

    def open_on(self, on: dt.date) -> Self:
        """Agreed by ``on`` and still open on that day (``status_on`` annotated)."""
        return self.agreed_by(on).with_status_on(on).filter(status_on__in=ActionItem.OPEN)

    def due_within(self, *, days: int, on: dt.date | None = None) -> Self:
        on = on or timezone.localdate()
        # ``due_on >= 1 January`` follows from the rest; it bounds the index scan (issue 6).
        return self.open().filter(
            period_covers("due_on", on, after=True),
            due_on__gte=on.replace(month=1, day=1),
            due_on__lte=on + dt.timedelta(days=days),
        )


class ActionItem(Record):
    """Something agreed at a visit or in an agreement, with an owner and a due date."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        AGREED = "agreed", _("agreed")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        DROPPED = "dropped", _("dropped")

    class Priority(models.IntegerChoices):
        LOW = 1, _("low")
        NORMAL = 2, _("normal")
        HIGH = 3, _("high")

    OPEN = (Status.PROPOSED, Status.AGREED, Status.IN_PROGRESS)

    description = models.TextField(_("description"))
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        related_name="action_items",
        verbose_name=_("partnership"),
    )
    visit = models.ForeignKey(
        Visit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("agreed at visit"),
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("agreed in agreement"),
    )
    field = models.ForeignKey(
        FieldOfCooperation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("field of cooperation"),
    )
    owner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_action_items",
        verbose_name=_("owner organisation"),
    )
    owner_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_action_items",
        verbose_name=_("owner person"),
    )
    counterpart = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="counterpart_action_items",
        verbose_name=_("counterpart"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    due_on_precision = models.CharField(
        _("due: precision"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.AGREED
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assigned_action_items",
        verbose_name=_("assigned to"),
        help_text=_("Staff accounts who work on this item (besides the owner)."),
    )

    history = HistoricalRecords(m2m_fields=[assignees])
    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = [models.F("due_on").asc(nulls_last=True), "-priority", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        constraints = [
            models.CheckConstraint(
                condition=Q(visit__isnull=False) | Q(agreement__isnull=False),
                name="actionitem_has_a_source",
            ),
            models.CheckConstraint(
                condition=Q(priority__in=[1, 2, 3]), name="actionitem_priority_known"
            ),
            models.CheckConstraint(
                condition=~Q(description=""), name="actionitem_description_not_empty"
            ),
            partial_date_constraint("due_on", "actionitem"),
        ]
        indexes = [
            models.Index(fields=["partnership", "status"], name="actionitem_partnership_status"),
            # The list's default order, and the open ones by due date (dashboard, filters).
            models.Index(fields=["due_on", "id"], name="actionitem_due_order"),
            models.Index(
                # In the list's order (``Meta.ordering``): the first ids of the items due
                # soon are read in order and the scan stops after them (issue 16: with the
                # priority only included, the year's items known to the year alone, all
                # on 1 January, were read and sorted for ten: 689 at scale 4, more at each
                # scale). With the precision in the index, counting the overdue ones
                # (dashboard) reads the index alone, not 26,000 rows of the table.
                fields=["due_on", "-priority", "id"],
                include=["due_on_precision"],
                condition=Q(status__in=["proposed", "agreed", "in_progress"]),
                name="actionitem_open_due",
            ),
            # The calendar's items due of each day, the first few by description (issue
            # 16) are read through ``actionitem_open_day_text_c`` (due day, a
            # description's first characters in collation "C", id; PostgreSQL only:
            # migration 0021), in the code-point order Python sorts them in.
            # The calendar's count of items due each day (month grid and agenda), read
            # from the index alone and already grouped, without the items known to the
            # year only: they are due on its 1 January, so a grid spanning New Year read
            # and threw away all of them (issue 16: 1,789 entries at scale 4).
            models.Index(
                fields=["due_on", "due_on_precision"],
                include=["id"],
                condition=Q(status__in=["proposed", "agreed", "in_progress"])
                & ~Q(due_on_precision="year"),
                name="actionitem_open_dated",
            ),
            # A partnership's open items, due first (the partnership page).
            models.Index(
                fields=["partnership", "due_on", "id"],
                condition=Q(status__in=["proposed", "agreed", "in_progress"]),
                name="actionitem_pship_open_due",
            ),
            OrderIndex(
                models.F("priority").desc(nulls_last=True),
                models.F("id").desc(),
                name="actionitem_priority_order",
            ),
            # A partnership's items, latest due first (the list filtered by partnership):
            # without it the biggest partnership's 11,000 items were sorted for a page
            # of 25, and more of them at each scale (issue 16: flat growth).
            OrderIndex(
                models.F("partnership"),
                models.F("due_on").desc(nulls_last=True),
                models.F("id").desc(),
                name="actionitem_pship_due_desc",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    def get_absolute_url(self) -> str:
        return reverse("delegations:actionitem_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if not self.visit_id and not self.agreement_id:
            errors["visit"] = _("Say where this was agreed: a visit, an agreement, or both.")
        if (
            self.visit_id
            and self.partnership_id
            and self.visit is not None
            and self.visit.partnership_id != self.partnership_id
        ):
            errors["visit"] = _("The visit belongs to another partnership.")
        if (
            self.agreement_id
            and self.partnership_id
            and self.agreement is not None
            and self.agreement.partnership_id != self.partnership_id
        ):
            errors["agreement"] = _("The agreement belongs to another partnership.")
        if errors:
            raise ValidationError(errors)

    @property
    def due(self) -> PartialDate | None:
        return PartialDate.of(self.due_on, self.due_on_precision)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def assigned_names(self) -> list[str]:
        """The staff the item is assigned to, in the order they were assigned (their links'
        ids: ``assignees.all()`` has no order of its own), named as ``User.get_full_name()
        or get_username()``: the list ``with_assignee_names`` reads with the row, else
        read here (one query)."""
        read: list[str] | None = self.__dict__.get("assignee_names")
        if read is not None:
            return read
        links = self.assignees.through.objects.filter(actionitem=self).select_related("user")
        return [
            link.user.get_full_name() or link.user.get_username() for link in links.order_by("pk")
        ]

    def is_overdue(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.is_open and self.due is not None and self.due.last_day() < on

    def add_progress(
        self,
        *,
        note: str,
        author: User | None = None,
        status_after: str = "",
        date: dt.date | None = None,
    ) -> ProgressUpdate:
        """Record a dated progress note by ``author`` (and the status it left the item in)."""
        update = ProgressUpdate(
            action_item=self,
            note=note,
            author=author,
            status_after=status_after,
            date=date or timezone.localdate(),
        )
        update.full_clean()
        update.save()
        return update


class ProgressUpdate(models.Model):
    """A dated note on how far an action item is, and by whom."""

    action_item = models.ForeignKey(
        ActionItem, on_delete=models.CASCADE, related_name="updates", verbose_name=_("action item")
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_updates",
        verbose_name=_("author"),
    )
    note = models.TextField(_("note"))
    status_after = models.CharField(
        _("status after"), max_length=12, choices=ActionItem.Status.choices, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["action_item", "-date", "-id"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        # The day each item was done, for the statistics (issue 15): the notes that
        # marked an item done are a fraction of all notes.
        indexes = [
            models.Index(
                fields=["action_item", "date"],
                condition=Q(status_after="done"),
                name="progressupdate_done",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="progressupdate_note_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y}: {self.note[:60]}"


# --- Logistics and protocol of a visit (issue 13 points 2, 3, 6) ---------------------


def of_visit(related_name: str) -> models.ForeignKey[Visit, Visit]:
    """The visit a row belongs to (``VisitPart``), deleted with it; ``related_name``
    is how the visit reaches its rows of that kind (``visit.gifts``)."""
    return models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name=related_name, verbose_name=_("visit")
    )


class VisitPart(Versioned):
    """A row that belongs to one visit and is edited alone on the visit page (with its
    own version: two people editing the same row are told, as for whole records)."""

    is_sample = models.BooleanField(
        _("sample"),
        default=False,
        help_text=_("Made-up example data (demo), printed as a sample."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True


class TravelSegment(VisitPart):
    """One leg of the journey: VN 65 Hà Nội → Moskva, then a train to Minsk."""

    class Mode(models.TextChoices):
        FLIGHT = "flight", _("flight")
        TRAIN = "train", _("train")
        ROAD = "road", _("road")
        OTHER = "other", _("other")

    visit = of_visit("travel_segments")
    mode = models.CharField(_("by"), max_length=10, choices=Mode.choices, default=Mode.FLIGHT)
    carrier = models.CharField(_("carrier"), max_length=120, blank=True)
    number = models.CharField(_("flight or train number"), max_length=30, blank=True)
    from_place = models.CharField(_("from"), max_length=200)
    to_place = models.CharField(_("to"), max_length=200)
    departure_date = models.DateField(_("departure date"), null=True, blank=True)
    departure_time = models.TimeField(_("departs (local time)"), null=True, blank=True)
    arrival_date = models.DateField(_("arrival date"), null=True, blank=True)
    arrival_time = models.TimeField(_("arrives (local time)"), null=True, blank=True)
    seats = models.CharField(
        _("seats"), max_length=255, blank=True, help_text=_("Class and seat numbers.")
    )
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = [
            "visit",
            models.F("departure_date").asc(nulls_last=True),
            models.F("departure_time").asc(nulls_last=True),
            "order",
            "id",
        ]
        verbose_name = _("travel segment")
        verbose_name_plural = _("travel")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_place="") & ~Q(to_place=""),
                name="travelsegment_has_both_ends",
            ),
            models.CheckConstraint(
                condition=Q(arrival_date__isnull=True)
                | Q(departure_date__isnull=True)
                | Q(arrival_date__gte=models.F("departure_date") - dt.timedelta(days=1)),
                # Local times: crossing the date line eastwards can land "the day before".
                name="travelsegment_arrives_after_leaving",
            ),
        ]

    def __str__(self) -> str:
        service = " ".join(part for part in (self.carrier, self.number) if part)
        return f"{service} {self.from_place} → {self.to_place}".strip()


class Accommodation(VisitPart):
    """Where the delegation stays."""

    visit = of_visit("accommodations")
    name = models.CharField(_("hotel or residence"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    check_in = models.DateField(_("check-in"), null=True, blank=True)
    check_out = models.DateField(_("check-out"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["visit", models.F("check_in").asc(nulls_last=True), "order", "id"]
        verbose_name = _("accommodation")
        verbose_name_plural = _("accommodation")
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="accommodation_name_not_empty"),
            models.CheckConstraint(
                condition=Q(check_in__isnull=True)
                | Q(check_out__isnull=True)
                | Q(check_out__gte=models.F("check_in")),
                name="accommodation_out_after_in",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LocalContact(VisitPart):
    """Someone to call on the spot: our embassy, the hosts' protocol office, the interpreter."""

    class Kind(models.TextChoices):
        EMBASSY = "embassy", _("embassy or consulate")
        PROTOCOL_OFFICE = "protocol_office", _("counterpart's protocol office")
        INTERPRETER = "interpreter", _("interpreter")
        LIAISON = "liaison", _("liaison officer")
        DRIVER = "driver", _("driver / transport")
        MEDICAL = "medical", _("medical")
        SECURITY = "security", _("security")
        OTHER = "other", _("other")

    visit = of_visit("local_contacts")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["visit", "order", "kind", "id"]
        verbose_name = _("local contact")
        verbose_name_plural = _("local contacts")
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="localcontact_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class GiftQuerySet(models.QuerySet["Gift"]):
    def same_gift_given(self, *, person_id: int, description: str) -> Self:
        """Gifts with this description (case and accents ignored) already given to the person."""
        return (
            self.filter(direction=Gift.Direction.GIVEN, person_id=person_id)
            .annotate(_same=Fold(F("description")))
            .filter(_same=Fold(Value(clean_spaces(description))))
            .select_related("visit")
        )

    def with_earlier_repeats(self, gifts: Iterable[Gift]) -> list[Gift]:
        """``gifts`` with ``earlier_gifts`` filled: the same gift already given to the same
        person at another visit, for all of them in one query."""
        gifts = list(gifts)
        people = {g.person_id for g in gifts if g.direction == Gift.Direction.GIVEN and g.person_id}
        earlier: dict[tuple[int, str], list[Gift]] = {}
        if people:
            given = self.filter(direction=Gift.Direction.GIVEN, person_id__in=people)
            for given_gift in given.select_related("visit").order_by("visit__start_date", "pk"):
                key = (given_gift.person_id or 0, fold(given_gift.description))
                earlier.setdefault(key, []).append(given_gift)
        for gift in gifts:
            same = earlier.get((gift.person_id or 0, fold(gift.description)), [])
            gift._earlier = (
                [g for g in same if g.visit_id != gift.visit_id]
                if gift.direction == Gift.Direction.GIVEN and gift.person_id
                else []
            )
        return gifts


class Gift(EnglishVersions, VisitPart):
    """A gift given or received at a visit; together they are the register across visits."""

    # Filled for a whole list at once by ``Gift.objects.with_earlier_repeats``.
    _earlier: list[Gift]

    class Direction(models.TextChoices):
        GIVEN = "given", _("given")
        RECEIVED = "received", _("received")

    visit = of_visit("gifts")
    direction = models.CharField(
        _("given or received"), max_length=10, choices=Direction.choices, default=Direction.GIVEN
    )
    description = models.CharField(_("gift"), max_length=300)
    description_en = models.CharField(_("gift (English)"), max_length=300, blank=True)
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gifts",
        verbose_name=_("to / from (person)"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gifts",
        verbose_name=_("to / from (organisation)"),
    )
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    history = HistoricalRecords()
    objects = GiftQuerySet.as_manager()
    main_text_field = "description"

    class Meta:
        ordering = ["visit", "direction", "order", "id"]
        verbose_name = _("gift")
        verbose_name_plural = _("gifts")
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="gift_described"),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def earlier_gifts(self) -> list[Gift]:
        """``given_before()``, read from what ``with_earlier_repeats`` fetched when it did."""
        if not hasattr(self, "_earlier"):
            self._earlier = self.given_before()
        return self._earlier

    def given_before(self) -> list[Gift]:
        """The same gift already given to the same person at another visit (the warning)."""
        if self.direction != self.Direction.GIVEN or not self.person_id:
            return []
        return list(
            Gift.objects.same_gift_given(person_id=self.person_id, description=self.description)
            .exclude(pk=self.pk)
            .exclude(visit_id=self.visit_id)
        )


class BriefPoint(EnglishVersions, VisitPart):
    """An objective, a key message, a defensive question with its answer, the press line."""

    class Kind(models.TextChoices):
        OBJECTIVE = "objective", _("objective")
        KEY_MESSAGE = "key_message", _("key message")
        QUESTION = "question", _("defensive question")
        PRESS_LINE = "press_line", _("press line")

    visit = of_visit("brief_points")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text = models.TextField(_("text"))
    text_en = models.TextField(_("text (English)"), blank=True)
    answer = models.TextField(_("answer"), blank=True, help_text=_("For a defensive question."))
    answer_en = models.TextField(_("answer (English)"), blank=True)

    history = HistoricalRecords()
    main_text_field = "text"

    class Meta:
        ordering = ["visit", "kind", "order", "id"]
        verbose_name = _("objective or talking point")
        verbose_name_plural = _("objectives and talking points")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="briefpoint_text_not_empty"),
            models.CheckConstraint(
                condition=Q(kind="question") | Q(answer="", answer_en=""),
                name="briefpoint_answer_only_to_a_question",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


def visit_document_path(instance: VisitDocument, filename: str) -> str:
    # Under private/: never served at a media URL (common/views.NOT_SERVED_MEDIA).
    return f"private/visits/{instance.visit_id}/{filename}"


class VisitDocument(EnglishVersions, VisitPart):
    """A speech, a toast or another paper for the visit, as a file."""

    class Kind(models.TextChoices):
        SPEECH = "speech", _("speech")
        TOAST = "toast", _("toast")
        REMARKS = "remarks", _("remarks / talking notes")
        PRESS_RELEASE = "press_release", _("press release")
        OTHER = "other", _("other")

    visit = of_visit("documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SPEECH)
    title = models.CharField(_("title"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    file = models.FileField(_("file"), upload_to=visit_document_path, max_length=300)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["visit", "kind", "order", "id"]
        verbose_name = _("visit document")
        verbose_name_plural = _("speeches and documents")
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="visitdocument_title_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("delegations:visit_document", args=[self.visit_id, self.pk])


class VisitSource(VisitPart):
    """An article or page the visit's record rests on: a citation (publisher, title, date),
    with a link when there is one (a cutting or a print edition has none)."""

    visit = of_visit("sources")
    publisher = models.CharField(
        _("publisher"), max_length=200, blank=True, help_text=_("The paper or site, e.g. “VOV”.")
    )
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("link"), max_length=500, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["visit", "order", "id"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            # A citation needs at least its title; the link is optional.
            models.CheckConstraint(condition=~Q(title=""), name="visitsource_title_not_empty"),
            models.UniqueConstraint(
                fields=["visit", "url"],
                condition=~Q(url=""),
                name="visitsource_once_per_visit",
            ),
            models.UniqueConstraint(
                fields=["visit", "title"],
                condition=Q(url=""),
                name="visitsource_unlinked_once_per_visit",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def citation(self) -> str:
        """ "Kinhtedothi, “Thúc đẩy quan hệ…”, 14/05/2025" — publisher, title, date."""
        parts = [self.publisher, f"“{self.title}”"]
        if self.published_on:
            parts.append(f"{self.published_on:%d/%m/%Y}")
        return ", ".join(part for part in parts if part)
