"""Dates known only to the year or the month.

History is often known as "since 2004" or "December 2023". Such a date is stored
as two columns: a DateField holding the first day of the known period (so it sorts
correctly) and a precision (year / month / day). Nothing invents a day: the
database refuses a month-precision date that is not on the 1st, and a
year-precision one that is not on 1 January.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Precision(models.TextChoices):
    YEAR = "year", _("year")
    MONTH = "month", _("month")
    DAY = "day", _("day")


@dataclass(frozen=True, order=True)
class PartialDate:
    date: dt.date
    precision: str = Precision.DAY

    def __post_init__(self) -> None:
        if self.precision == Precision.MONTH and self.date.day != 1:
            raise ValueError("a month-precision date must be on the 1st")
        if self.precision == Precision.YEAR and (self.date.month, self.date.day) != (1, 1):
            raise ValueError("a year-precision date must be on 1 January")

    def __str__(self) -> str:
        return self.format()

    def format(self) -> str:
        """As known: ``2004``, ``12/2023`` or ``07/12/2023``."""
        if self.precision == Precision.YEAR:
            return f"{self.date.year:04d}"
        if self.precision == Precision.MONTH:
            return f"{self.date.month:02d}/{self.date.year:04d}"
        return self.date.strftime("%d/%m/%Y")

    @property
    def year(self) -> int:
        return self.date.year

    def last_day(self) -> dt.date:
        """The last day the date may stand for (31 Dec for a year, month end for a month)."""
        if self.precision == Precision.YEAR:
            return dt.date(self.date.year, 12, 31)
        if self.precision == Precision.MONTH:
            nxt = (self.date.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            return nxt - dt.timedelta(days=1)
        return self.date

    @classmethod
    def of(cls, value: dt.date | None, precision: str | None) -> PartialDate | None:
        if value is None:
            return None
        return cls(value, precision or Precision.DAY)


_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{1,2})[/.-](\d{4})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_partial_date(text: str, *, allow_partial: bool = True) -> PartialDate:
    """Read ``2004``, ``12/2023``, ``2023-12``, ``07/12/2023`` or ``2023-12-07``.

    Day-first always: ``07/12/2023`` is 7 December 2023, never 12 July.
    Raises ValidationError with a message fit for a person.
    """
    value = (text or "").strip().replace("\xa0", "")
    try:
        if m := _ISO.match(value):
            return PartialDate(dt.date(int(m[1]), int(m[2]), int(m[3])))
        if m := _DMY.match(value):
            return PartialDate(dt.date(int(m[3]), int(m[2]), int(m[1])))
        if allow_partial:
            if m := _MONTH.match(value):
                return PartialDate(dt.date(int(m[2]), int(m[1]), 1), Precision.MONTH)
            if m := _ISO_MONTH.match(value):
                return PartialDate(dt.date(int(m[1]), int(m[2]), 1), Precision.MONTH)
            if m := _YEAR.match(value):
                return PartialDate(dt.date(int(m[1]), 1, 1), Precision.YEAR)
    except ValueError as exc:
        raise ValidationError(
            _("“%(value)s” is not a real date."), code="impossible_date", params={"value": value}
        ) from exc
    if allow_partial:
        message = _("“%(value)s” is not a date: write dd/mm/yyyy, mm/yyyy or yyyy.")
    else:
        message = _("“%(value)s” is not a date: write dd/mm/yyyy.")
    raise ValidationError(message, code="invalid_date", params={"value": value})


def partial_date_fields(
    verbose_name: StrOrPromise, *, blank: bool = True
) -> tuple[models.DateField[Any, Any], models.CharField[Any, Any]]:
    """The pair of model fields for one partial date: ``(date_field, precision_field)``."""
    return (
        models.DateField(verbose_name, null=blank, blank=blank),
        models.CharField(
            _("precision"), max_length=5, choices=Precision.choices, default=Precision.DAY
        ),
    )


def partial_date_constraint(field: str, model_label: str) -> models.CheckConstraint:
    """Database rule: a month-precision date is on the 1st, a year-precision one on 1 Jan."""
    precision = f"{field}_precision"
    return models.CheckConstraint(
        condition=(
            Q(**{f"{field}__isnull": True})
            | Q(**{precision: Precision.DAY})
            | Q(**{precision: Precision.MONTH, f"{field}__day": 1})
            | Q(**{precision: Precision.YEAR, f"{field}__day": 1, f"{field}__month": 1})
        ),
        name=f"{model_label}_{field}_precision_fits",
    )


def partial_range_constraint(start: str, end: str, model_label: str) -> models.CheckConstraint:
    """Database rule: ``end`` is not before ``start``, each as precise as it is known.

    An end known only to the year (``2023``) may follow a start on 07/12/2023; one
    known only to the month (``12/2023``) too.
    """
    end_precision = f"{end}_precision"
    later = Q(**{f"{end}__gte": models.F(start)})
    return models.CheckConstraint(
        condition=(
            Q(**{f"{start}__isnull": True})
            | Q(**{f"{end}__isnull": True})
            | later
            | Q(
                **{
                    end_precision: Precision.MONTH,
                    f"{end}__year": models.F(f"{start}__year"),
                    f"{end}__month": models.F(f"{start}__month"),
                }
            )
            | Q(**{end_precision: Precision.YEAR, f"{end}__year": models.F(f"{start}__year")})
        ),
        name=f"{model_label}_{end}_not_before_{start}",
    )


def period_covers(field: str, day: dt.date, *, after: bool) -> Q:
    """Q for "the partial date in ``field`` is on or after ``day``" (or on or before).

    A date known to the year or month counts as covering every day of its period,
    so someone whose office ended "in 2024" still held it on 30/06/2024.
    """
    precision = f"{field}_precision"
    if after:
        return (
            Q(**{precision: Precision.DAY, f"{field}__gte": day})
            | Q(**{precision: Precision.MONTH, f"{field}__gte": day.replace(day=1)})
            | Q(**{precision: Precision.YEAR, f"{field}__gte": day.replace(month=1, day=1)})
        )
    return Q(**{f"{field}__lte": day})
