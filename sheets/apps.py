from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SheetsConfig(AppConfig):
    """Spreadsheet import and export for every sheet the record apps define."""

    name = "sheets"
    verbose_name = _("Spreadsheets")

    def ready(self) -> None:
        from jobs.kinds import register_kind
        from sheets.import_jobs import IMPORT, PREVIEW

        register_kind(PREVIEW)
        register_kind(IMPORT)
