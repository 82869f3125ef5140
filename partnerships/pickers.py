"""The pickers' suggestions (common/autocomplete.py): people, organisations, cities.

``GET /pick/<kind>/?<any name>=<typed text>``: htmx sends the box's own name and value,
so the view reads the one parameter it is given. Answers the ``<option>``s of the box's
datalist: at most 20 records, in one query however many there are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, cast

from django import forms
from django.db import models
from django.http import Http404, HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from common import quick_add
from common.autocomplete import AutocompleteField, remember_label, suggestions
from common.http_request import AuthenticatedRequest
from common.permissions import viewer_required

from .models import City, Organisation, Person

# kind → (the records it picks from, the fields a typed name is looked for in)
SEARCHED: dict[str, tuple[Callable[[], models.QuerySet[Any]], list[str]]] = {
    "people": (Person.objects.all, ["full_name", "name_latin"]),
    "organisations": (Organisation.objects.all, ["name", "name_en", "abbreviation"]),
    "cities": (City.objects.all, ["name", "name_en", "name_local"]),
    "partner-cities": (City.objects.partners, ["name", "name_en", "name_local"]),
}


# A person or an organisation can be added from inside the form that picks one.
quick_add.register("people", "partnerships:person_create", _("New person"))
quick_add.register("organisations", "partnerships:organisation_create", _("New organisation"))


def picker(kind: str, *, quick_add: bool = True, **kwargs: Any) -> AutocompleteField:
    """The form field picking one record of ``kind`` (a key of ``SEARCHED``); with
    ``quick_add`` (not in a list's filters) a "New …" button beside it."""
    records, fields = SEARCHED[kind]
    return AutocompleteField(
        records(),
        url=reverse_lazy("partnerships:pick", args=[kind]),  # type: ignore[arg-type]
        search_fields=fields,
        quick_add_kind=kind if quick_add else "",
        **kwargs,
    )


@require_GET
@viewer_required
def pick(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    if kind not in SEARCHED:
        raise Http404
    records, fields = SEARCHED[kind]
    typed = str(next(iter(request.GET.values()), ""))
    return HttpResponse(suggestions(records(), fields, typed))


class PickerFormMixin:
    """A model form whose ``pickers`` (field → kind) are typed-in pickers, not drop-downs
    of every record; a formset of such rows (``SharedChoicesFormSet``) reads the rows'
    records with them."""

    pickers: ClassVar[dict[str, str]] = {}
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        initial = cast("forms.BaseForm", self).initial
        for name, kind in self.pickers.items():
            old = self.fields[name]
            self.fields[name] = picker(
                kind, label=old.label, required=old.required, help_text=old.help_text
            )
            instance = getattr(self, "instance", None)
            if instance is not None and instance.pk is not None:
                remember_label(self.fields[name], getattr(instance, name))
            elif str(initial.get(name, "")).isdigit():
                # A new record's form asked for with its value (?partner_city=12, or
                # a record just added from this form): shown by name, as an edit's.
                field = cast("AutocompleteField", self.fields[name])
                records = cast("models.QuerySet[Any]", field.queryset)
                remember_label(field, records.filter(pk=initial[name]).first())
