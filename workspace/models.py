from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("data version")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="dataversion_single_row"),
        ]

    def __str__(self) -> str:
        return f"{self.epoch}:{self.number}"
