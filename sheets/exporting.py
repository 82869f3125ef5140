"""What an export may not do: lose or change a value (issue 17, finding 6).

An .xlsx cell holds at most 32,767 characters and writers cut longer text without a
word (an agreement's notes of 43,499 characters came back with 32,767). An export is
never truncated: a format that cannot hold every value is refused for the records
that hold one, naming them, and the formats that hold them (.csv, .ods: no cell limit)
are offered instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import tablib
from django.utils.translation import gettext, ngettext

# The most characters one cell of each format holds (formats not listed: no limit).
CELL_LIMITS = {"xlsx": 32_767}
# The formats offered instead when a value is over a format's limit.
UNLIMITED_FORMATS = ("csv", "ods")
# Records named in the message; the rest are counted.
_NAMED = 10


class ExportRefusedError(Exception):
    """The export in ``fmt`` would cut ``records``' text; the message is for the user."""

    def __init__(self, fmt: str, records: Sequence[str], limit: int) -> None:
        self.fmt = fmt
        self.records = list(records)
        self.limit = limit
        self.formats = UNLIMITED_FORMATS
        named = "; ".join(self.records[:_NAMED])
        if len(self.records) > _NAMED:
            named += " " + gettext("and %(count)s more") % {"count": len(self.records) - _NAMED}
        super().__init__(
            ngettext(
                "%(count)s record holds a text longer than an .%(format)s cell can hold "
                "(%(limit)s characters): %(records)s. Nothing is cut in an export: export "
                "as .csv or .ods, which keep every character.",
                "%(count)s records hold a text longer than an .%(format)s cell can hold "
                "(%(limit)s characters): %(records)s. Nothing is cut in an export: export "
                "as .csv or .ods, which keep every character.",
                len(self.records),
            )
            % {
                "count": len(self.records),
                "format": fmt,
                "limit": f"{limit:,}",
                "records": named,
            }
        )


def _label(headers: Sequence[str], row: Sequence[object]) -> str:
    """A record as staff know it: its reference and title when the sheet has them."""
    values = dict(zip(headers, row, strict=False))
    parts = [str(values[c]) for c in ("reference", "title") if values.get(c)]
    if not parts:
        parts = [str(row[0]) if row else "?"]
    text = " – ".join(parts)
    return text if len(text) <= 80 else text[:79] + "…"  # noqa: PLR2004


def check_cell_limits(dataset: tablib.Dataset, fmt: str) -> None:
    """Refuse ``fmt`` when a value of ``dataset`` is longer than its cells hold."""
    limit = CELL_LIMITS.get(fmt)
    if limit is None:
        return
    headers = list(dataset.headers or [])
    over = [
        _label(headers, row)
        for row in dataset
        if any(isinstance(value, str) and len(value) > limit for value in row)
    ]
    if over:
        raise ExportRefusedError(fmt, over, limit)
