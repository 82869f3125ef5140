"""Template tags of the shell (the header and the navigation of base.html): ``{% load shell %}``.

Filters
  ``role_label``    the user's role, translated (viewer / editor / administrator)
  ``may_use_admin`` whether the user menu offers the Django admin (administrators only)
Tags
  ``{% nav_current "partnerships:partnership" %}`` → ``aria-current="page"`` when the
  current view's name starts with the prefix (used by the main navigation).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from common import permissions
from common.roles import ADMINISTRATOR, EDITOR, VIEWER
from common.templatetags.workspace import cached_role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

register = template.Library()


@register.filter
def role_label(user: User | AnonymousUser) -> str:
    labels: dict[str | None, str] = {
        VIEWER: _("viewer"),
        EDITOR: _("editor"),
        ADMINISTRATOR: _("administrator"),
    }
    return labels.get(cached_role(user), _("no role"))


@register.filter
def may_use_admin(user: User | AnonymousUser) -> bool:
    return permissions.may_use_admin(user)


@register.simple_tag(takes_context=True)
def nav_current(context: template.Context, prefix: str) -> str:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    name = getattr(match, "view_name", "") or ""
    return mark_safe('aria-current="page"') if name.startswith(prefix) else ""
