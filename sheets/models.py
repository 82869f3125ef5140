"""What the spreadsheet machinery keeps: the log of every confirmed (or refused) import."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportLog(models.Model):
    """One spreadsheet import that was confirmed (or refused): who, when, which file, what it did."""

    class Sheet(models.TextChoices):
        AGREEMENTS = "agreements", _("agreements")
        VISITS = "visits", _("visits")
        ACTION_ITEMS = "action_items", _("action items")

    class Outcome(models.TextChoices):
        IMPORTED = "imported", _("imported")
        REFUSED = "refused", _("refused")

    sheet = models.CharField(_("sheet"), max_length=20, choices=Sheet.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="imports",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"), default=0)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_new = models.PositiveIntegerField(_("new"), default=0)
    rows_updated = models.PositiveIntegerField(_("updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rows_with_errors = models.PositiveIntegerField(_("rows with errors"), default=0)
    message = models.TextField(_("message"), blank=True)
    # What the import wrote: {"created": [[model label, [pk…]], …] in the order written,
    # "updated": [[model label, [pk…]]]}; what a revert undoes (sheets/reverting.py).
    changes = models.JSONField(_("changes"), default=dict, blank=True, editable=False)
    reverted_at = models.DateTimeField(_("reverted"), null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reverted by"),
    )

    class Meta:
        # The table the agreements app created, kept when the model moved here.
        db_table = "agreements_importlog"
        ordering = ["-created_at"]
        verbose_name = _("import log entry")
        verbose_name_plural = _("import log")

    def __str__(self) -> str:
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.file_name} ({self.get_outcome_display()})"


class SavedMapping(models.Model):
    """Which header feeds which column, saved under a name for a kind of sheet (issue 12,
    point 3): the office's own columns mapped once, then used by name on the web or with
    ``import_agreements --mapping NAME``."""

    sheet = models.CharField(_("sheet"), max_length=20, choices=ImportLog.Sheet.choices)
    name = models.CharField(_("name"), max_length=100)
    # column → header as written in the sheet
    columns = models.JSONField(_("columns"), default=dict, blank=True)
    # headers the sheet has and the import leaves out
    ignored = models.JSONField(_("ignored headers"), default=list, blank=True)
    # column → {value as written: code} for choice values staff write their own way
    values = models.JSONField(_("values"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )
    updated_at = models.DateTimeField(_("saved at"), auto_now=True)

    class Meta:
        ordering = ["sheet", "name"]
        verbose_name = _("saved column mapping")
        verbose_name_plural = _("saved column mappings")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "name"], name="saved_mapping_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name
