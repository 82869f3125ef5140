"""``{% load actionitem_rows %}``: ``{% actionitem_rows %}``, the rows of the action-items list.

The rows (``page_obj.object_list``, common/list_page.html's ``rows`` block) are written in
Python rather than by the template engine: their cells (a select box with the bulk
change's version, the due date, the description with its visit and agreement, the
partnership, the owners and the assignees, the priority, the inline status change) cost
about 40 % of the list's CPU when it is first rendered after a change (issue 16: the list
near the floor). What every row shares (the user's role, the translated words, the URLs'
shape, the CSRF token) is worked out once per page (``RowWriter``); what a row names of
other records (its partnership's cities, its owners, visit and agreement, its assignees)
is read with it as text (``ActionItemQuerySet.with_list_names``). Same HTML as the
template it replaces: tests/test_actionitem_rows.py compares them, in both languages, for
an editor and a viewer.
"""

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from common.escaping import escape
from common.reversing import url_maker
from common.templatetags.textcut import truncate_at_word
from common.templatetags.workspace import can_edit, partial_date
from delegations.models import ActionItem
from delegations.templatetags.actionitems import StatusCells
from partnerships.choices import partnership_label

register = template.Library()

# The lengths the list cuts texts at (the template's ``truncate_at_word`` arguments).
DESCRIPTION_ROOM = 100  # longer: cut, the whole text in the link's title
NAME_ROOM = 60


@register.simple_tag(takes_context=True)
def actionitem_rows(context: template.Context, items: Iterable[ActionItem]) -> SafeString:
    """The rows of ``items`` read ``for_list().with_list_names()``."""
    write = RowWriter(context)
    return mark_safe("".join(write.row(item) for item in items))  # noqa: S308 (escaped in row())


@register.simple_tag(takes_context=True)
def actionitem_row(context: template.Context) -> SafeString:
    """One row, ``record`` (a loop of the template's own)."""
    return RowWriter(context).row(context["record"])


class RowWriter:
    def __init__(self, context: template.Context) -> None:
        user = context.get("user")
        self.editor = user is not None and can_edit(user)
        self.status = StatusCells(context)
        self.select_label = gettext("Select “%(item)s”")
        self.assigned_to = escape(gettext("Assigned to"))
        self.priorities = {value: escape(label) for value, label in ActionItem.Priority.choices}
        self.url = url_maker("delegations:actionitem_detail")  # one ``reverse`` a page

    def row(self, item: ActionItem) -> SafeString:
        """``item`` read with ``with_list_names``: the names of what it refers to are its
        attributes (``LIST_NAMES``), None where it refers to no such record."""
        pk = item.pk
        names = item.__dict__  # the annotations, which django-stubs cannot know
        select = self._select_cell(item) if self.editor else ""
        description = item.description
        title = f' title="{escape(description)}"' if len(description) > DESCRIPTION_ROOM else ""
        owner = escape(truncate_at_word(names["owner_organisation_name"], NAME_ROOM) or "—")
        if names["owner_person_name"] is not None:
            owner += f"<br><small>{escape(names['owner_person_name'])}</small>"
        partnership = partnership_label((names["home_city_name"], names["partner_city_name"]))
        priority = self.priorities.get(item.priority)
        if priority is None:  # not a choice: shown as it is, as get_priority_display() does
            priority = escape(item.priority)
        return mark_safe(  # noqa: S308 (every value escaped here or by StatusCells)
            f'\n  <tr id="actionitem-{pk}">\n'
            f"    {select}\n"
            f'    <td class="nowrap">{escape(partial_date(item.due))}</td>\n'
            f'    <td class="title-cell"><a href="{escape(self.url(pk))}"{title}>'
            f"{escape(truncate_at_word(description, DESCRIPTION_ROOM))}</a>\n"
            f'      <br><small class="muted">{_sources(names)}</small></td>\n'
            f'    <td class="secondary-cell">{escape(partnership)}</td>\n'
            f'    <td class="secondary-cell">{owner}{self._assignees(item)}</td>\n'
            f"    <td>{priority}</td>\n"
            f"    <td>{self.status.html(item)}</td>\n"
            "  </tr>\n"
        )

    def _select_cell(self, item: ActionItem) -> str:
        """The checkbox of the bulk change, its version (includes/bulk_version.html), its label."""
        pk = item.pk
        label = self.select_label % {"item": escape(truncate_at_word(item.description, NAME_ROOM))}
        return (
            f'<td class="select-cell"><input type="checkbox" id="select-{pk}" name="items" '
            f'value="{pk}" form="bulk-status"><input type="hidden" id="version-{pk}" '
            f'name="version-{pk}" value="{item.version}" form="bulk-status">'
            f'<label for="select-{pk}" class="visually-hidden">{label}</label></td>'
        )

    def _assignees(self, item: ActionItem) -> str:
        """The staff the item is assigned to (includes/assignees.html), read with the row."""
        names = [escape(name) for name in item.assigned_names()]
        if not names:
            return "\n"
        return f'<br><small class="assignees" title="{self.assigned_to}">→ {", ".join(names)}</small>\n'


def _sources(names: dict[str, Any]) -> str:
    """Where the item was agreed: the visit's title, the agreement's reference, or both."""
    parts = []
    if names["visit_title"] is not None:
        parts.append(escape(truncate_at_word(names["visit_title"], NAME_ROOM)))
    if names["agreement_reference"] is not None:
        parts.append(escape(names["agreement_reference"]))
    return " · ".join(parts)
