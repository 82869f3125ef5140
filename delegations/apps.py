from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelegationsConfig(AppConfig):
    name = "delegations"
    verbose_name = _("Delegations")
    # The sheets this app defines, read by sheets/registry.py.
    sheets = {
        "visits": "delegations.resources.VisitResource",
        "action_items": "delegations.resources.ActionItemResource",
    }

    def ready(self) -> None:
        from delegations.brief_jobs import BRIEF
        from jobs.kinds import register_kind

        register_kind(BRIEF)
