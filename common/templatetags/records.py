"""``{% load records %}``: helpers of the agreements / visits / action-items pages.

``{% if user|can_delete %}`` true for administrators (``can_edit`` is in ``workspace``).
"""

from django import template

from common import permissions
from common.roles import AnyUser

register = template.Library()


@register.filter
def can_delete(user: AnyUser) -> bool:
    return permissions.can_delete(user)
