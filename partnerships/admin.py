from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import City, CityName, FieldOfCooperation, Organisation, Partnership, Person, Position


class CityNameInline(admin.TabularInline):
    model = CityName
    extra = 1


@admin.register(City)
class CityAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "name_en",
        "name_local",
        "country",
        "region",
        "is_home",
        "population",
        "geonames_id",
    ]
    list_filter = ["is_home", "country"]
    search_fields = ["name", "name_en", "name_local", "alternative_names__name", "region"]
    inlines = [CityNameInline]


@admin.register(FieldOfCooperation)
class FieldOfCooperationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "name_en", "code"]
    search_fields = ["name", "name_en", "code"]
    prepopulated_fields = {"code": ["name_en"]}


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "abbreviation", "kind", "city", "country", "parent"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "name_en", "abbreviation", "city__name"]
    list_select_related = ["city", "parent"]
    autocomplete_fields = ["city", "parent"]


class PositionInline(admin.TabularInline):
    model = Position
    extra = 1
    autocomplete_fields = ["organisation"]
    fields = [
        "title",
        "title_en",
        "organisation",
        "start",
        "start_precision",
        "end",
        "end_precision",
    ]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "name_latin", "country"]
    list_filter = ["country"]
    search_fields = ["full_name", "name_latin", "positions__title", "positions__organisation__name"]
    inlines = [PositionInline]


@admin.register(Position)
class PositionAdmin(SimpleHistoryAdmin):
    list_display = ["person", "title", "organisation", "start", "end"]
    list_filter = ["organisation__kind", "organisation__country"]
    search_fields = ["person__full_name", "title", "organisation__name"]
    list_select_related = ["person", "organisation"]
    autocomplete_fields = ["person", "organisation"]


@admin.register(Partnership)
class PartnershipAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "status", "established_on", "focal_office"]
    list_filter = ["status", "kind", "home_city", "partner_city__country", "fields"]
    search_fields = [
        "home_city__name",
        "partner_city__name",
        "partner_city__name_en",
        "partner_city__alternative_names__name",
    ]
    list_select_related = ["home_city", "partner_city", "focal_office"]
    autocomplete_fields = ["home_city", "partner_city", "focal_office"]
    filter_horizontal = ["fields"]
