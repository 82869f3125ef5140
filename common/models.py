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
