from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data (the real cases of the seed articles) and the benchmark's bulk archive."""

    name = "demo"
    verbose_name = _("Demo data")
