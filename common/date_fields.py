"""Form fields for the record's dates.

``PartialDateField`` accepts ``2004``, ``12/2023`` or ``07/12/2023`` and shows a
stored date back the way it was known. On a ModelForm the model keeps two columns
(``signed_on`` + ``signed_on_precision``); ``PartialDateFormMixin`` fills the form
field from both and writes both back, so views never see the pair.

``DayField`` is a full date, always day first (dd/mm/yyyy), whatever the language.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from common.models import EndKind
from common.partialdate import PartialDate, parse_partial_date

if TYPE_CHECKING:
    _ModelFormBase = forms.ModelForm[Any]  # what the mixin is mixed into
else:
    _ModelFormBase = object

DAY_FORMATS = ["%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d"]


class PartialDateField(forms.CharField):
    """A date known to the day, the month or only the year; cleans to a PartialDate."""

    def __init__(self, *, allow_partial: bool = True, **kwargs: Any) -> None:
        self.allow_partial = allow_partial
        kwargs.setdefault(
            "help_text",
            _("dd/mm/yyyy, or mm/yyyy or yyyy when only that is known.")
            if allow_partial
            else _("dd/mm/yyyy"),
        )
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("placeholder", _("dd/mm/yyyy") if not allow_partial else "")
        self.widget.attrs.setdefault("inputmode", "numeric")
        self.widget.attrs.setdefault("maxlength", "10")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, PartialDate):
            return value.format()
        if isinstance(value, dt.date):
            return value.strftime("%d/%m/%Y")
        return value

    def to_python(self, value: Any) -> PartialDate | None:  # type: ignore[override]  # a PartialDate where CharField gives str
        if isinstance(value, PartialDate):
            return value
        text = super().to_python(value)
        if not text:
            return None
        return parse_partial_date(text, allow_partial=self.allow_partial)

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.prepare_value(initial or "") != (data or "").strip()


class DayField(forms.DateField):
    """A full date, day first: 07/12/2023 is 7 December in every language."""

    input_formats = DAY_FORMATS

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                format="%d/%m/%Y", attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric"}
            ),
        )
        super().__init__(**kwargs)


class PartialDateFormMixin(_ModelFormBase):
    """ModelForm mixin: ``partial_dates = ("signed_on",)`` edits ``signed_on`` + its precision."""

    partial_dates: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.partial_dates:
            model_field = self._meta.model._meta.get_field(name)
            self.fields[name] = PartialDateField(
                label=self.fields[name].label if name in self.fields else model_field.verbose_name,
                required=not model_field.blank,
            )
            if self.instance.pk or getattr(self.instance, name, None):
                self.initial[name] = PartialDate.of(
                    getattr(self.instance, name), getattr(self.instance, f"{name}_precision")
                )

    def _post_clean(self) -> None:
        # The model form copies cleaned values onto the instance here; a PartialDate
        # becomes its two columns first.
        partials = {}
        for name in self.partial_dates:
            value = self.cleaned_data.get(name)
            if isinstance(value, PartialDate):
                partials[name] = value
                self.cleaned_data[name] = value.date
        super()._post_clean()  # type: ignore[misc]  # Django's private hook, not in django-stubs
        for name in self.partial_dates:
            if name in partials:
                setattr(self.instance, f"{name}_precision", partials[name].precision)
                self.cleaned_data[name] = partials[name]
            elif name in self.cleaned_data:
                setattr(self.instance, f"{name}_precision", "day")


class EndKindFormMixin(_ModelFormBase):
    """ModelForm mixin: ``end_kinds = {"end_date_kind": "end_date"}`` — what an empty end
    date means (``common.models.EndKind``). Optional: a client that does not send it keeps
    the old meaning (open); an end date given makes it "open" (the database's rule)."""

    end_kinds: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in self.end_kinds:
            if kind in self.fields:
                self.fields[kind].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for kind, end in self.end_kinds.items():
            if kind in self.fields and (data.get(end) or not data.get(kind)):
                data[kind] = EndKind.OPEN
        return data
