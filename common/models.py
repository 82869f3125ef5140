from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class EndKind(models.TextChoices):
    """What an empty end date means: none (open-ended, still held, one day), or one we
    have not recorded. Agreements, visits and positions say which (issue 13 pt 9)."""

    OPEN = "open", _("no end date (open-ended)")
    NOT_RECORDED = "not_recorded", _("end date not recorded")


# Of a visit or a position: the agreements' "end date not recorded" reads "expiry date"
# in Vietnamese, so these have their own translation.
END_NOT_RECORDED = pgettext_lazy("end of a visit or a position", "end date not recorded")


def end_kind_field(open_label: StrOrPromise, help_text: StrOrPromise = "") -> models.CharField:
    """The "without an end date" choice, with its two meanings in this model's words."""
    return models.CharField(
        _("without an end date"),
        max_length=12,
        choices=[(EndKind.OPEN, open_label), (EndKind.NOT_RECORDED, END_NOT_RECORDED)],
        default=EndKind.OPEN,
        help_text=help_text,
    )


def end_kind_constraint(date_field: str, kind_field: str, prefix: str) -> models.CheckConstraint:
    """A known kind, and "not recorded" only where the end date is empty."""
    return models.CheckConstraint(
        condition=Q(**{f"{kind_field}__in": EndKind.values})
        & (Q(**{f"{date_field}__isnull": True}) | Q(**{kind_field: EndKind.OPEN})),
        name=f"{prefix}_end_kind_fits_end_date",
    )


class Versioned(models.Model):
    """What the lost-update check reads (common/concurrency.py).

    ``version`` grows by one with every save made through the workspace, so that
    a second editor working from a stale copy is told instead of overwriting;
    ``updated_at`` moves with every save, the admin's too. Whole records have it
    (``Record``), and so do the rows edited one at a time (a visit's participants,
    programme items, travel…).
    """

    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class Record(Versioned):
    """Fields every record of the office carries."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True


class EnglishVersions(models.Model):
    """Records whose texts staff may also write in English (``title`` → ``title_en``).

    ``text_in(lang)`` gives the text to print in a brief of that language and whether it
    fell back to Vietnamese because no English version was written, so the English brief
    can mark the fallback instead of printing Vietnamese as if it were English.
    """

    # The text ``text_in`` reads when no field is named (a title, a point's text…).
    main_text_field = "title"

    class Meta:
        abstract = True

    def text_in(self, lang: str, field: str | None = None) -> tuple[str, bool]:
        """(value, fell_back): the ``lang`` version of ``field``, or the Vietnamese one.

        ``fell_back`` is true only when an English text was asked for, none was written,
        and there is a Vietnamese text to print in its place.
        """
        name = field or self.main_text_field
        original = getattr(self, name) or ""
        if not lang.lower().startswith("en"):
            return original, False
        english = getattr(self, f"{name}_en", "") or ""
        if english.strip():
            return english, False
        return original, bool(original.strip())
