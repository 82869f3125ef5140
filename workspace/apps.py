from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """What reads across the record apps: the shell, the dashboard, search, the story pages."""

    name = "workspace"
    verbose_name = _("Workspace")

    def ready(self) -> None:
        from . import freshness

        freshness.connect()  # every change to the record bumps the data version
