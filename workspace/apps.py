from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from common.cached_choices import set_version_source


class WorkspaceConfig(AppConfig):
    """What reads across the record apps: the shell, the dashboard, search, the story pages."""

    name = "workspace"
    verbose_name = _("Workspace")

    def ready(self) -> None:
        from . import freshness

        freshness.connect()  # every change to the record bumps the data version
        # Cached drop-down choices (common/cached_choices.py) are keyed by that version
        # (or by the counters of the apps they are read from).
        set_version_source(freshness.version_for_reading)
