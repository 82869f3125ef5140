"""The sheets the record apps define, found without their importing this app.

A record app names its sheet definitions (the resource class that turns a row into its
records, by dotted path) in its AppConfig::

    class AgreementsConfig(AppConfig):
        sheets = {"agreements": "agreements.resources.AgreementResource"}

The record apps stand below ``sheets`` and may not import it; ``sheets`` reads the
attribute from every installed app instead.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from common.sheetkit.resource import SheetResource


@cache
def registered_sheets() -> dict[str, str]:
    """Sheet kind (an ``ImportLog.Sheet``) → dotted path of its resource class."""
    found: dict[str, str] = {}
    for config in apps.get_app_configs():
        found.update(getattr(config, "sheets", {}))
    return found


def resource_for(sheet: str) -> type[SheetResource[Any]]:
    return import_string(registered_sheets()[sheet])
