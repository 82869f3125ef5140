from django.db import models
from django.utils.translation import gettext_lazy as _


class Record(models.Model):
    """Fields every record of the office carries.

    ``version`` grows by one with every save made through the workspace, so that
    a second editor working from a stale copy is told instead of overwriting.
    """

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class DataVersion(models.Model):
    """One row whose number grows with every change to the office's record.

    Whatever is cached from the record (the dashboard's sections) is keyed by it, so a
    cached value is never served after a change: see common/freshness.py. ``epoch``
    changes when the record is replaced wholesale (a restore), so numbers can never
    repeat across it.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    number = models.BigIntegerField(default=0)
    epoch = models.CharField(max_length=32, default="initial")
    # One counter per app of the record (common.freshness.TRACKED_APPS).
    partnerships = models.BigIntegerField(default=0)
    agreements = models.BigIntegerField(default=0)
    delegations = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("data version")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="dataversion_single_row"),
        ]

    def __str__(self) -> str:
        return f"{self.epoch}:{self.number}"
