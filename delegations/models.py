"""Delegation visits, their programme, and the action items agreed."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements.models import Agreement
from common.indexes import OrderIndex
from common.models import Record
from common.partialdate import PartialDate, Precision, partial_date_constraint, period_covers
from partnerships.models import FieldOfCooperation, Organisation, Partnership, Person

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise


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

    def balance(self) -> dict[str, int]:
        """How many of these visits (a partnership's: ``partnership.visits.balance()``) went
        each way, cancelled ones not counted, in one query."""
        counts = dict(
            self.exclude(status="cancelled")
            .order_by()
            .values_list("direction")
            .annotate(n=models.Count("pk"))
        )
        incoming, outgoing = counts.get("incoming", 0), counts.get("outgoing", 0)
        both = incoming + outgoing
        return {
            "incoming": incoming,
            "outgoing": outgoing,
            "online": counts.get("online", 0),
            "incoming_share": round(incoming * 20 / both) * 5 if both else 0,
            "outgoing_share": 100 - round(incoming * 20 / both) * 5 if both else 0,
        }


class Visit(Record):
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
    purpose = models.TextField(_("purpose"), blank=True)
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
    talking_points = models.TextField(_("talking points"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
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
            partial_date_constraint("start_date", "visit"),
        ]
        # The visit list's default order, newest first (issue 6: scale).
        indexes = [
            OrderIndex(
                models.F("start_date").desc(nulls_last=True),
                models.F("id").desc(),
                name="visit_start_order",
            ),
            models.Index(fields=["start_date", "id"], name="visit_start_asc"),
            # A partnership's latest visit (partners list, dashboard's dormant section).
            models.Index(fields=["partnership", "start_date"], name="visit_partnership_start"),
            # Upcoming visits (dashboard): the planned and confirmed ones are a few hundred
            # of tens of thousands.
            models.Index(
                fields=["start_date"],
                condition=Q(status__in=["planned", "confirmed"]),
                name="visit_upcoming",
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

    @property
    def start(self) -> PartialDate | None:
        return PartialDate.of(self.start_date, self.start_date_precision)

    def dates_label(self) -> str:
        """ "11/05/2025 – 13/05/2025", "05/2025", or what the source said."""
        if self.start is None:
            return self.date_note
        if self.end_date and self.end_date != self.start_date:
            return f"{self.start} – {self.end_date:%d/%m/%Y}"
        return str(self.start)

    @property
    def head(self) -> VisitParticipant | None:
        for participant in self.participants.all():
            if participant.role == VisitParticipant.Role.HEAD:
                return participant
        return None


class VisitParticipant(models.Model):
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


class Engagement(models.Model):
    """One item of a visit's programme: talks, a courtesy call, a signing, a culture day…"""

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
    time = models.TimeField(_("time"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TALKS)
    title = models.CharField(_("title"), max_length=300)
    place = models.CharField(_("place"), max_length=255, blank=True)
    counterparts = models.ManyToManyField(
        Person, blank=True, related_name="engagements", verbose_name=_("counterparts")
    )
    summary = models.TextField(_("summary"), blank=True)

    history = HistoricalRecords(m2m_fields=[counterparts])

    class Meta:
        ordering = [
            "visit",
            models.F("date").asc(nulls_last=True),
            models.F("time").asc(nulls_first=True),
            "id",
        ]
        verbose_name = _("engagement")
        verbose_name_plural = _("programme")
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="engagement_title_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title


class ActionItemQuerySet(models.QuerySet["ActionItem"]):
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
                fields=["due_on", "id"],
                # With the precision in the index, counting the overdue ones (dashboard)
                # reads the index alone, not 26,000 rows of the table.
                include=["due_on_precision"],
                condition=Q(status__in=["proposed", "agreed", "in_progress"]),
                name="actionitem_open_due",
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
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="progressupdate_note_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y}: {self.note[:60]}"
