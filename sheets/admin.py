from typing import override

from django.contrib import admin
from django.http import HttpRequest

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
    ]
    list_filter = ["sheet", "outcome"]
    search_fields = ["file_name", "user__username"]
    list_select_related = ["user"]

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
