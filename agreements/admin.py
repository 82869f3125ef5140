from typing import override

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Agreement, AgreementDocument, Signatory


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 1
    autocomplete_fields = ["person", "organisation"]


class AgreementDocumentInline(admin.TabularInline):
    model = AgreementDocument
    extra = 0


CHILD_AGREEMENT_COLUMNS = ("reference", "title", "kind", "parent_relation", "status")


class ChildAgreementInline(admin.TabularInline):
    model = Agreement
    fk_name = "parent"
    fields = CHILD_AGREEMENT_COLUMNS
    readonly_fields = CHILD_AGREEMENT_COLUMNS
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("implementing or renewing agreement")
    verbose_name_plural = _("implementing or renewing agreements")

    @override
    def has_add_permission(self, request: HttpRequest, obj: Agreement | None = None) -> bool:
        return False


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = [
        "reference",
        "title",
        "kind",
        "partnership",
        "signed_on",
        "valid_from",
        "valid_until",
        "status",
    ]
    list_filter = [
        "status",
        "kind",
        "partnership__home_city",
        "partnership__partner_city__country",
        "fields",
    ]
    search_fields = [
        "reference",
        "title",
        "title_en",
        "partnership__partner_city__name",
        "partnership__partner_city__name_en",
    ]
    list_select_related = ["partnership__home_city", "partnership__partner_city"]
    autocomplete_fields = ["partnership", "parent", "parties"]
    filter_horizontal = ["fields"]
    date_hierarchy = "signed_on"
    inlines = [SignatoryInline, AgreementDocumentInline, ChildAgreementInline]
