from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelegationsConfig(AppConfig):
    name = "delegations"
    verbose_name = _("Delegations")

    def ready(self) -> None:
        from agreements.importing import register_sheet
        from agreements.models import ImportLog
        from delegations.brief_jobs import BRIEF
        from jobs.kinds import register_kind

        register_sheet(ImportLog.Sheet.VISITS, "delegations.resources.VisitResource")
        register_sheet(ImportLog.Sheet.ACTION_ITEMS, "delegations.resources.ActionItemResource")
        register_kind(BRIEF)
