"""Column headings that sort a list: ``{% load sorting %}``.

``{% sort_header filters "reference" _("Reference") %}`` renders the ``<th>`` of a list
(common/list_page.html) whose link orders the list by that key of the filter form's
``SORTS``, or turns the order round when it is already the one applied. The order lives
in the URL (``?sort=``), like every filter, so the filter form carries it on: a plain link
(the whole page loads, its filter form showing the new order), no JavaScript needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from common.listing import ListFilterForm, flipped

if TYPE_CHECKING:
    from django.utils.safestring import SafeString
    from django_stubs_ext import StrOrPromise

register = template.Library()


def applied_sort(filters: ListFilterForm[Any]) -> str:
    cleaned = getattr(filters, "cleaned_data", {})
    return cleaned.get("sort") or filters.default_sort


@register.simple_tag(takes_context=True)
def sort_header(
    context: template.Context, filters: ListFilterForm[Any], key: str, label: StrOrPromise
) -> SafeString:
    current = applied_sort(filters)
    active = current in (key, flipped(key))
    target = flipped(current) if active else key
    query = context["request"].GET.copy()
    query["sort"] = target
    query.pop("page", None)
    if not active:
        return format_html(
            '<th scope="col" class="sortable"><a href="?{}">{}</a></th>', query.urlencode(), label
        )
    descending = current.startswith("-")
    return format_html(
        '<th scope="col" class="sortable" aria-sort="{}"><a href="?{}" title="{}">{} '
        '<span aria-hidden="true">{}</span></a></th>',
        "descending" if descending else "ascending",
        query.urlencode(),
        _("Turn the order round"),
        label,
        "▼" if descending else "▲",
    )
