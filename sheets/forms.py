"""The import page's forms: the upload, and how to read the sheet (header row, columns,
date cells, blanks, home city, a saved mapping)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerships.models import City
from sheets import importing
from sheets.dates import READINGS
from sheets.importing import ImportOptions
from sheets.models import SavedMapping
from sheets.registry import resource_for

MAX_MAPPED_HEADERS = 60  # as many as a sheet may have columns


class ReadingForm(forms.Form):
    """How to read the sheet; one ``map_N`` choice per header the import did not recognise
    (its text in the hidden ``header_N``)."""

    header_row = forms.IntegerField(
        label=gettext_lazy("Header row"),
        help_text=gettext_lazy("Leave empty to find it among the first 20 rows."),
        min_value=1,
        required=False,
    )
    saved_mapping = forms.ChoiceField(label=gettext_lazy("Saved column mapping"), required=False)
    home_city = forms.ChoiceField(
        label=gettext_lazy("Home city of rows that name none"), required=False
    )
    blank_clears = forms.BooleanField(
        label=gettext_lazy("A blank cell clears the stored value (otherwise it keeps it)"),
        required=False,
    )
    date_cells = forms.ChoiceField(
        label=gettext_lazy("Date cells that may have been read month-first"),
        choices=[("", gettext_lazy("ask me")), *READINGS.items()],
        required=False,
    )
    save_mapping_as = forms.CharField(
        label=gettext_lazy("Save the column mapping as"), max_length=100, required=False
    )

    def __init__(  # noqa: PLR0913 — keyword-only: the sheet and what its preview found
        self,
        *args: Any,
        sheet: str,
        columns: Sequence[str],
        unknown: Sequence[str] = (),
        unknown_values: Sequence[tuple[str, str]] = (),
        value_choices: Mapping[str, Sequence[tuple[str, str]]] | None = None,
        unknown_cities: Sequence[tuple[str, Sequence[str]]] = (),
        ambiguous_columns: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        mappings = SavedMapping.objects.filter(sheet=sheet).values_list("name", flat=True)
        cast("forms.ChoiceField", self.fields["saved_mapping"]).choices = [
            ("", "—"),
            *((n, n) for n in mappings),
        ]
        homes = City.objects.home().values_list("name", flat=True)
        cast("forms.ChoiceField", self.fields["home_city"]).choices = [
            ("", "—"),
            *((n, n) for n in homes),
        ]
        choices = [("", gettext_lazy("leave out")), *((c, c) for c in columns)]
        self.unknown = list(unknown)[:MAX_MAPPED_HEADERS]
        for number, header in enumerate(self.unknown):
            self.fields[f"header_{number}"] = forms.CharField(
                initial=header, widget=forms.HiddenInput, required=False
            )
            self.fields[f"map_{number}"] = forms.ChoiceField(
                label=header, choices=choices, required=False
            )
        self.unknown_values = [
            (column, value)
            for column, value in list(unknown_values)[:MAX_MAPPED_HEADERS]
            if column in (value_choices or {})
        ]
        self._add_city_ticks(unknown_cities)
        self._add_date_readings(ambiguous_columns)
        for number, (column, value) in enumerate(self.unknown_values):
            self.fields[f"valuekey_{number}"] = forms.CharField(
                initial=f"{column}:{value}", widget=forms.HiddenInput, required=False
            )
            self.fields[f"value_{number}"] = forms.ChoiceField(
                label=f"{column}: “{value}”",
                choices=[("", "—"), *(value_choices or {})[column]],
                required=False,
            )

    @classmethod
    def unknown_from(cls, data: Any) -> list[str]:
        """The headers a posted form maps (its hidden ``header_N`` fields)."""
        found = []
        for number in range(MAX_MAPPED_HEADERS):
            header = data.get(f"header_{number}")
            if header is None:
                break
            found.append(header)
        return found

    def _add_city_ticks(self, unknown_cities: Sequence[tuple[str, Sequence[str]]]) -> None:
        self.unknown_cities = [name for name, _s in unknown_cities][:MAX_MAPPED_HEADERS]
        for number, (name, suggestions) in enumerate(unknown_cities[:MAX_MAPPED_HEADERS]):
            self.fields[f"citykey_{number}"] = forms.CharField(
                initial=name, widget=forms.HiddenInput, required=False
            )
            self.fields[f"newcity_{number}"] = forms.BooleanField(
                label=_("Create the city “%(name)s”") % {"name": name},
                help_text=_("Did you mean: %(s)s?") % {"s": "; ".join(suggestions)}
                if suggestions
                else "",
                required=False,
            )

    def _add_date_readings(self, ambiguous_columns: Sequence[tuple[str, str]]) -> None:
        """One choice per ambiguous date column (issue 12, point 7): how to read its cells."""
        self.ambiguous_columns = list(ambiguous_columns)[:MAX_MAPPED_HEADERS]
        for number, (key, header) in enumerate(self.ambiguous_columns):
            self.fields[f"datekey_{number}"] = forms.CharField(
                initial=f"{key}:{header}", widget=forms.HiddenInput, required=False
            )
            self.fields[f"datecells_{number}"] = forms.ChoiceField(
                label=_("Date cells of “%(column)s”") % {"column": header},
                choices=[("", gettext_lazy("ask me")), *READINGS.items()],
                required=False,
            )

    @classmethod
    def ambiguous_columns_from(cls, data: Any) -> list[tuple[str, str]]:
        """The (column, header) pairs a posted form reads (its hidden ``datekey_N`` fields)."""
        found = []
        for number in range(MAX_MAPPED_HEADERS):
            key = data.get(f"datekey_{number}")
            if key is None:
                break
            column, _sep, header = key.partition(":")
            found.append((column, header))
        return found

    def date_fields(self) -> list[forms.BoundField]:
        return [self[f"datecells_{n}"] for n in range(len(self.ambiguous_columns))]

    @classmethod
    def unknown_cities_from(cls, data: Any) -> list[tuple[str, list[str]]]:
        """The cities a posted form offers to create (its hidden ``citykey_N`` fields)."""
        found: list[tuple[str, list[str]]] = []
        for number in range(MAX_MAPPED_HEADERS):
            name = data.get(f"citykey_{number}")
            if name is None:
                break
            found.append((name, []))
        return found

    def city_fields(self) -> list[forms.BoundField]:
        return [self[f"newcity_{n}"] for n in range(len(self.unknown_cities))]

    @classmethod
    def unknown_values_from(cls, data: Any) -> list[tuple[str, str]]:
        """The (column, value) pairs a posted form maps (its hidden ``valuekey_N`` fields)."""
        found = []
        for number in range(MAX_MAPPED_HEADERS):
            key = data.get(f"valuekey_{number}")
            if key is None:
                break
            column, _sep, value = key.partition(":")
            found.append((column, value))
        return found

    def value_fields(self) -> list[forms.BoundField]:
        return [self[f"value_{n}"] for n in range(len(self.unknown_values))]

    def mapping_fields(self) -> list[forms.BoundField]:
        return [self[f"map_{n}"] for n in range(len(self.unknown))]

    def options(self, base: ImportOptions | None = None) -> ImportOptions:
        """The choices made, over ``base`` (a saved mapping's columns, then those mapped here)."""
        data = self.cleaned_data
        mapping = dict(base.mapping) if base else {}
        ignore = list(base.ignore) if base else []
        values = {c: dict(v) for c, v in base.values.items()} if base else {}
        new_cities = list(base.new_cities) if base else []
        date_readings = dict(base.date_readings) if base else {}
        for number, (date_column, _header) in enumerate(self.ambiguous_columns):
            if reading := data.get(f"datecells_{number}"):
                date_readings[date_column] = reading
        new_cities += [
            name for n, name in enumerate(self.unknown_cities) if data.get(f"newcity_{n}")
        ]
        if data.get("saved_mapping"):
            saved = SavedMapping.objects.filter(
                sheet=self.sheet, name=data["saved_mapping"]
            ).first()
            if saved is not None:
                mapping.update(saved.columns)
                ignore += saved.ignored
                for column, chosen in saved.values.items():
                    values.setdefault(column, {}).update(chosen)
        for number, header in enumerate(self.unknown):
            column = data.get(f"map_{number}")
            if column:
                mapping[column] = header
        for number, (column, value) in enumerate(self.unknown_values):
            if code := data.get(f"value_{number}"):
                values.setdefault(column, {})[value] = code
        return ImportOptions(
            header_row=data.get("header_row"),
            mapping=mapping,
            ignore=tuple(dict.fromkeys(ignore)),
            date_cells=data.get("date_cells") or "",
            date_readings=date_readings,
            blank="clear" if data.get("blank_clears") else "keep",
            home_city=data.get("home_city") or "",
            values=values,
            new_cities=tuple(dict.fromkeys(new_cities)),
        )


class ImportForm(ReadingForm):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet"),
        help_text=gettext_lazy("An .xlsx, .xls, .ods or .csv (UTF-8) file of at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )
    field_order = ("file",)

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size > importing.MAX_FILE_SIZE:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.")
                % {"mb": importing.MAX_FILE_SIZE // (1024 * 1024)}
            )
        if importing.extension_of(upload.name) not in importing.FORMATS:
            raise forms.ValidationError(
                _("Use an .xlsx, .xls, .ods or .csv file."), code="invalid_extension"
            )
        return upload


def save_mapping(
    *, sheet: str, name: str, options: ImportOptions, user: Any = None
) -> SavedMapping:
    """Keep ``options``' columns under ``name`` for ``sheet`` (replacing one of that name)."""
    saved, _created = SavedMapping.objects.update_or_create(
        sheet=sheet,
        name=name,
        defaults={
            "columns": dict(options.mapping),
            "ignored": list(options.ignore),
            "values": {c: dict(v) for c, v in options.values.items()},
            "created_by": user if getattr(user, "is_authenticated", False) else None,
        },
    )
    return saved


def value_choices(sheet: str) -> dict[str, list[tuple[str, str]]]:
    """The codes (with their labels, in the user's language) of the sheet's choice columns."""
    return {
        column: [(str(code), f"{code} ({label})") for code, label in choices.choices]
        for column, (choices, _synonyms) in resource_for(sheet).CHOICE_COLUMNS.items()
    }


def preview_choices(
    *, sheet: str, outcome: importing.ImportOutcome, options: ImportOptions
) -> ReadingForm:
    """The choices under a preview, the import page's or a background job's: a field for each
    column, value and city it did not recognise, and how it read the sheet (``options``)."""
    return ReadingForm(
        sheet=sheet,
        columns=resource_for(sheet).COLUMNS,
        unknown=outcome.ignored_columns,
        unknown_values=outcome.unknown_values,
        value_choices=value_choices(sheet),
        unknown_cities=outcome.unknown_cities,
        ambiguous_columns=outcome.ambiguous_columns,
        initial={
            "header_row": options.header_row,
            "home_city": options.home_city,
            "blank_clears": options.blank == "clear",
            "date_cells": options.date_cells,
        },
        # The upload form above has the same fields: ids of their own keep each label on its input.
        auto_id="reread_%s",
    )
