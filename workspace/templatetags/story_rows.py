"""``{% load story_rows %}``: ``{% open_item_rows open_items.rows %}``, the partnership
page's open action items written in Python rather than by a template loop.

The page's open items are not cached with the record's sections (each carries the
reader's inline status change), so their loop ran at every view: twenty items, each
with a dozen lookups, two filters, two ``reverse`` and an ``{% include %}`` (issue 16:
the page near the logged-in floor). Same HTML as the loop it replaces:
tests/test_story_rows.py compares them, in both languages, for an editor and a viewer.
"""

from collections.abc import Iterable

from django import template
from django.utils.html import conditional_escape as escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from common.reversing import url_maker
from common.templatetags.textcut import truncate_at_word
from common.templatetags.workspace import partial_date
from delegations.models import ActionItem
from delegations.templatetags.actionitems import status_html

register = template.Library()

DESCRIPTION_ROOM = 160
VISIT_TITLE_ROOM = 60


@register.simple_tag(takes_context=True)
def open_item_rows(context: template.Context, items: Iterable[ActionItem]) -> SafeString:
    """The ``<li>`` of each item, as the loop of partnership_detail.html wrote them."""
    item_url = url_maker("delegations:actionitem_detail")
    visit_url = url_maker("delegations:visit_detail")
    due = escape(gettext("due"))
    rows = []
    for item in items:
        meta = f"{due} {escape(partial_date(item.due))}"
        owner = item.owner_organisation
        if owner:
            meta += f" · {escape(owner.abbreviation or owner.name)}"
        visit = item.visit
        if visit:
            meta += (
                f' · <a href="{escape(visit_url(visit.pk))}">'
                f"{escape(truncate_at_word(visit.title, VISIT_TITLE_ROOM))}</a>"
            )
        rows.append(
            "\n              <li>\n"
            f'                <a href="{escape(item_url(item.pk))}">'
            f"{escape(truncate_at_word(item.description, DESCRIPTION_ROOM))}</a>\n"
            f'                <div class="item-meta">{meta}</div>\n'
            f"                {status_html(context, item)}\n"
            "              </li>\n            "
        )
    return mark_safe("".join(rows))  # noqa: S308 (every value escaped above or by format_html)
