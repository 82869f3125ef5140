"""Template filters of every record page: ``{% load workspace %}``.

(The library kept its name from before the workspace app existed; the shell's own tags,
``role_label`` and ``nav_current``, are workspace/templatetags/shell.py.)

Filters
  ``partial_date``  a PartialDate (or None) as known: ``2004``, ``12/2023``, ``07/12/2023``;
                    "—" when unknown. ``{{ position.start_partial|partial_date }}``
  ``partial_of``    a model's partial date by field name: ``{{ partnership|partial_of:"established_on" }}``
  ``can_edit``      True for editors and administrators: ``{% if user|can_edit %}``
  ``fold``          the accent-free, lower-case form used by search
"""

from django import template
from django.db import models

from common import permissions, text
from common.partialdate import PartialDate
from common.roles import AnyUser

register = template.Library()

UNKNOWN = "—"


@register.filter
def partial_date(value: PartialDate | None, unknown: str = UNKNOWN) -> str:
    return value.format() if value else unknown


@register.filter
def partial_of(obj: models.Model, field: str) -> str:
    value = getattr(obj, field, None)
    precision = getattr(obj, f"{field}_precision", None)
    return partial_date(PartialDate.of(value, precision))


def cached_role(user: AnyUser) -> str | None:
    """``role_of`` once per request (the cache ``common.permissions`` keeps on the user)."""
    return permissions.user_role(user)


@register.filter
def can_edit(user: AnyUser) -> bool:
    return permissions.can_edit(user)


@register.filter(name="fold")
def fold_filter(value: object) -> str:
    return text.fold(str(value or ""))
