"""The preview of an import as lines of text: what the web preview shows, for the CLI.

Everything the page says is here too (issue 12, point 11): the counts, the header row,
which header fed which column, the columns ignored and those absent, the date cells to
be read one way or the other, each row's errors, changes (old → new) and notes (new
cities, fields, people). Called inside ``translation.override`` for one language.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.utils.translation import gettext

if TYPE_CHECKING:
    from sheets.importing import ImportOutcome, RowReport


def preview_lines(outcome: ImportOutcome) -> Iterator[str]:
    yield from _about_the_sheet(outcome)
    for error in outcome.errors:
        yield gettext("Error: %(error)s") % {"error": error}
    for ambiguity in outcome.ambiguous_dates:
        yield gettext(
            "  row %(row)d, %(column)s: %(as_stored)s as stored, %(swapped)s day and month swapped"
        ) % {
            "row": ambiguity.row,
            "column": ambiguity.column,
            "as_stored": ambiguity.as_stored,
            "swapped": ambiguity.swapped,
        }
    for key in dict.fromkeys(a.key or a.column for a in outcome.ambiguous_dates):
        yield gettext(
            "Choose how to read the date cells of %(column)s: --date-cells %(column)s=as-stored "
            "or --date-cells %(column)s=day-month-swapped."
        ) % {"column": key}
    for column, value in outcome.unknown_values:
        yield gettext(
            'Unknown value in %(column)s: “%(value)s” (map it: --value %(column)s:"%(value)s"=CODE).'
        ) % {"column": column, "value": value}
    for name, suggestions in outcome.unknown_cities:
        yield gettext("City found nowhere: “%(name)s”%(maybe)s (create it: --create-cities).") % {
            "name": name,
            "maybe": gettext("; did you mean %(s)s?") % {"s": "; ".join(suggestions)}
            if suggestions
            else "",
        }
    for row in outcome.rows:
        yield from _row_lines(row)
    if outcome.rows:
        yield outcome.summary()


def _about_the_sheet(outcome: ImportOutcome) -> Iterator[str]:
    if outcome.header_row:
        yield gettext("Header on row %(row)d.") % {"row": outcome.header_row}
    if outcome.columns:
        yield gettext("Columns: %(columns)s.") % {
            "columns": ", ".join(f"“{header}” → {column}" for header, column in outcome.columns)
        }
    if outcome.ignored_columns:
        yield gettext("Ignored columns: %(columns)s.") % {
            "columns": ", ".join(f"“{c}”" for c in outcome.ignored_columns)
        }
    if outcome.absent_columns:
        yield gettext("Columns not in the sheet (left as they are): %(columns)s.") % {
            "columns": ", ".join(outcome.absent_columns)
        }


def _row_lines(row: RowReport) -> Iterator[str]:
    number, key, status = row.number, row.key, row.status_label
    yield gettext("Row %(row)d %(key)s: %(status)s") % {
        "row": number,
        "key": key or "—",
        "status": status,
    }
    for column, message in row.errors:
        yield (
            gettext("  row %(row)d, column %(column)s: %(message)s")
            % {"row": number, "column": column, "message": message}
            if column
            else gettext("  row %(row)d: %(message)s") % {"row": number, "message": message}
        )
    for column, old, new in row.changes:
        yield f"  {column}: {old or '—'} → {new or '—'}"
    for note in row.notes:
        yield f"  {note}"
