from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = _("Common")

    def ready(self) -> None:
        from . import (
            collation,  # noqa: F401  (registers the vi collation on SQLite connections)
            gcfreeze,
            text_match,  # noqa: F401  (registers sc_fold on SQLite connections)
        )
        from .countries import use_vietnamese_order

        use_vietnamese_order()  # country lists in Vietnamese alphabetical order
        gcfreeze.connect()  # a warm worker's objects out of the full GC passes
        from .roles import ensure_roles_after_migrate

        # Groups need the permissions that exist only after every app migrated.
        post_migrate.connect(
            ensure_roles_after_migrate, sender=self, dispatch_uid="common.ensure_roles"
        )
