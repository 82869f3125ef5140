"""The pickers' suggestions (common/autocomplete.py): people, organisations, cities,
partnerships.

``GET /pick/<kind>/?<any name>=<typed text>``: htmx sends the box's own name and value,
so the view reads the one parameter it is given. Answers the ``<option>``s of the box's
datalist: at most 20 records, in one query however many there are.

A partnership is typed as its two cities ("Hà Nội – Minsk"): each word typed must be in
a name of one of them (``partnership_words``), so "minsk", "ha noi minsk" and
"vientiane" (an English name) find it. With at most ``PREFILL_MAX`` partnerships (a small
office) the box's datalist starts with all of them; above, it fills as the user types
(issue 16: the filters' drop-down of every partnership grew with the archive).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, cast

from django import forms
from django.db import models
from django.db.models import Exists, Q
from django.http import Http404, HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from common import quick_add
from common.autocomplete import AutocompleteField, Match, Prefill, remember_label, suggestions
from common.cached_choices import cached_by_version, record_version
from common.http_request import AuthenticatedRequest
from common.permissions import viewer_required
from common.text_match import words

from .models import City, Organisation, Partnership, Person

# Up to this many partnerships, a partnership box offers every one of them on focus.
PREFILL_MAX = 60


def partnership_words(text: str) -> Q:
    """Partnerships whose two cities have, between them, every word of ``text`` in one of
    their names (``City.objects.named``: accents and case aside, other names included)."""
    typed = words(text)
    if not typed:
        return Q(pk__in=[])
    condition = Q()
    for word in typed:
        cities = City.objects.named(word).values("pk")
        condition &= Q(home_city__in=cities) | Q(partner_city__in=cities)
    return condition


def partnership_prefill(version: str | None) -> list[str]:
    """Every partnership's label ("Hà Nội – Minsk (#12)") when there are at most
    ``PREFILL_MAX``, else none: one query of at most ``PREFILL_MAX + 1`` rows, kept per
    data version."""
    most = PREFILL_MAX

    def compute() -> list[str]:
        # None read (nor joined, nor sorted by the cities' names) when there are more
        # than ``most``: a one-time test over the primary key (issue 16: the first
        # ``most + 1`` by name cost a sort of every partnership, 1.4 ms at scale 4).
        more = Exists(Partnership.objects.order_by()[most : most + 1])
        rows = list(
            Partnership.objects.filter(~more).values_list(
                "pk", "home_city__name", "partner_city__name"
            )[: most + 1]
        )
        if len(rows) > most:
            return []
        return [f"{home} – {partner} (#{pk})" for pk, home, partner in rows]

    return cached_by_version(version, f"partnership-prefill:{most}", compute)


def _partnerships() -> models.QuerySet[Partnership]:
    return Partnership.objects.select_related("home_city", "partner_city")


# kind → (the records it picks from, the fields a typed name is looked for in)
SEARCHED: dict[str, tuple[Callable[[], models.QuerySet[Any]], list[str]]] = {
    "people": (Person.objects.all, ["full_name", "name_latin"]),
    "organisations": (Organisation.objects.all, ["name", "name_en", "abbreviation"]),
    "cities": (City.objects.all, ["name", "name_en", "name_local"]),
    "partner-cities": (City.objects.partners, ["name", "name_en", "name_local"]),
    "partnerships": (_partnerships, ["home_city__name", "partner_city__name"]),
}
# What every kind's records (and a prefill's labels) are read from: a change to an
# agreement or an action item keeps a prefill (common.cached_choices, depends_on).
RECORDS_APP = ("partnerships",)
# kinds matched their own way, not by the whole text in one of their fields
MATCH: dict[str, Match] = {"partnerships": partnership_words}
# kinds whose box offers every record when there are few
PREFILL: dict[str, Prefill] = {"partnerships": partnership_prefill}


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
        match=MATCH.get(kind),
        prefill=PREFILL.get(kind),
        depends_on=RECORDS_APP,
        **kwargs,
    )


@require_GET
@viewer_required
def pick(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    if kind not in SEARCHED:
        raise Http404
    records, fields = SEARCHED[kind]
    typed = str(next(iter(request.GET.values()), ""))
    prefill = PREFILL.get(kind)
    return HttpResponse(
        suggestions(
            records(),
            fields,
            typed,
            match=MATCH.get(kind),
            # an emptied box offers every partnership again (a small office's)
            prefill=(lambda: prefill(record_version(RECORDS_APP))) if prefill is not None else None,
        )
    )


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
