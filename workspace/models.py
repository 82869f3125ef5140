from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class DataVersion(models.Model):
    """One row whose number grows with every change to the office's record.

    Whatever is cached from the record (the dashboard's sections) is keyed by it, so a
    cached value is never served after a change: see workspace/freshness.py. ``epoch``
    changes when the record is replaced wholesale (a restore), so numbers can never
    repeat across it.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    number = models.BigIntegerField(default=0)
    epoch = models.CharField(max_length=32, default="initial")
    # One counter per app of the record (workspace.freshness.TRACKED_APPS).
    partnerships = models.BigIntegerField(default=0)
    agreements = models.BigIntegerField(default=0)
    delegations = models.BigIntegerField(default=0)
    # The visits' changes alone, also counted in ``delegations`` (workspace.freshness.VISITS).
    visits = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("data version")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="dataversion_single_row"),
        ]

    def __str__(self) -> str:
        return f"{self.epoch}:{self.number}"


class PersonalSettings(models.Model):
    """One staff account's own settings: the secret of its calendar feed, how often it
    wants the e-mail digest, and in which language."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("every day")
        WEEKLY = "weekly", _("every Monday")
        OFF = "off", _("never")

    class FeedScope(models.TextChoices):
        ALL = "all", _("everything")
        MINE = "mine", _("my partnerships")  # followed, or with items assigned to me

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="personal_settings",
        verbose_name=_("user"),
    )
    # The calendar feed's secret URL part; empty while the feed is off. A new one
    # replaces the old (every subscription with the old URL stops working).
    feed_token = models.CharField(_("calendar feed token"), max_length=64, blank=True)
    feed_scope = models.CharField(
        _("calendar feed shows"), max_length=4, choices=FeedScope.choices, default=FeedScope.ALL
    )
    reminder_frequency = models.CharField(
        _("e-mail reminders"), max_length=6, choices=Frequency.choices, default=Frequency.DAILY
    )
    language = models.CharField(
        _("language of the e-mails"), max_length=8, choices=settings.LANGUAGES, default="vi"
    )

    class Meta:
        verbose_name = _("personal settings")
        verbose_name_plural = _("personal settings")
        constraints = [
            models.UniqueConstraint(
                fields=["feed_token"], condition=~Q(feed_token=""), name="feed_token_unique"
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @classmethod
    def of(cls, user: User) -> PersonalSettings:
        found, _created = cls.objects.get_or_create(user=user)
        return found

    def turn_feed_on(self) -> None:
        """A new secret (turning the feed on, or replacing a URL that leaked)."""
        self.feed_token = secrets.token_urlsafe(32)
        self.save(update_fields=["feed_token"])

    def turn_feed_off(self) -> None:
        self.feed_token = ""
        self.save(update_fields=["feed_token"])


class ReminderSent(models.Model):
    """A digest sent to a user on a day: ``send_reminders`` sends at most one a day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders_sent",
        verbose_name=_("user"),
    )
    sent_on = models.DateField(_("sent on"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["user", "sent_on"], name="one_reminder_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.sent_on}"


class ActivityCount(models.Model):
    """How many visits, agreements and action items fall in a period, per partnership: the
    statistics page and the partner map read these few thousand rows instead of every
    record (issue 15). Kept exact by PostgreSQL triggers on the four tables they count
    (workspace/migrations/0004_activity_counts.py), so every write path counts: forms,
    ``QuerySet.update``, ``bulk_create``, the import's COPY, reverts and deletes. Written
    only by those triggers; on another database (SQLite) the table stays empty and the
    statistics are counted from the records (``workspace.statistics_portable``).

    ``metric`` and its key:
    - ``visits``: visits not cancelled, by month of the start (``period``) and direction
      (``kind``);
    - ``signed``: concluded agreements by year of signing and kind;
    - ``in_force``: binding agreements in force on every 31 December from ``period`` to
      ``period_end`` (-infinity/infinity when open);
    - ``recorded``, ``done``, ``done_on_time``: action items by quarter of recording or of
      the day they were done (the latest "done" note's date, else the last change);
    - ``in_force_day``: binding agreements that start being in force on ``period`` (+1),
      or whose last day in force was the day before (-1), when they start no later than
      they end (0005): the count can be negative.

    ``CityActivityCount`` and ``ActivityWindow`` are derived from these rows by triggers.
    """

    partnership_id = models.BigIntegerField()
    metric = models.CharField(max_length=16)
    period = models.DateField()
    period_end = models.DateField()
    kind = models.CharField(max_length=20, blank=True)
    n = models.IntegerField()

    class Meta:
        verbose_name = _("activity count")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership_id", "metric", "period", "period_end", "kind"],
                name="activitycount_key",
            ),
        ]
        indexes = [
            # The statistics read a metric over a range of periods for all partnerships.
            models.Index(
                fields=["metric", "period"],
                include=["partnership_id", "period_end", "kind", "n"],
                name="activitycount_metric_period",
            ),
            # The triggers drop the counts that fell to zero.
            models.Index(fields=["id"], condition=Q(n=0), name="activitycount_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.partnership_id} {self.metric} {self.period} {self.kind}: {self.n}"


class CityActivityCount(models.Model):
    """The activity counts (``ActivityCount``) summed per home city instead of per
    partnership, visits per year instead of per month: what the statistics page's charts
    read, so they read a few hundred rows however many partnerships there are (issue 16:
    partnerships grow 113 → 1,709 from scale 0.25 to 4). Derived from ``ActivityCount`` by
    PostgreSQL triggers on it (and on a partnership's move to another home city),
    workspace/migrations/0005_activity_totals.py; empty on another database.

    ``metric``, ``period``, ``period_end`` and ``kind`` as in ``ActivityCount``, with
    ``visits`` by year of the start, plus ``in_force_day``: the binding agreements that
    start being in force on ``period`` (+) or stopped the day before (-), for the count of
    those in force today.
    """

    home_city_id = models.BigIntegerField()
    metric = models.CharField(max_length=16)
    period = models.DateField()
    period_end = models.DateField()
    kind = models.CharField(max_length=20, blank=True)
    n = models.IntegerField()

    class Meta:
        verbose_name = _("activity count per home city")
        constraints = [
            models.UniqueConstraint(
                fields=["home_city_id", "metric", "period", "period_end", "kind"],
                name="cityactivitycount_key",
            ),
        ]
        indexes = [
            models.Index(
                fields=["metric", "period"],
                include=["home_city_id", "period_end", "kind", "n"],
                name="cityactivitycount_metric",
            ),
            # The triggers drop the counts that fell to zero.
            models.Index(fields=["id"], condition=Q(n=0), name="cityactivitycount_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.home_city_id} {self.metric} {self.period} {self.kind}: {self.n}"


class ActivityWindow(models.Model):
    """A partnership's visits and agreements signed in the ten years up to ``last_year``
    (the statistics page's default period): "the most active partnerships" of a ten-year
    period are the first rows of the (``last_year``, ``total`` descending) index, not a
    sum over every partnership. Derived from ``ActivityCount`` by the triggers that keep
    ``CityActivityCount``; a row is kept only while its total is above zero."""

    YEARS = 10

    partnership_id = models.BigIntegerField()
    home_city_id = models.BigIntegerField()
    last_year = models.IntegerField()
    visits = models.IntegerField()
    signed = models.IntegerField()
    total = models.IntegerField()

    class Meta:
        verbose_name = _("ten years' activity of a partnership")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership_id", "last_year"], name="activitywindow_key"
            ),
        ]
        indexes = [
            models.Index(fields=["last_year", "-total"], name="activitywindow_rank"),
            models.Index(
                fields=["last_year", "home_city_id", "-total"], name="activitywindow_city_rank"
            ),
            models.Index(fields=["id"], condition=Q(total=0), name="activitywindow_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.partnership_id} {self.last_year}: {self.total}"
