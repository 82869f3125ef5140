"""Template helpers shared by the workspace pages: ``{% load workspace %}``.

Filters
  ``partial_date``  a PartialDate (or None) as known: ``2004``, ``12/2023``, ``07/12/2023``;
                    "—" when unknown. ``{{ position.start_partial|partial_date }}``
  ``partial_of``    a model's partial date by field name: ``{{ partnership|partial_of:"established_on" }}``
  ``role_label``    the user's role, translated (viewer / editor / administrator)
  ``can_edit``      True for editors and administrators: ``{% if user|can_edit %}``
  ``fold``          the accent-free, lower-case form used by search
Tags
  ``{% nav_current "partnerships:partnership" %}`` → ``aria-current="page"`` when the
  current view's name starts with the prefix (used by the main navigation).
"""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from common import text
from common.partialdate import PartialDate
from common.roles import ADMINISTRATOR, EDITOR, VIEWER, role_of

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
def role_label(user) -> str:
    labels = {VIEWER: _("viewer"), EDITOR: _("editor"), ADMINISTRATOR: _("administrator")}
    return labels.get(cached_role(user), _("no role"))


@register.filter
def can_edit(user) -> bool:
    return cached_role(user) in (EDITOR, ADMINISTRATOR)


@register.filter(name="fold")
def fold_filter(value) -> str:
    return text.fold(str(value or ""))


@register.simple_tag(takes_context=True)
def nav_current(context, prefix: str) -> str:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    name = getattr(match, "view_name", "") or ""
    return mark_safe('aria-current="page"') if name.startswith(prefix) else ""
