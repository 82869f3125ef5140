"""The rows of a visit edited one at a time on the visit page (issue 13 pt 6, issue 17 pt 8).

Each kind of row (delegation and counterparts, programme items, travel, accommodation,
contacts, gifts, objectives and talking points, speeches, sources) has a form here and an
entry in ``PARTS``. The views in ``delegations/views/visit_parts.py`` add, change and
delete one row per request — every change is one history record — so a visit with
hundreds of programme items never posts a form near Django's 1,000-field limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.concurrency import VersionedFormMixin
from common.date_fields import DayField
from delegations.models import (
    Accommodation,
    BriefPoint,
    Engagement,
    Gift,
    LocalContact,
    TravelSegment,
    Visit,
    VisitDocument,
    VisitParticipant,
    VisitSource,
)
from partnerships.models import Person
from partnerships.pickers import PickerFormMixin

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TIME_WIDGET = forms.TimeInput(format="%H:%M", attrs={"placeholder": "hh:mm"})
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def day_first(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """Every date of a row is typed day first (``DayField``), as everywhere in the app."""
    if type(db_field) is models.DateField:  # not a DateTimeField (a subclass)
        return db_field.formfield(form_class=DayField, **kwargs)
    return db_field.formfield(**kwargs)


class VisitPartForm(VersionedFormMixin, forms.ModelForm):
    """A form of one row of ``visit``; the visit is set by the view, never posted.

    An existing row's form carries the row's version (``VersionedFormMixin``): two
    people changing the same row are told, as for whole records; rows of the same visit
    are independent, so changing two different rows never conflicts."""

    class Meta:
        # The rows' forms' Meta inherit it (each names its model and fields).
        formfield_callback = day_first

    def __init__(self, *args: Any, visit: Visit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_kwargs["visit"] = visit  # for the form ``rebase`` makes after a conflict
        self.instance.visit = visit
        self.visit = visit


class ParticipantRowForm(PickerFormMixin, VisitPartForm):
    pickers: ClassVar[dict[str, str]] = {"person": "people"}

    class Meta(VisitPartForm.Meta):
        model = VisitParticipant
        fields = ["side", "person", "role", "position_title", "phone", "order"]
        widgets = {"order": forms.NumberInput(attrs={"min": 0, "class": "narrow"})}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("role") == VisitParticipant.Role.HEAD:
            heads = self.visit.participants.filter(role=VisitParticipant.Role.HEAD)
            if heads.exclude(pk=self.instance.pk).exists():
                self.add_error("role", _("A delegation has only one head."))
        person = data.get("person")
        if person is not None:
            others = self.visit.participants.filter(person=person)
            if others.exclude(pk=self.instance.pk).exists():
                self.add_error("person", _("This person is already listed for this visit."))
        return data


class EngagementRowForm(VisitPartForm):
    class Meta(VisitPartForm.Meta):
        model = Engagement
        fields = [
            "date",
            "date_note",
            "time",
            "end_time",
            "kind",
            "title",
            "title_en",
            "place",
            "dress",
            "accompanied_by",
            "counterparts",
            "summary",
            "summary_en",
        ]
        widgets = {
            "time": TIME_WIDGET,
            "end_time": TIME_WIDGET,
            "title": forms.TextInput(),
            "title_en": forms.TextInput(),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "summary_en": forms.Textarea(attrs={"rows": 2}),
            "accompanied_by": forms.CheckboxSelectMultiple,
            "counterparts": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, visit: Visit, **kwargs: Any) -> None:
        super().__init__(*args, visit=visit, **kwargs)
        # Chosen among the visit's own people: ours go along, theirs are met.
        for name, side in (
            ("accompanied_by", VisitParticipant.Side.DELEGATION),
            ("counterparts", VisitParticipant.Side.COUNTERPART),
        ):
            field = cast(forms.ModelMultipleChoiceField, self.fields[name])
            people = Person.objects.filter(visit_participations__visit=visit)
            chosen = models.Q(visit_participations__side=side)
            if self.instance.pk:
                chosen |= models.Q(pk__in=getattr(self.instance, name).values("pk"))
            field.queryset = people.filter(chosen).distinct().only("pk", "full_name")
            field.help_text = _("People listed on this visit.")


class TravelSegmentForm(VisitPartForm):
    class Meta(VisitPartForm.Meta):
        model = TravelSegment
        fields = [
            "mode",
            "carrier",
            "number",
            "from_place",
            "to_place",
            "departure_date",
            "departure_time",
            "arrival_date",
            "arrival_time",
            "seats",
            "notes",
            "is_sample",
        ]
        widgets = {"departure_time": TIME_WIDGET, "arrival_time": TIME_WIDGET}


class AccommodationForm(VisitPartForm):
    class Meta(VisitPartForm.Meta):
        model = Accommodation
        fields = ["name", "address", "phone", "check_in", "check_out", "notes", "is_sample"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        check_in, check_out = data.get("check_in"), data.get("check_out")
        if check_in and check_out and check_out < check_in:
            self.add_error("check_out", _("Check-out cannot be before check-in."))
        return data


class LocalContactForm(VisitPartForm):
    class Meta(VisitPartForm.Meta):
        model = LocalContact
        fields = ["kind", "name", "organisation", "phone", "email", "notes", "order", "is_sample"]
        widgets = {"order": forms.NumberInput(attrs={"min": 0, "class": "narrow"})}


class GiftForm(VisitPartForm):
    class Meta(VisitPartForm.Meta):
        model = Gift
        fields = [
            "direction",
            "description",
            "description_en",
            "person",
            "organisation",
            "notes",
            "is_sample",
        ]


class BriefPointForm(VisitPartForm):
    class Meta(VisitPartForm.Meta):
        model = BriefPoint
        fields = ["kind", "text", "text_en", "answer", "answer_en", "order"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "text_en": forms.Textarea(attrs={"rows": 2}),
            "answer": forms.Textarea(attrs={"rows": 2}),
            "answer_en": forms.Textarea(attrs={"rows": 2}),
            "order": forms.NumberInput(attrs={"min": 0, "class": "narrow"}),
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("kind") != BriefPoint.Kind.QUESTION and (
            data.get("answer") or data.get("answer_en")
        ):
            self.add_error("answer", _("Only a defensive question has an answer."))
        return data


class VisitDocumentForm(VisitPartForm):
    class Meta(VisitPartForm.Meta):
        model = VisitDocument
        fields = ["kind", "title", "title_en", "language", "file"]

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and getattr(upload, "size", 0) > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class VisitSourceForm(VisitPartForm):
    class Meta(VisitPartForm.Meta):
        model = VisitSource
        fields = ["publisher", "title", "url", "published_on", "order"]
        widgets = {"order": forms.NumberInput(attrs={"min": 0, "class": "narrow"})}


@dataclass(frozen=True)
class PartKind:
    """One kind of row of a visit, as the visit page lists and edits it."""

    slug: str
    related_name: str
    form: type[VisitPartForm]
    title: StrOrPromise
    add_label: StrOrPromise

    @property
    def model(self) -> type[models.Model]:
        return cast(type[models.Model], self.form._meta.model)

    def rows(self, visit: Visit) -> models.QuerySet[Any]:
        return cast(models.Manager[Any], getattr(visit, self.related_name)).all()


PARTS: dict[str, PartKind] = {
    kind.slug: kind
    for kind in (
        PartKind(
            "people",
            "participants",
            ParticipantRowForm,
            _("Delegation and counterparts"),
            _("Add a person"),
        ),
        PartKind(
            "programme", "engagements", EngagementRowForm, _("Programme"), _("Add a programme item")
        ),
        PartKind(
            "points",
            "brief_points",
            BriefPointForm,
            _("Objectives and talking points"),
            _("Add a point"),
        ),
        PartKind("travel", "travel_segments", TravelSegmentForm, _("Travel"), _("Add a journey")),
        PartKind(
            "accommodation",
            "accommodations",
            AccommodationForm,
            _("Accommodation"),
            _("Add accommodation"),
        ),
        PartKind(
            "contacts", "local_contacts", LocalContactForm, _("Local contacts"), _("Add a contact")
        ),
        PartKind("gifts", "gifts", GiftForm, _("Gifts"), _("Add a gift")),
        PartKind(
            "documents",
            "documents",
            VisitDocumentForm,
            _("Speeches and documents"),
            _("Add a document"),
        ),
        PartKind("sources", "sources", VisitSourceForm, _("Sources"), _("Add a source")),
    )
}

# The children whose changes the visit page's history shows.
HISTORY_CHILDREN = " ".join(kind.related_name for kind in PARTS.values())
