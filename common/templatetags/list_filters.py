"""``{% load list_filters %}``: ``{% list_filters filters action target %}``, a list's filter form.

The form (common/list_filters.html, see there) cost about 2 ms of every list page
(issue 16), a fifth of a list served from its cached results: the engine's loop over the
fields, and each drop-down's options. Yet it is the same for every request with the same
filters in the same language while the record does not change. Its HTML is cached under
``ListFilterForm.html_key`` (the form's class, the language, the query's values, the
data version, where it is sent) and served as it was rendered; with no key (inside a
transaction) it is rendered every time. Nothing in it is the user's own: no name, no
CSRF token (a GET form).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django import template
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from common.listing import ListFilterForm

register = template.Library()

TEMPLATE = "common/list_filters.html"
CACHE_SECONDS = 3600  # a safety net: a new data version makes the old keys unreachable


@register.simple_tag(takes_context=True)
def list_filters(
    context: template.Context, filters: ListFilterForm[Any], action: str, target: str
) -> SafeString:
    key = filters.html_key(action, target)
    if key is None:
        return _render(context, filters, action, target)
    full_key = "list-filters:" + hashlib.sha256(key.encode()).hexdigest()[:32]
    html = cache.get(full_key)
    if html is None:
        html = str(_render(context, filters, action, target))
        cache.set(full_key, html, CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 -- the form's own rendered (escaped) output


def _render(
    context: template.Context, filters: ListFilterForm[Any], action: str, target: str
) -> SafeString:
    """The form as {% include %} rendered it (the same engine, the same autoescaping)."""
    form = context.template.engine.get_template(TEMPLATE)  # type: ignore[union-attr]
    return form.render(context.new({"filters": filters, "action": action, "target": target}))
