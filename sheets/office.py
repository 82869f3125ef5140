"""The export for people (issue 12, point 12): ``--style office`` and the web's choice.

The technical export has the English column names and the codes, every value as text.
The office export is the same records as staff would type them, and imports back to no
change:

* headers in the user's language: the sheet's first Vietnamese name for the column
  (``HEADER_ALIASES``) or the English name written as words ("Partner city"), both of
  which the import recognises;
* choices (kind, status…) by their label in that language, which the import accepts;
* countries by their name in that language ("Bê-la-rút", "Belarus"), not their ISO code:
  the import reads country names in Vietnamese and English (``parse_country``);
* full dates as real date cells shown day first (dd/mm/yyyy); partial dates (``2004``,
  ``12/2023``) stay text, so no column mixes date cells with day-first text;
* the records' sheet named after them ("Thỏa thuận"), and a second sheet listing the
  allowed values. A .csv has one sheet and its dates stay text.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import TYPE_CHECKING, Any

import tablib
from django.utils import translation
from django.utils.translation import gettext
from django_countries import countries

from sheets.exporting import check_cell_limits

if TYPE_CHECKING:
    from common.sheetkit.resource import SheetResource

STYLES = ("technical", "office")
_FULL_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
DATE_FORMAT = "DD/MM/YYYY"


def header(resource_class: type[SheetResource[Any]], column: str, lang: str) -> str:
    """The column's name for people, in ``lang`` (Vietnamese, else English)."""
    aliases = resource_class.HEADER_ALIASES.get(column, ())
    if lang == "vi" and aliases:
        return aliases[0]
    return column.replace("_", " ").capitalize()


def _labels(resource_class: type[SheetResource[Any]]) -> dict[str, dict[str, str]]:
    """column → {code: label} for the choice columns, in the active language."""
    return {
        column: {str(code): str(label) for code, label in choices.choices}
        for column, (choices, _synonyms) in resource_class.CHOICE_COLUMNS.items()
    }


def _country_names() -> dict[str, str]:
    """ISO code → the country's name in the active language."""
    return {str(code): str(name) for code, name in countries}


def _is_country(column: str) -> bool:
    """The sheets name their country columns so: ``home_country``, ``partner_country``."""
    return column == "country" or column.endswith("_country")


def _full_date(value: object) -> object:
    """A dd/mm/yyyy text as a date; anything else (a partial date, a blank) as it is."""
    match = _FULL_DATE.match(value) if isinstance(value, str) else None
    if match is None:
        return value
    day, month, year = (int(part) for part in match.groups())
    return dt.date(year, month, day)


def office_dataset(
    resource_class: type[SheetResource[Any]], dataset: tablib.Dataset, lang: str, *, dates: bool
) -> tablib.Dataset:
    """``dataset`` (the technical export) with people's headers, labels and date cells."""
    columns = list(dataset.headers or [])
    with translation.override(lang):
        labels = _labels(resource_class)
        names = _country_names()
        title = str(resource_class._meta.model._meta.verbose_name_plural).capitalize()
    date_columns = set(resource_class.DATE_COLUMNS) if dates else set()
    result = tablib.Dataset(headers=[header(resource_class, c, lang) for c in columns])
    result.title = title
    for row in dataset:
        values = []
        for column, value in zip(columns, row, strict=True):
            if column in labels:
                values.append(labels[column].get(str(value), value))
            elif _is_country(column) and value:
                values.append(names.get(str(value), value))
            elif column in date_columns:
                values.append(_full_date(value))
            else:
                values.append(value)
        result.append(values)
    return result


def allowed_dataset(resource_class: type[SheetResource[Any]], lang: str) -> tablib.Dataset:
    """The second sheet: the values each column accepts, in ``lang``."""
    with translation.override(lang):
        labels = _labels(resource_class)
        allowed = tablib.Dataset(
            headers=[gettext("column"), gettext("value"), gettext("also accepted")]
        )
        for column, value, meaning in resource_class.allowed_values():
            shown = labels.get(column, {}).get(value, value)
            also = meaning if shown == value else f"{value}; {meaning}"
            allowed.append([header(resource_class, column, lang), shown, also])
        allowed.title = gettext("Allowed values")
    return allowed


def office_bytes(
    resource_class: type[SheetResource[Any]], dataset: tablib.Dataset, fmt: str, lang: str
) -> bytes:
    """The office export as a file (raises ``ExportRefusedError`` rather than cut text)."""
    check_cell_limits(dataset, fmt)
    sheet = office_dataset(resource_class, dataset, lang, dates=fmt != "csv")
    if fmt == "csv":
        return ("\ufeff" + sheet.export("csv")).encode("utf-8")
    allowed = allowed_dataset(resource_class, lang)
    if fmt == "xlsx":
        return _xlsx(sheet, allowed)
    if fmt == "ods":
        return tablib.Databook([sheet, allowed]).export("ods")
    raise ValueError(fmt)


def _xlsx_safe(value: object) -> object:
    """Control characters (other than tab and line breaks) are not allowed in .xlsx cells."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _xlsx(*sheets: tablib.Dataset) -> bytes:
    """Text as text (never a formula), dates as date cells shown day first."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    book.remove(book.active)
    for dataset in sheets:
        ws = book.create_sheet(title=(dataset.title or "Sheet")[:31])
        ws.append(list(dataset.headers or []))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in dataset:
            ws.append([_xlsx_safe(v) for v in row])
        for cells in ws.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, dt.date):
                    cell.number_format = DATE_FORMAT
                elif isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
        for column in ws.columns:
            width = max((len(str(c.value or "")) for c in column[:200]), default=10)
            ws.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
