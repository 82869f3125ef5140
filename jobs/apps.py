from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Long work off the request: the job record, its progress, its result, its pages."""

    name = "jobs"
    verbose_name = _("Background jobs")
