from typing import override

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .models import ImportLog, SavedMapping


@admin.register(ImportLog)
class ImportLogAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "sheet",
        "file_name",
        "user",
        "outcome",
        "rows_total",
        "rows_new",
        "rows_updated",
        "rows_unchanged",
        "rows_with_errors",
        "reverted_at",
        "log_page",
    ]
    list_filter = ["sheet", "outcome"]
    search_fields = ["file_name", "user__username"]
    list_select_related = ["user"]

    @admin.display(description=_("log page"))
    def log_page(self, obj: ImportLog) -> SafeString:
        """The import's page in the workspace, where an administrator can revert it."""
        return format_html(
            '<a href="{}">{}</a>', reverse("sheets:import_log", args=[obj.pk]), _("open")
        )

    @override
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @override
    def has_change_permission(self, request: HttpRequest, obj: ImportLog | None = None) -> bool:
        return False


@admin.register(SavedMapping)
class SavedMappingAdmin(admin.ModelAdmin):
    list_display = ["sheet", "name", "created_by", "updated_at"]
    list_filter = ["sheet"]
    search_fields = ["name"]
