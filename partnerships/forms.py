"""Forms of the partners workspace: list filters, partnerships, cities, people, organisations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, cast

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from common.autocomplete import remember_label
from common.cached_choices import cached_by_version
from common.concurrency import VersionedFormMixin
from common.date_fields import EndKindFormMixin, PartialDateFormMixin
from common.distinct_values import distinct_values
from common.listing import ListFilterForm, SharedChoicesFormSet
from common.roles import account_label, staff_accounts
from common.text_match import any_field_contains

from .models import (
    City,
    CityName,
    Organisation,
    Partnership,
    Person,
    Position,
)
from .pickers import PickerFormMixin, picker

PERSON_FIELDS = ["full_name", "name_latin"]
ORGANISATION_FIELDS = ["name", "name_en", "abbreviation"]


def _countries_in_use(form: ListFilterForm[Any], model: type[Person | Organisation]) -> None:
    """The country drop-down of a list of people or organisations: the countries some
    record has, in the user's language, cached per data version (issue 16: one pass over
    the table on every page, growing with it)."""

    def choices() -> list[tuple[str, str]]:
        used = set(distinct_values(model, "country"))  # one index probe per country
        return [("", "—")] + [(code, str(name)) for code, name in countries if code in used]

    cast("forms.ChoiceField", form.fields["country"]).choices = cached_by_version(
        form.record_version(("partnerships",)),  # type: ignore[attr-defined]  # share_version
        f"{model._meta.label_lower}-countries:{get_language()}",
        choices,
    )


class PersonFilterForm(ListFilterForm):
    SORTS = {
        "name": ("full_name", _("name")),
        "country": ("country", _("country")),
        "-updated": ("-updated_at", _("recently changed")),
    }
    default_sort = "name"
    NAME_FIELDS = frozenset({"full_name"})

    q = forms.CharField(label=_("Name"), required=False, max_length=200)
    country = forms.ChoiceField(label=_("Country"), required=False)
    # A typed picker, not a drop-down of organisations: no list built on every page, and
    # any organisation can be chosen, not only our own (issue 16: scale).
    organisation = picker("organisations", quick_add=False, label=_("Organisation"), required=False)

    def __init__(self, data: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        _countries_in_use(self, Person)

    def filter(self, queryset: QuerySet[Person]) -> QuerySet[Person]:
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.filter(any_field_contains(PERSON_FIELDS, data["q"]))
        if data.get("country"):
            queryset = queryset.filter(country=data["country"])
        if data.get("organisation"):
            remember_label(self.fields["organisation"], data["organisation"])
            queryset = queryset.filter(
                pk__in=Position.objects.filter(organisation=data["organisation"]).values("person")
            )
        return queryset


class OrganisationFilterForm(ListFilterForm):
    SORTS = {
        "name": ("name", _("name")),
        "country": ("country", _("country")),
        "kind": ("kind", _("kind")),
    }
    default_sort = "name"
    NAME_FIELDS = frozenset({"name"})

    q = forms.CharField(label=_("Name or abbreviation"), required=False, max_length=200)
    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *Organisation.Kind.choices], required=False
    )
    city = picker("cities", label=_("City"), required=False)

    def __init__(self, data: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        _countries_in_use(self, Organisation)

    def filter(self, queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.filter(any_field_contains(ORGANISATION_FIELDS, data["q"]))
        if data.get("city"):
            remember_label(self.fields["city"], data["city"])
        for name in ("country", "kind", "city"):
            if data.get(name):
                queryset = queryset.filter(**{name: data[name]})
        return queryset


class PartnershipForm(PickerFormMixin, VersionedFormMixin, PartialDateFormMixin, forms.ModelForm):
    # Partner cities are many (a typed picker); home cities a handful (a drop-down).
    pickers = {"partner_city": "partner-cities"}
    partial_dates = ("established_on",)

    class Meta:
        model = Partnership
        fields = [
            "home_city",
            "partner_city",
            "kind",
            "status",
            "established_on",
            "focal_office",
            "fields",
            "summary",
        ]
        widgets = {
            "fields": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "home_city").queryset = City.objects.home()
        _choice_field(self, "focal_office").queryset = Organisation.objects.filter(country="VN")


class CityForm(VersionedFormMixin, forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _suggest_as_typed(self)

    class Meta:
        model = City
        fields = [
            "name",
            "name_en",
            "name_local",
            "country",
            "region",
            "is_home",
            "population",
            "population_year",
            "area_km2",
            "latitude",
            "longitude",
            "profile",
            "profile_en",
            "relations_since",
            "timezone",
            "country_note",
            "country_note_en",
            "key_figures",
            "key_figures_en",
            "geonames_id",  # hidden: set by choosing the gazetteer's proposal
        ]
        widgets = {
            "geonames_id": forms.HiddenInput,
            "profile": forms.Textarea(attrs={"rows": 6}),
            "profile_en": forms.Textarea(attrs={"rows": 6}),
            "country_note": forms.Textarea(attrs={"rows": 4}),
            "country_note_en": forms.Textarea(attrs={"rows": 4}),
            "key_figures": forms.Textarea(attrs={"rows": 4}),
            "key_figures_en": forms.Textarea(attrs={"rows": 4}),
        }


def _suggest_as_typed(form: forms.ModelForm[City]) -> None:
    """The name field asks, as it is typed, what the name may be (htmx; the list is also
    a page of its own: partnerships:city_suggestions)."""
    form.fields["name"].widget.attrs.update(
        {
            "hx-get": reverse("partnerships:city_suggestions"),
            "hx-trigger": "keyup changed delay:400ms",
            "hx-target": "#suggestions",
            "hx-swap": "outerHTML",
            "autocomplete": "off",
        }
    )


CityNameFormSet = forms.inlineformset_factory(
    City, CityName, fields=["name", "language"], extra=1, can_delete=True
)


MAX_PHOTO_BYTES = 5 * 1024 * 1024


class PersonForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "full_name",
            "name_latin",
            "country",
            "email",
            "phone",
            "form_of_address",
            "form_of_address_en",
            "languages",
            "dietary_needs",
            "photo",
            "biography",
            "biography_en",
            "notes",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 4}),
            "biography": forms.Textarea(attrs={"rows": 6}),
            "biography_en": forms.Textarea(attrs={"rows": 6}),
            "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        }

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo and getattr(photo, "size", 0) > MAX_PHOTO_BYTES:
            raise forms.ValidationError(_("The photo is larger than 5 MB."))
        return photo


class PositionForm(PickerFormMixin, PartialDateFormMixin, EndKindFormMixin, forms.ModelForm):
    pickers = {"organisation": "organisations"}

    partial_dates = ("start", "end")
    end_kinds: ClassVar[dict[str, str]] = {"end_kind": "end"}

    class Meta:
        model = Position
        fields = ["organisation", "title", "title_en", "start", "end", "end_kind"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        # The database's rule (partial_range_constraint): an end known to the year or
        # month may fall in the same period as the start, never before it.
        if start and end and end.last_day() < start.date:
            self.add_error("end", _("The position cannot end before it starts."))
        return data


PositionFormSet = forms.inlineformset_factory(
    Person,
    Position,
    form=PositionForm,
    formset=SharedChoicesFormSet,
    extra=1,
    can_delete=True,
)


class OrganisationForm(PickerFormMixin, VersionedFormMixin, forms.ModelForm):
    # The parent is typed in, as a position's organisation: thousands at scale.
    pickers = {"city": "cities", "parent": "organisations"}

    class Meta:
        model = Organisation
        fields = [
            "name",
            "name_en",
            "abbreviation",
            "kind",
            "country",
            "city",
            "parent",
            "website",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def clean_parent(self) -> Organisation | None:
        # The database's rule (organisation_not_own_parent), said next to the field.
        parent: Organisation | None = self.cleaned_data.get("parent")
        if parent is not None and self.instance.pk is not None and parent.pk == self.instance.pk:
            raise forms.ValidationError(
                _("An organisation cannot be part of itself."), code="own_parent"
            )
        if parent is not None and self.instance.pk is not None and _is_under(parent, self.instance):
            raise forms.ValidationError(
                _("%(parent)s is already part of this organisation: it cannot also contain it."),
                code="parent_cycle",
                params={"parent": parent},
            )
        return parent


MAX_ORGANISATION_DEPTH = 50  # a hierarchy deeper than this is not an office's


def _is_under(organisation: Organisation, ancestor: Organisation) -> bool:
    """Whether ``ancestor`` is above ``organisation`` (its parent, its parent's parent…):
    one id read per level, and a chain already broken by a cycle still ends."""
    seen: set[int] = set()
    parent_id = organisation.parent_id
    while parent_id is not None and parent_id not in seen and len(seen) < MAX_ORGANISATION_DEPTH:
        if parent_id == ancestor.pk:
            return True
        seen.add(parent_id)
        parent_id = (
            Organisation.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
        )
    return False


def _choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's drop-down ``name`` (a foreign key's field), to narrow its choices."""
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


class _AccountField(forms.ModelChoiceField):
    """A staff account, shown by name."""

    def label_from_instance(self, obj: Any) -> str:
        return account_label(obj)


class FollowerForm(forms.Form):
    """An editor adds a colleague to a partnership's followers (the desk officer for
    Minsk), or takes one off: one change per POST, recorded in the partnership's history.

    Only active staff accounts can be added; any current follower can be taken off (an
    account deactivated since still shows until someone does)."""

    add = _AccountField(
        label=_("Add a follower"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Choose a staff account"),
    )
    remove = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, partnership: Partnership, data: Mapping[str, Any] | None = None) -> None:
        super().__init__(data)
        self.partnership = partnership
        cast(_AccountField, self.fields["add"]).queryset = staff_accounts().exclude(
            followed_partnerships=partnership
        )
        cast(forms.ModelChoiceField, self.fields["remove"]).queryset = partnership.followers.all()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not (cleaned.get("add") or cleaned.get("remove")):
            self.add_error("add", _("Choose a staff account to add."))
        return cleaned

    def save(self) -> User:
        """The account added or taken off."""
        added = self.cleaned_data.get("add")
        account = added or self.cleaned_data["remove"]
        self.partnership.set_followed(account, follow=added is not None)
        return account
