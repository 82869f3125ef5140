"""Forms of the agreements workspace: the list filter, the agreement and its inline parts."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, AgreementDocument, AgreementQuerySet, EndKind, Signatory
from common.concurrency import VersionedFormMixin
from common.date_fields import DayField, PartialDateFormMixin
from common.dependent_choices import chosen_id, refresh_on_change
from common.listing import ListFilterForm, SharedChoicesFormSet
from common.text_match import any_field_contains
from partnerships.choices import field_of_cooperation_field, home_city_field
from partnerships.models import Organisation, Partnership
from partnerships.pickers import PickerFormMixin, picker


class AgreementFilterForm(ListFilterForm):
    SORTS = {
        "signed": ("signed_on", _("signed, oldest first")),
        "-signed": ("-signed_on", _("signed, newest first")),
        "reference": ("reference", _("reference")),
        "valid_until": ("valid_until", _("valid until")),
        "status": ("status", _("status")),
    }
    default_sort = "-signed"

    q = forms.CharField(label=_("Reference or title"), required=False)
    # Typed (a partnership's two cities), not a drop-down of every partnership (issue 16).
    partnership = picker("partnerships", quick_add=False, label=_("Partnership"), required=False)
    home_city = home_city_field(label=_("Home city"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *Agreement.Kind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *Agreement.Status.choices], required=False
    )
    field = field_of_cooperation_field(label=_("Field of cooperation"), required=False)
    signed_from = DayField(label=_("Signed from"), required=False)
    signed_until = DayField(label=_("Signed until"), required=False)

    def filter(self, queryset: AgreementQuerySet) -> AgreementQuerySet:
        data = self.cleaned_data
        if data.get("q"):
            # Accents and case ignored, as on the search page ("vieng chan" = "Viêng Chăn").
            queryset = queryset.filter(
                any_field_contains(["reference", "title", "title_en"], data["q"])
            )
        for name in ("partnership", "kind", "status"):
            if data.get(name):
                queryset = queryset.filter(**{name: data[name]})
        if data.get("home_city"):
            queryset = queryset.filter(partnership__home_city=data["home_city"])
        if data.get("field"):
            queryset = queryset.filter(fields=data["field"])
        if data.get("signed_from"):
            queryset = queryset.filter(signed_on__gte=data["signed_from"])
        if data.get("signed_until"):
            queryset = queryset.filter(signed_on__lte=data["signed_until"])
        return queryset


class AgreementForm(VersionedFormMixin, PartialDateFormMixin, forms.ModelForm):
    partial_dates = ("signed_on",)

    valid_from = DayField(label=_("Valid from"), required=False)
    valid_until = DayField(label=_("Valid until"), required=False)

    class Meta:
        model = Agreement
        fields = [
            "partnership",
            "reference",
            "kind",
            "status",
            "title",
            "title_en",
            "parent",
            "parent_relation",
            "signed_on",
            "signed_at",
            "valid_from",
            "valid_until",
            "valid_until_kind",
            "parties",
            "fields",
            "notes",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 4}),
            "title": forms.TextInput(),
            "title_en": forms.TextInput(),
            # Checkboxes, as on the partnership form (no Ctrl+click multi-select).
            "parties": forms.CheckboxSelectMultiple,
            "fields": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partnership = cast(forms.ModelChoiceField, self.fields["partnership"])
        partnership.queryset = Partnership.objects.with_cities()
        refresh_on_change(partnership, "partnership", dependents=["parent", "parties"])
        # An agreement implements or renews one of the same partnership's agreements.
        parents = Agreement.objects.filter(partnership=chosen_id(self, "partnership")).only(
            "pk", "reference", "title"
        )
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        cast(forms.ModelChoiceField, self.fields["parent"]).queryset = parents
        parties = cast(forms.ModelMultipleChoiceField, self.fields["parties"])
        parties.queryset = Organisation.objects.parties_for(
            chosen_id(self, "partnership"),
            chosen=self.instance.parties.all() if self.instance.pk else None,
        )
        parties.help_text = _(
            "The organisations of the partnership's two cities and their countries' national "
            "bodies (choose the partnership first)."
        )
        # Older clients and scripts that do not send it keep the old meaning (open-ended).
        self.fields["valid_until_kind"].required = False

    def clean_valid_until_kind(self) -> str:
        return self.cleaned_data.get("valid_until_kind") or EndKind.OPEN


class SignatoryForm(PickerFormMixin, forms.ModelForm):
    pickers = {"person": "people", "organisation": "organisations"}

    class Meta:
        model = Signatory
        fields = ["person", "role", "position_title", "organisation"]


class _Linked:
    """What ClearableFileInput's template shows for a stored file: its name, and a link."""

    def __init__(self, name: str, url: str) -> None:
        self.name, self.url = name, url

    def __str__(self) -> str:
        return self.name


class DocumentFileInput(forms.ClearableFileInput):
    """The "currently" link goes to the download view, never to a media URL."""

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        document = getattr(value, "instance", None)
        if (
            context["widget"]["is_initial"]
            and isinstance(document, AgreementDocument)
            and document.pk
        ):
            context["widget"]["value"] = _Linked(Path(value.name).name, document.get_absolute_url())
        return context


class DocumentForm(forms.ModelForm):
    class Meta:
        model = AgreementDocument
        fields = ["kind", "title", "language", "file"]
        widgets = {"file": DocumentFileInput}


SignatoryFormSet = forms.inlineformset_factory(
    Agreement,
    Signatory,
    form=SignatoryForm,
    formset=SharedChoicesFormSet,
    extra=2,
    can_delete=True,
)

DocumentFormSet = forms.inlineformset_factory(
    Agreement,
    AgreementDocument,
    form=DocumentForm,
    extra=1,
    can_delete=True,
)
