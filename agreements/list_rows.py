"""The agreements list's rows, written in Python rather than by a template loop.

Read uncached (after any change) the list spent most of its CPU in the template's row
loop: some fifteen variable lookups, filters, a ``reverse`` and two ``get_FOO_display``
per row (issue 16). These rows are the HTML the loop wrote, escaped the same way
(tests/test_agreement_list_rows.py compares them in both languages).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from agreements.models import Agreement
from common.escaping import escape
from common.reversing import url_maker
from common.text import truncate_at_word

UNKNOWN = "—"
TITLE_ROOM = 120  # a longer title is cut, the whole of it in the cell's title
FIELDS_ROOM = 48  # the same for the fields' names


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
    """The fields' names joined, cut at a word past ``FIELDS_ROOM`` characters with the
    whole of them in the cell's title. Escaped once: the template's
    ``field_names|join:", "|truncate_at_word:48`` escaped them twice ("Khoa học &amp;amp;
    công nghệ" in the page, "&amp;" on screen)."""
    names = ", ".join(field_names)
    title = f' title="{escape(names)}"' if len(names) > FIELDS_ROOM else ""
    return f'<td class="secondary-cell"{title}>{escape(truncate_at_word(names, FIELDS_ROOM))}</td>'
