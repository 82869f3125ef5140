"""``{% load visit_rows %}``: ``{% visit_rows page_obj.object_list %}``, the rows of the visits list.

The rows (common/list_page.html's ``rows`` block) are written in Python rather than by
the template engine: the results fragment was about half of the list's CPU when first
rendered after a change (issue 16), mostly the engine's work per cell (a with-block, a url
tag, eight variables and five filters a row). What every row shares (the choices'
translated labels, the URLs' shape) is worked out once per page (``RowWriter``). Same HTML
as the template it replaces: tests/test_visit_rows.py compares them, in both languages,
for an editor and a viewer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django import template
from django.utils.html import conditional_escape as escape
from django.utils.safestring import SafeString, mark_safe

from common.reversing import url_maker
from common.templatetags.textcut import truncate_at_word
from delegations.models import Visit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

register = template.Library()

# The length the list cuts a place at (the template's ``truncate_at_word`` argument):
# longer, cut, the whole text in the cell's title.
PLACE_ROOM = 48


@register.simple_tag
def visit_rows(visits: Iterable[Visit]) -> SafeString:
    write = RowWriter()
    return mark_safe("".join(write.row(visit) for visit in visits))  # noqa: S308 (escaped in row())


class RowWriter:
    def __init__(self) -> None:
        self.directions = _labels(Visit.Direction.choices)
        self.statuses = _labels(Visit.Status.choices)
        self.url = url_maker("delegations:visit_detail")  # one ``reverse`` a page

    def row(self, visit: Visit) -> SafeString:
        place = visit.place
        title = f' title="{escape(place)}"' if len(place) > PLACE_ROOM else ""
        return mark_safe(  # noqa: S308 (every value escaped here)
            "\n  <tr>\n"
            f'    <td class="nowrap">{escape(visit.dates_label() or "—")}</td>\n'
            f'    <td class="title-cell"><a href="{escape(self.url(visit.pk))}">'
            f"{escape(visit.title)}</a></td>\n"
            f'    <td class="secondary-cell">{escape(str(visit.partnership))}</td>\n'
            f"    <td>{_badge(visit.direction, self.directions)}</td>\n"
            f"    <td>{_badge(visit.status, self.statuses)}</td>\n"
            f'    <td class="secondary-cell"{title}>'
            f"{escape(truncate_at_word(place, PLACE_ROOM) or '—')}</td>\n"
            "  </tr>\n"
        )


def _labels(choices: Iterable[tuple[str, StrOrPromise]]) -> dict[str, str]:
    """The choices' labels in the active language, escaped."""
    return {value: escape(label) for value, label in choices}


def _badge(value: str, labels: dict[str, str]) -> str:
    """The value's badge; a value that is not a choice shown as it is (as get_FOO_display())."""
    shown = labels.get(value)
    if shown is None:
        shown = escape(str(value))
    return f'<span class="badge badge-{escape(value)}">{shown}</span>'
