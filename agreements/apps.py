from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Agreements")

    def ready(self) -> None:
        from agreements.import_jobs import IMPORT, PREVIEW
        from agreements.importing import register_sheet
        from agreements.models import ImportLog
        from jobs.kinds import register_kind

        register_sheet(ImportLog.Sheet.AGREEMENTS, "agreements.resources.AgreementResource")
        register_kind(PREVIEW)
        register_kind(IMPORT)
