"""The agreements list's rows, written in Python rather than by a template loop.

Read uncached (after any change) the list spent most of its CPU in the template's row
loop: some fifteen variable lookups, filters, a ``reverse`` and two ``get_FOO_display``
per row (issue 16). These rows are the HTML the loop wrote, escaped the same way
(tests/test_agreement_list_rows.py compares them in both languages).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape as _stdlib_escape
from typing import Any

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from agreements.models import Agreement
from common.reversing import url_maker
from common.text import truncate_at_word

UNKNOWN = "—"
TITLE_ROOM = 120  # a longer title is cut, the whole of it in the cell's title
FIELDS_ROOM = 48  # the same for the fields' names


def escape(value: object) -> str:
    """``django.utils.html.escape`` (the same ``html.escape``) without its lazy wrapper."""
    return _stdlib_escape(str(value))


def agreement_rows(agreements: Iterable[Any]) -> SafeString:
    """One ``<tr>`` per agreement read with ``agreements.views.records.LIST_COLUMNS`` and
    ``AgreementQuerySet.with_field_names``."""
    url = url_maker("agreements:agreement_detail")
    # The choices' labels, translated and escaped once per list (``get_FOO_display``
    # rebuilds the choices' dict at every call).
    kinds = {value: escape(label) for value, label in Agreement.Kind.choices}
    statuses = {value: escape(label) for value, label in Agreement.Status.choices}
    rows = []
    for agreement in agreements:
        title = agreement.title
        long_title = f' title="{escape(title)}"' if len(title) > TITLE_ROOM else ""
        partnership = agreement.partnership
        status = agreement.status
        signed = agreement.signed
        rows.append(
            "\n  <tr>\n"
            f'    <td class="nowrap"><a href="{url(agreement.pk)}">'
            f"{escape(agreement.reference)}</a></td>\n"
            f'    <td class="title-cell"{long_title}>'
            f"{escape(truncate_at_word(title, TITLE_ROOM))}</td>\n"
            f'    <td class="secondary-cell">'
            f"{escape(partnership.home_city.name)} – {escape(partnership.partner_city.name)}"
            "</td>\n"
            f"    <td>{kinds.get(agreement.kind) or escape(agreement.kind)}</td>\n"
            f'    <td><span class="badge badge-{escape(status)}">'
            f"{statuses.get(status) or escape(status)}</span></td>\n"
            f'    <td class="nowrap">{escape(signed.format()) if signed else UNKNOWN}</td>\n'
            f'    <td class="nowrap">{escape(agreement.period_label() or UNKNOWN)}</td>\n'
            f"    {_fields_cell(agreement.field_names)}\n"
            "  </tr>\n"
        )
    return mark_safe("".join(rows))  # noqa: S308 (every value escaped above)


def _fields_cell(field_names: list[str]) -> str:
    """The template's ``{% with names=agreement.field_names|join:", " %}`` cell: ``join``
    escapes each name, and the length and the cut are those of the escaped text (a cut
    one is escaped once more, as ``truncate_at_word`` returned it unsafe)."""
    names = ", ".join(escape(name) for name in field_names)
    title = f' title="{names}"' if len(names) > FIELDS_ROOM else ""
    shown = truncate_at_word(mark_safe(names), FIELDS_ROOM)  # noqa: S308 (escaped above)
    return f'<td class="secondary-cell"{title}>{conditional_escape(shown)}</td>'
