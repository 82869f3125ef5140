"""``{% load my_work_rows %}``: ``{% my_work_rows page_obj.object_list %}``, my work's
rows written in Python rather than by a template loop.

My work is never served from a cache (each row carries the reader's inline status
change), so its loop ran at every view: 25 rows, each with a dozen lookups, two filters,
two ``{% url %}`` and an ``{% include %}`` making its own ``StatusCells`` (issue 16: my
work the one list above 4x the logged-in floor). What every row shares (the translated
words, the URLs' shape, the user's role and CSRF token) is worked out once per page.
Same HTML as the loop it replaces: tests/test_my_work_rows.py compares them, in both
languages, for an editor and a viewer.
"""

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString, mark_safe

from common.escaping import escape
from common.reversing import url_maker
from common.templatetags.textcut import truncate_at_word
from common.templatetags.workspace import partial_date
from delegations.models import ActionItem
from delegations.templatetags.actionitems import StatusCells

register = template.Library()

DESCRIPTION_ROOM = 120


@register.simple_tag(takes_context=True)
def my_work_rows(context: template.Context, items: Iterable[ActionItem]) -> SafeString:
    """The ``<tr>`` of each item read ``with_names`` (workspace/my_work.py)."""
    item_url = url_maker("delegations:actionitem_detail")
    partnership_url = url_maker("partnerships:partnership_detail")
    priorities = {value: escape(label) for value, label in ActionItem.Priority.choices}
    status = StatusCells(context)
    rows = []
    for item in items:
        names = item.__dict__  # the annotations, which django-stubs cannot know
        sources = []
        if item.visit_id is not None:
            sources.append(escape(names["visit_title"]))
        if item.agreement_id is not None:
            sources.append(escape(names["agreement_reference"]))
        priority = priorities.get(item.priority)
        if priority is None:  # not a choice: shown as it is, as get_priority_display() does
            priority = escape(item.priority)
        pk = item.pk
        rows.append(
            f'\n  <tr id="actionitem-{pk}">\n'
            f'    <td class="nowrap">{escape(partial_date(item.due))}</td>\n'
            f'    <td><a href="{escape(item_url(pk))}">'
            f"{escape(truncate_at_word(item.description, DESCRIPTION_ROOM))}</a>\n"
            f'      <br><small class="muted">{" · ".join(sources)}</small></td>\n'
            f'    <td><a href="{escape(partnership_url(item.partnership_id))}">'
            f"{escape(names['partnership_name'])}</a></td>\n"
            f"    <td>{priority}</td>\n"
            f"    <td>{status.html(item)}</td>\n"
            "  </tr>\n"
        )
    return mark_safe("".join(rows))  # noqa: S308 (every value escaped here or by StatusCells)
