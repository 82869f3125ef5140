"""The partnership list's filter: it sorts by the latest visit, which only the apps above
partnerships know (delegations.partnership_visits.with_last_visit)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from common.cached_choices import cached_by_version
from common.listing import ListFilterForm
from common.text_match import any_field_contains
from partnerships.choices import field_of_cooperation_field, home_city_field
from partnerships.models import City, Partnership


def _partner_countries() -> list[tuple[str, str]]:
    """The country drop-down: the countries of our partner cities, in the user's language."""
    used = set(City.objects.partners().values_list("country", flat=True).order_by().distinct())
    return [("", "—")] + [(code, str(name)) for code, name in countries if code in used]


class PartnershipFilterForm(ListFilterForm):
    SORTS = {
        "partner": ("partner_city__name", _("partner city")),
        "country": ("partner_city__country", _("country")),
        "home": ("home_city__name", _("home city")),
        "established": ("established_on", _("established, oldest first")),
        "-established": ("-established_on", _("established, newest first")),
        "-last_visit": ("-last_visit_on", _("latest visit first")),
        "last_visit": ("last_visit_on", _("longest without a visit first")),
    }
    default_sort = "partner"
    NAME_FIELDS = frozenset({"partner_city__name", "home_city__name"})

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    country = forms.ChoiceField(label=_("Country"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *Partnership.Status.choices], required=False
    )
    # Cached per data version as (pk, name) tuples, as on the other lists (issue 16).
    field = field_of_cooperation_field(label=_("Field of cooperation"), required=False)
    home_city = home_city_field(label=_("Home city"), required=False)

    def __init__(self, data: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        cast("forms.ChoiceField", self.fields["country"]).choices = cached_by_version(
            self.record_version(("partnerships",)),  # type: ignore[attr-defined]  # share_version
            f"partner-countries:{get_language()}",
            _partner_countries,
        )
        self.fields["q"].widget.attrs["placeholder"] = _("City (any of its names) or summary")

    def filter(self, queryset: QuerySet[Partnership]) -> QuerySet[Partnership]:
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.filter(
                Q(partner_city__in=City.objects.named(data["q"]))
                | any_field_contains(["summary"], data["q"])
            )
        if data.get("country"):
            queryset = queryset.filter(partner_city__country=data["country"])
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("field"):
            queryset = queryset.filter(fields=data["field"])
        if data.get("home_city"):
            queryset = queryset.filter(home_city=data["home_city"])
        return queryset
