"""``{% load actionitem_rows %}``: ``{% actionitem_row %}``, one row of the action-items list.

The row (``record`` in common/list_page.html's loop) is written in Python rather than by
the template engine: its cells (a select box with the bulk change's version, the due
date, the description with its visit and agreement, the partnership, the owners and the
assignees, the priority, the inline status change) cost about 40 % of the list's CPU
when it is first rendered after a change (issue 16: the list near the floor). Same HTML
as the template it replaces: tests/test_actionitem_rows.py compares them, in both
languages, for an editor and a viewer.
"""

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape as escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from common.templatetags.textcut import truncate_at_word
from common.templatetags.workspace import can_edit, partial_date
from delegations.models import ActionItem
from delegations.templatetags.actionitems import status_html

register = template.Library()

# The lengths the list cuts texts at (the template's ``truncate_at_word`` arguments).
DESCRIPTION_ROOM = 100  # longer: cut, the whole text in the link's title
NAME_ROOM = 60


@register.simple_tag(takes_context=True)
def actionitem_row(context: template.Context) -> SafeString:
    item: ActionItem = context["record"]
    pk = item.pk
    user = context.get("user")
    select = _select_cell(item) if user is not None and can_edit(user) else ""
    description = item.description
    title = f' title="{escape(description)}"' if len(description) > DESCRIPTION_ROOM else ""
    sources = _sources(item)
    owner = str(escape(truncate_at_word(item.owner_organisation, NAME_ROOM) or "—"))
    if item.owner_person is not None:
        owner += f"<br><small>{escape(str(item.owner_person))}</small>"
    url = reverse("delegations:actionitem_detail", args=[pk])
    return mark_safe(  # noqa: S308 (every value escaped here or by format_html)
        f'\n  <tr id="actionitem-{pk}">\n'
        f"    {select}\n"
        f'    <td class="nowrap">{escape(partial_date(item.due))}</td>\n'
        f'    <td class="title-cell"><a href="{escape(url)}"{title}>'
        f"{escape(truncate_at_word(description, DESCRIPTION_ROOM))}</a>\n"
        f'      <br><small class="muted">{sources}</small></td>\n'
        f'    <td class="secondary-cell">{escape(str(item.partnership))}</td>\n'
        f'    <td class="secondary-cell">{owner}{_assignees(item)}</td>\n'
        f"    <td>{escape(item.get_priority_display())}</td>\n"
        f"    <td>{status_html(context, item)}</td>\n"
        "  </tr>\n"
    )


def _select_cell(item: ActionItem) -> str:
    """The checkbox of the bulk change, its version (includes/bulk_version.html), its label."""
    pk = item.pk
    label = gettext("Select “%(item)s”") % {
        "item": escape(truncate_at_word(item.description, NAME_ROOM))
    }
    return (
        f'<td class="select-cell"><input type="checkbox" id="select-{pk}" name="items" '
        f'value="{pk}" form="bulk-status"><input type="hidden" id="version-{pk}" '
        f'name="version-{pk}" value="{item.version}" form="bulk-status">'
        f'<label for="select-{pk}" class="visually-hidden">{label}</label></td>'
    )


def _sources(item: ActionItem) -> str:
    """Where the item was agreed: the visit's title, the agreement's reference, or both."""
    parts = []
    if item.visit is not None:
        parts.append(escape(truncate_at_word(item.visit.title, NAME_ROOM)))
    if item.agreement is not None:
        parts.append(escape(item.agreement.reference))
    return " · ".join(parts)


def _assignees(item: ActionItem) -> str:
    """The staff the item is assigned to (includes/assignees.html), prefetched."""
    names = [
        escape(account.get_full_name() or account.get_username())
        for account in item.assignees.all()
    ]
    if not names:
        return "\n"
    title = escape(gettext("Assigned to"))
    return f'<br><small class="assignees" title="{title}">→ {", ".join(names)}</small>\n'
