from typing import override

from django.contrib import admin
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Accommodation,
    ActionItem,
    BriefPoint,
    Engagement,
    Gift,
    LocalContact,
    ProgressUpdate,
    TravelSegment,
    Visit,
    VisitDocument,
    VisitParticipant,
    VisitSource,
)


class VisitParticipantInline(admin.TabularInline):
    model = VisitParticipant
    extra = 1
    autocomplete_fields = ["person"]


class EngagementInline(admin.StackedInline):
    model = Engagement
    extra = 0
    autocomplete_fields = ["counterparts"]


class VisitActionItemInline(admin.TabularInline):
    model = ActionItem
    fk_name = "visit"
    extra = 0
    fields = ["description", "field", "owner_organisation", "due_on", "due_on_precision", "status"]
    autocomplete_fields = ["owner_organisation"]
    show_change_link = True


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    list_display = ["title", "direction", "partnership", "start_date", "end_date", "status"]
    list_filter = [
        "direction",
        "status",
        "partnership__home_city",
        "partnership__partner_city__country",
    ]
    search_fields = [
        "title",
        "purpose",
        "place",
        "partnership__partner_city__name",
        "participants__person__full_name",
    ]
    list_select_related = ["partnership__home_city", "partnership__partner_city"]
    autocomplete_fields = ["partnership", "agreements_signed"]
    date_hierarchy = "start_date"
    inlines = [VisitParticipantInline, EngagementInline, VisitActionItemInline]


class ProgressUpdateInline(admin.TabularInline):
    model = ProgressUpdate
    extra = 1
    fields = ["date", "note", "status_after", "author"]
    readonly_fields = ["author"]


@admin.register(ActionItem)
class ActionItemAdmin(SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "partnership",
        "field",
        "owner_organisation",
        "due_on",
        "status",
        "priority",
    ]
    list_filter = ["status", "priority", "field", "partnership__home_city", "owner_organisation"]
    search_fields = [
        "description",
        "partnership__partner_city__name",
        "visit__title",
        "agreement__reference",
    ]
    list_select_related = [
        "partnership__home_city",
        "partnership__partner_city",
        "field",
        "owner_organisation",
    ]
    autocomplete_fields = [
        "partnership",
        "visit",
        "agreement",
        "owner_organisation",
        "owner_person",
        "counterpart",
    ]
    inlines = [ProgressUpdateInline]

    @override
    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for instance in instances:
            # The admin is for signed-in staff only: the user is never anonymous here.
            if (
                isinstance(instance, ProgressUpdate)
                and instance.author_id is None
                and request.user.is_authenticated
            ):
                instance.author = request.user
            instance.save()
        formset.save_m2m()


@admin.register(Engagement)
class EngagementAdmin(SimpleHistoryAdmin):
    list_display = ["title", "visit", "date", "time", "kind", "place"]
    list_filter = ["kind"]
    search_fields = ["title", "summary", "visit__title"]
    list_select_related = ["visit"]
    autocomplete_fields = ["visit", "counterparts"]


# The parts of a visit's briefing book (issue 13): edited row by row on the visit page, here
# for the administrator who needs to look one up or correct it.


@admin.register(TravelSegment)
class TravelSegmentAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "visit", "mode", "departure_date", "arrival_date"]
    list_filter = ["mode"]
    search_fields = ["from_place", "to_place", "carrier", "number", "visit__title"]
    list_select_related = ["visit"]
    autocomplete_fields = ["visit"]


@admin.register(Accommodation)
class AccommodationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "visit", "check_in", "check_out"]
    search_fields = ["name", "address", "visit__title"]
    list_select_related = ["visit"]
    autocomplete_fields = ["visit"]


@admin.register(LocalContact)
class LocalContactAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "organisation", "phone", "visit"]
    list_filter = ["kind"]
    search_fields = ["name", "organisation", "visit__title"]
    list_select_related = ["visit"]
    autocomplete_fields = ["visit"]


@admin.register(Gift)
class GiftAdmin(SimpleHistoryAdmin):
    list_display = ["description", "direction", "visit", "person", "organisation"]
    list_filter = ["direction"]
    search_fields = ["description", "description_en", "visit__title"]
    list_select_related = ["visit", "person", "organisation"]
    autocomplete_fields = ["visit", "person", "organisation"]


@admin.register(BriefPoint)
class BriefPointAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "visit"]
    list_filter = ["kind"]
    search_fields = ["text", "text_en", "answer", "visit__title"]
    list_select_related = ["visit"]
    autocomplete_fields = ["visit"]


@admin.register(VisitDocument)
class VisitDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "language", "visit", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["title", "title_en", "visit__title"]
    list_select_related = ["visit"]
    autocomplete_fields = ["visit"]


@admin.register(VisitSource)
class VisitSourceAdmin(SimpleHistoryAdmin):
    list_display = ["title", "publisher", "url", "published_on", "visit"]
    search_fields = ["title", "publisher", "url", "visit__title"]
    list_select_related = ["visit"]
    autocomplete_fields = ["visit"]
