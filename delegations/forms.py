"""Forms of the visits and action-items workspace."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast, override

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from common.cached_choices import CachedModelChoiceField
from common.concurrency import VersionedFormMixin
from common.date_fields import DayField, EndKindFormMixin, PartialDateFormMixin
from common.dependent_choices import chosen_id, refresh_on_change
from common.distinct_values import distinct_values_subquery
from common.fast_widgets import speed_up_widgets
from common.listing import ListFilterForm, SharedChoicesFormSet
from common.roles import account_label, staff_accounts
from common.text_match import any_field_contains
from delegations.models import (
    ActionItem,
    ActionItemQuerySet,
    Engagement,
    Visit,
    VisitParticipant,
    VisitQuerySet,
)
from partnerships.choices import field_of_cooperation_field, home_city_field
from partnerships.models import Organisation, Partnership
from partnerships.pickers import PickerFormMixin, picker

if TYPE_CHECKING:
    import datetime as dt

    from django.contrib.auth.models import User

DUE_SOON_DAYS = 30


class VisitFilterForm(ListFilterForm):
    SORTS = {
        "-start": ("-start_date", _("newest first")),
        "start": ("start_date", _("oldest first")),
        "title": ("title", _("title")),
        "status": ("status", _("status")),
    }
    default_sort = "-start"

    q = forms.CharField(label=_("Title or place"), required=False)
    # Typed (a partnership's two cities), not a drop-down of every partnership (issue 16).
    partnership = picker("partnerships", quick_add=False, label=_("Partnership"), required=False)
    home_city = home_city_field(label=_("Home city"), required=False)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("", "—"), *Visit.Direction.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *Visit.Status.choices], required=False
    )
    field = field_of_cooperation_field(label=_("Field of cooperation"), required=False)
    date_from = DayField(label=_("From"), required=False)
    date_until = DayField(label=_("Until"), required=False)

    def filter(self, queryset: VisitQuerySet) -> VisitQuerySet:
        data = self.cleaned_data
        if data.get("q"):
            # Accents and case ignored, as on the search page.
            queryset = queryset.filter(any_field_contains(["title", "place"], data["q"]))
        for name in ("partnership", "direction", "status"):
            if data.get(name):
                queryset = queryset.filter(**{name: data[name]})
        if data.get("home_city"):
            queryset = queryset.filter(partnership__home_city=data["home_city"])
        if data.get("field"):
            queryset = queryset.filter(partnership__fields=data["field"])
        if data.get("date_from"):
            queryset = queryset.filter(
                Q(end_date__gte=data["date_from"]) | Q(start_date__gte=data["date_from"])
            )
        if data.get("date_until"):
            queryset = queryset.filter(start_date__lte=data["date_until"])
        return queryset


class ActionItemFilterForm(ListFilterForm):
    SORTS = {
        "due": ("due_on", _("due date")),
        "-due": ("-due_on", _("due date, latest first")),
        "-priority": ("-priority", _("priority")),
        "status": ("status", _("status")),
    }
    default_sort = "due"
    OPEN = "open"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"

    q = forms.CharField(label=_("Description"), required=False)
    # Typed (a partnership's two cities), not a drop-down of every partnership (issue 16).
    partnership = picker("partnerships", quick_add=False, label=_("Partnership"), required=False)
    home_city = home_city_field(label=_("Home city"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", "—"), (OPEN, _("open (not done or dropped)")), *ActionItem.Status.choices],
        required=False,
    )
    due = forms.ChoiceField(
        label=_("Due"),
        choices=[
            ("", "—"),
            (OVERDUE, _("overdue")),
            (DUE_SOON, _("due in the next 30 days")),
        ],
        required=False,
    )
    owner_organisation = CachedModelChoiceField(
        label=_("Owner organisation"),
        # The owners read from the items' owner index, one probe per owner: not a join +
        # DISTINCT over every item (issue 6), nor a probe per organisation (issue 16).
        queryset=Organisation.objects.filter(
            pk__in=distinct_values_subquery(ActionItem, "owner_organisation")
        ),
        # which organisations own an item, and their names
        depends_on=("delegations", "partnerships"),
        required=False,
    )
    field = field_of_cooperation_field(label=_("Field of cooperation"), required=False)
    due_from = DayField(label=_("Due from"), required=False)
    due_until = DayField(label=_("Due until"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)

    def __init__(self, data: Any = None, *, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.user = user

    def results_for_user(self) -> bool:
        return bool(self.data.get("mine"))

    def filter(self, queryset: ActionItemQuerySet) -> ActionItemQuerySet:
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.filter(any_field_contains(["description"], data["q"]))
        if data.get("mine") and self.user is not None:
            queryset = queryset.assigned_to(self.user)
        queryset = self._by_status_and_due(queryset)
        for name in ("partnership", "owner_organisation", "field"):
            if data.get(name):
                queryset = queryset.filter(**{name: data[name]})
        if data.get("home_city"):
            queryset = queryset.filter(partnership__home_city=data["home_city"])
        if data.get("due_from"):
            queryset = queryset.filter(due_on__gte=data["due_from"])
        if data.get("due_until"):
            queryset = queryset.filter(due_on__lte=data["due_until"])
        return queryset

    def _by_status_and_due(self, queryset: ActionItemQuerySet) -> ActionItemQuerySet:
        """The status filter (one status, or all the open ones) and the due-date shortcut."""
        data = self.cleaned_data
        if data.get("status") == self.OPEN:
            queryset = queryset.open()
        elif data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("due") == self.OVERDUE:
            queryset = queryset.overdue()
        elif data.get("due") == self.DUE_SOON:
            queryset = queryset.due_within(days=DUE_SOON_DAYS)
        return queryset


class VisitForm(VersionedFormMixin, PartialDateFormMixin, EndKindFormMixin, forms.ModelForm):
    partial_dates = ("start_date",)
    end_kinds: ClassVar[dict[str, str]] = {"end_date_kind": "end_date"}

    end_date = DayField(label=_("End date"), required=False)

    class Meta:
        model = Visit
        fields = [
            "partnership",
            "direction",
            "status",
            "title",
            "title_en",
            "start_date",
            "end_date",
            "end_date_kind",
            "date_note",
            "place",
            "purpose",
            "purpose_en",
            "classification",
            "talking_points",
            "talking_points_en",
            "outcomes",
            "outcomes_en",
            "agreements_signed",
            "notes",
            "source_url",
            "budget_line",
            "budget_amount",
            "budget_currency",
            "security_notes",
            "security_notes_en",
            "health_notes",
            "health_notes_en",
        ]
        widgets = {
            "title": forms.TextInput(),
            "title_en": forms.TextInput(),
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "purpose_en": forms.Textarea(attrs={"rows": 3}),
            "talking_points": forms.Textarea(attrs={"rows": 4}),
            "talking_points_en": forms.Textarea(attrs={"rows": 4}),
            "outcomes": forms.Textarea(attrs={"rows": 4}),
            "outcomes_en": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "security_notes": forms.Textarea(attrs={"rows": 2}),
            "security_notes_en": forms.Textarea(attrs={"rows": 2}),
            "health_notes": forms.Textarea(attrs={"rows": 2}),
            "health_notes_en": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partnership_field = cast(forms.ModelChoiceField, self.fields["partnership"])
        partnership_field.queryset = Partnership.objects.with_cities()
        refresh_on_change(partnership_field, "partnership", dependents=["agreements_signed"])
        # Only the partnership's own agreements: the whole archive would not fit a list.
        partnership = chosen_id(self, "partnership")
        agreements = cast(forms.ModelMultipleChoiceField, self.fields["agreements_signed"])
        agreements.queryset = Agreement.objects.filter(partnership=partnership).only(
            "pk", "reference", "title"
        )
        agreements.required = False
        # Scripts and older pages that do not send it keep the office's currency.
        self.fields["budget_currency"].required = False


class ParticipantForm(PickerFormMixin, forms.ModelForm):
    pickers = {"person": "people"}

    class Meta:
        model = VisitParticipant
        fields = ["side", "person", "role", "position_title", "order"]
        widgets = {"order": forms.NumberInput(attrs={"min": 0, "class": "narrow"})}


class EngagementForm(forms.ModelForm):
    date = DayField(label=_("Date"), required=False)

    class Meta:
        model = Engagement
        fields = ["date", "time", "kind", "title", "place", "summary"]
        widgets = {
            "time": forms.TimeInput(format="%H:%M", attrs={"placeholder": "hh:mm"}),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "title": forms.TextInput(),
        }


class BaseParticipantFormSet(SharedChoicesFormSet):
    @override
    def clean(self) -> None:
        super().clean()
        heads = [
            f
            for f in self.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("role") == VisitParticipant.Role.HEAD
        ]
        if len(heads) > 1:
            raise forms.ValidationError(_("A delegation has only one head."))


ParticipantFormSet = forms.inlineformset_factory(
    Visit, VisitParticipant, form=ParticipantForm, formset=BaseParticipantFormSet, extra=3
)
EngagementFormSet = forms.inlineformset_factory(
    Visit, Engagement, form=EngagementForm, formset=SharedChoicesFormSet, extra=3
)


class StaffAccountsField(forms.ModelMultipleChoiceField):
    """Staff accounts, shown by name."""

    @override
    def label_from_instance(self, obj: Any) -> str:
        return account_label(obj)


class ActionItemForm(VersionedFormMixin, PartialDateFormMixin, forms.ModelForm):
    partial_dates = ("due_on",)

    class Meta:
        model = ActionItem
        fields = [
            "description",
            "partnership",
            "visit",
            "agreement",
            "field",
            "owner_organisation",
            "owner_person",
            "counterpart",
            "assignees",
            "due_on",
            "status",
            "priority",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"assignees": StaffAccountsField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partnership_field = cast(forms.ModelChoiceField, self.fields["partnership"])
        partnership_field.queryset = Partnership.objects.with_cities()
        refresh_on_change(partnership_field, "partnership", dependents=["visit", "agreement"])
        # Only the partnership's own visits and agreements: the archive would not fit a list.
        partnership = chosen_id(self, "partnership")
        cast(forms.ModelChoiceField, self.fields["visit"]).queryset = Visit.objects.filter(
            partnership=partnership
        ).only("pk", "title", "start_date", "start_date_precision")
        cast(forms.ModelChoiceField, self.fields["agreement"]).queryset = Agreement.objects.filter(
            partnership=partnership
        ).only("pk", "reference", "title")
        cast(StaffAccountsField, self.fields["assignees"]).queryset = staff_accounts()


class StatusForm(VersionedFormMixin, forms.ModelForm):
    """Change an action item's status and/or add a progress note (list row and detail page)."""

    note = forms.CharField(
        label=_("Progress note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    date = DayField(label=_("Date"), required=False)

    class Meta:
        model = ActionItem
        fields = ["status"]

    def __init__(self, *args: Any, author: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.author = author
        self._init_kwargs["author"] = author
        self.initial.setdefault("date", timezone.localdate())
        self.status_before = self.instance.status
        speed_up_widgets(self)  # one on every row of the lists and the partnership page

    @override
    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("note") and data.get("status") == self.status_before:
            raise forms.ValidationError(_("Change the status or write a progress note."))
        return data

    @override
    def save(self, commit: bool = True) -> ActionItem:
        item = super().save(commit=commit)
        note = self.cleaned_data.get("note")
        if commit and note:
            changed = item.status if item.status != self.status_before else ""
            item.add_progress(
                note=note,
                author=self.author,
                status_after=changed,
                date=self.cleaned_data.get("date"),
            )
        return item


class BulkStatusForm(forms.Form):
    """The status (and optional progress note) given to the items selected on the list."""

    status = forms.ChoiceField(
        label=_("New status of the selected items"), choices=ActionItem.Status.choices
    )
    note = forms.CharField(label=_("Progress note (optional)"), required=False, max_length=2000)


class BriefForm(forms.Form):
    """What the brief is made in, and as of which day.

    The language of the page unless another is chosen; as of today for a visit still to
    come, the visit's first day for a past one (``delegations.brief.default_as_of``).
    """

    # An unknown language or format is not an error: the defaults are used.
    lang = forms.CharField(
        label=_("Language of the brief"),
        widget=forms.Select(choices=[("vi", _("Vietnamese")), ("en", _("English"))]),
        required=False,
    )
    as_of = DayField(
        label=_("Facts as of"),
        required=False,
        help_text=_(
            "Nothing recorded after this day is printed; overdue and expiry marks are "
            "relative to it."
        ),
    )
    format = forms.CharField(
        label=_("Format"),
        widget=forms.Select(choices=[("pdf", _("PDF")), ("docx", _("Word (.docx), editable"))]),
        required=False,
    )

    def clean_lang(self) -> str:
        lang = self.cleaned_data.get("lang") or ""
        return lang if lang in ("vi", "en") else ""

    def clean_format(self) -> str:
        chosen = self.cleaned_data.get("format") or ""
        return chosen if chosen in ("pdf", "docx") else "pdf"

    def language(self, default: str) -> str:
        chosen = self.cleaned_data.get("lang") if self.is_valid() else ""
        return chosen or (default if default in ("vi", "en") else "vi")

    def options(self, *, default_language: str, default_day: dt.date) -> dict[str, str]:
        """The job's parameters: language, day (ISO) and format, defaults filled in."""
        day = self.cleaned_data.get("as_of") if self.is_valid() else None
        chosen_format = self.cleaned_data.get("format") if self.is_valid() else ""
        return {
            "lang": self.language(default_language),
            "as_of": (day or default_day).isoformat(),
            "format": chosen_format or "pdf",
        }
