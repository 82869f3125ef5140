"""Widgets of the sheets' columns: text, choices as staff write them, dates day first."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, override

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext
from import_export import widgets

from common.partialdate import PartialDate, Precision, parse_partial_date

from .cells import Row, cell_text, fold

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The choices class of a column and the other words accepted for each choice.
type ChoiceSynonyms = Mapping[Any, Iterable[str]]

# A whole number in a partial-date column is a year if it has four digits.
FIRST_YEAR, LAST_YEAR = 1000, 9999


class TextWidget(widgets.Widget):
    def __init__(self, *, multiline: bool = False) -> None:
        super().__init__(coerce_to_string=True)
        self.multiline = multiline

    @override
    def clean(self, value: object, row: Row | None = None, **kwargs: Any) -> str:
        return cell_text(value, multiline=self.multiline)

    @override
    def render(self, value: object, obj: models.Model | None = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


_VALUE_SEPARATORS = re.compile(r"[\s_\-]+")


def value_key(text: object) -> str:
    """How choice values are compared: folded, ``_``, ``-`` and spaces alike."""
    return _VALUE_SEPARATORS.sub(" ", fold(str(text))).strip()


class ChoiceWidget(widgets.Widget):
    """A choice by its code, English or Vietnamese label or a synonym (``Biên bản ghi nhớ``
    → ``mou``), in any case, ``_``/``-``/space alike; else by its head noun (``heads``)."""

    def __init__(
        self,
        choices: type[models.Choices],
        synonyms: ChoiceSynonyms,
        *,
        what: StrOrPromise,
        heads: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(coerce_to_string=True)
        self.choices, self.synonyms, self.what, self.heads = choices, synonyms, what, heads
        self._index: dict[str, str | int] | None = None
        # Values the user mapped (the preview's choices, --value): value key → code.
        self.chosen: dict[str, str | int] = {}

    def index(self) -> dict[str, str | int]:
        if self._index is None:
            index: dict[str, str | int] = {}
            for code, label in self.choices.choices:
                index[value_key(code)] = code
                for language in ("en", "vi"):
                    with translation.override(language):
                        index[value_key(label)] = code
                for synonym in self.synonyms.get(code, ()):
                    index[value_key(synonym)] = code
            self._index = index
        return self._index

    def match(self, value: object) -> tuple[str | int | None, bool]:
        """(code, classified by head noun?) for a cell; (None, False) if unknown."""
        key = value_key(cell_text(value))
        code = self.chosen.get(key, self.index().get(key))
        if code is not None:
            return code, False
        for head, guess in self.heads:
            if key == head or key.startswith(head + " "):
                return guess, True
        return None, False

    def allowed(self) -> str:
        """The accepted values, in the user's language: ``code (label)``."""
        return ", ".join(f"{code} ({label})" for code, label in self.choices.choices)

    @override
    def clean(self, value: object, row: Row | None = None, **kwargs: Any) -> str | int:
        text = cell_text(value)
        if not text:
            raise ValueError(gettext("This column must not be empty."))
        code, _guessed = self.match(text)
        if code is None:
            raise ValueError(
                gettext("“%(value)s” is not a known %(what)s. Use one of: %(allowed)s.")
                % {"value": text, "what": self.what, "allowed": self.allowed()}
            )
        return code

    @override
    def render(self, value: object, obj: models.Model | None = None, **kwargs: Any) -> object:
        return value or ""


def clean_date(value: object, *, partial: bool) -> PartialDate | None:
    """A date cell, ``yyyy-mm-dd`` or ``dd/mm/yyyy`` (and ``2004``, ``12/2023`` if ``partial``)."""
    if value is None or value == "":
        return None
    if hasattr(value, "date") and callable(value.date):  # datetime from a date cell
        return PartialDate(value.date())
    if isinstance(value, dt.date):
        return PartialDate(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if partial and float(value).is_integer() and FIRST_YEAR <= value <= LAST_YEAR:
            return PartialDate.of(parse_partial_date(str(int(value))).date, Precision.YEAR)
        raise ValueError(
            gettext("“%(value)s” is not a date: write dd/mm/yyyy.") % {"value": cell_text(value)}
        )
    text = cell_text(value)
    if not text:
        return None
    try:
        return parse_partial_date(text, allow_partial=partial)
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from error


class DateWidget(widgets.Widget):
    """A whole date: a date cell, ``yyyy-mm-dd`` or ``dd/mm/yyyy`` (never month first)."""

    @override
    def clean(self, value: object, row: Row | None = None, **kwargs: Any) -> dt.date | None:
        found = clean_date(value, partial=False)
        return found.date if found else None

    @override
    def render(self, value: dt.date | None, obj: models.Model | None = None, **kwargs: Any) -> str:
        return value.strftime("%d/%m/%Y") if value else ""


def render_partial(value: dt.date | None, precision: str) -> str:
    found = PartialDate.of(value, precision)
    return found.format() if found else ""
