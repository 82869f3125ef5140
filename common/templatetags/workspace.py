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

from common import text
from common.partialdate import PartialDate
from common.roles import ADMINISTRATOR, EDITOR, role_of

register = template.Library()

UNKNOWN = "—"


@register.filter
def partial_date(value: PartialDate | None, unknown: str = UNKNOWN) -> str:
    return value.format() if value else unknown


@register.filter
def partial_of(obj, field: str) -> str:
    value = getattr(obj, field, None)
    precision = getattr(obj, f"{field}_precision", None)
    return partial_date(PartialDate.of(value, precision))


def cached_role(user) -> str | None:
    """``role_of`` once per request: the user object lives as long as the request."""
    if not hasattr(user, "_workspace_role"):
        user._workspace_role = role_of(user)
    return user._workspace_role


@register.filter
def can_edit(user) -> bool:
    return cached_role(user) in (EDITOR, ADMINISTRATOR)


@register.filter(name="fold")
def fold_filter(value) -> str:
    return text.fold(str(value or ""))
