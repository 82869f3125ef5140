"""Pickers for people, organisations and cities that stay fast with thousands of records.

``AutocompleteField`` replaces a drop-down of every record (5,000 people at scale, in
every row of a formset) with a text box. Without JavaScript the person types the name,
and the field takes the one record it names (accents and capitals aside) or says that
none or several match. With htmx, typing fetches at most ``PICK_LIMIT`` suggestions from
the field's ``url`` (one bounded query) into the box's ``<datalist>``; a suggestion reads
``Name (#id)``, so the choice is exact. The current value shows as ``Name (#id)`` too:
the formset reads the labels of its rows with their records (``SharedChoicesFormSet``).

A field may match typed text its own way (``match``: a partnership by the words of its
two cities' names) and may ``prefill`` its datalist with every record when there are
few (the labels, cached per data version): the browser then offers them on focus.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.forms.renderers import BaseRenderer
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from common import quick_add
from common.cached_choices import VersionSource, record_version
from common.fast_widgets import FastInputMixin
from common.text import fold
from common.text_match import any_field_contains, exact_condition, normalise_query, words

type Match = Callable[[str], Q]  # typed text → the condition on the records it may name
type Prefill = Callable[[str | None], Sequence[str]]  # data version → every record's label

PICK_LIMIT = 20
CHOSEN = re.compile(r"\(#(\d+)\)\s*$")


def pick_label(record: models.Model) -> str:
    return f"{record} (#{record.pk})"


class AutocompleteInput(FastInputMixin, forms.TextInput):
    """The box, written in Python as Django's text input would be (common.fast_widgets),
    then its datalist and its quick-add button."""

    def __init__(
        self, url: str = "", attrs: dict[str, Any] | None = None, *, quick_add_kind: str = ""
    ) -> None:
        super().__init__(attrs)
        self.url = url
        self.quick_add_kind = quick_add_kind  # a "New …" button beside the box (quick_add.py)
        self.known: dict[str, str] = {}  # pk → "Name (#pk)" of the current values
        # The datalist's first options (every record's label when there are few).
        self.prefill: Callable[[], Sequence[str]] | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> AutocompleteInput:
        # Django copies a widget shallowly: each form's box must have its own labels.
        result = super().__deepcopy__(memo)
        result.known = dict(self.known)
        return result

    def format_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, models.Model):
            return pick_label(value)
        return self.known.get(str(value), str(value))

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        attrs = dict(attrs or {})
        options_id = f"{attrs.get('id') or name}-options"
        attrs.update(
            {
                "list": options_id,
                "autocomplete": "off",
                "hx-get": str(self.url),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": f"#{options_id}",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
            }
        )
        box = super().render(name, value, attrs, renderer)
        add = quick_add.button(self.quick_add_kind, name, str(attrs.get("id") or name))
        options = options_html(self.prefill() if self.prefill is not None else ())
        return format_html('{}<datalist id="{}">{}</datalist>{}', box, options_id, options, add)


class AutocompleteField(forms.ModelChoiceField):
    """A ModelChoiceField typed into a box: ``Name (#id)``, an id, or a name naming one record."""

    autocomplete = True

    def __init__(  # noqa: PLR0913 (keyword-only options)
        self,
        queryset: models.QuerySet[Any],
        *,
        url: str,
        search_fields: list[str],
        quick_add_kind: str = "",
        match: Match | None = None,
        prefill: Prefill | None = None,
        depends_on: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("widget", AutocompleteInput(url, quick_add_kind=quick_add_kind))
        super().__init__(queryset, **kwargs)
        self.search_fields = search_fields
        self.match = match
        self.prefill = prefill
        # The data version the prefill is cached under (a form shares one read of it:
        # common.cached_choices.share_version), of the apps ``depends_on`` names.
        self.depends_on = None if depends_on is None else tuple(sorted(depends_on))
        self.version: VersionSource = functools.partial(record_version, self.depends_on)
        self.shares_version = True
        self._bind_prefill()

    def __deepcopy__(self, memo: dict[int, Any]) -> AutocompleteField:
        result = super().__deepcopy__(memo)
        result._bind_prefill()  # the copy's widget asks the copy (its shared version)
        return result

    def _bind_prefill(self) -> None:
        widget = cast("AutocompleteInput", self.widget)
        widget.prefill = self.prefill_labels if self.prefill is not None else None

    def prefill_labels(self) -> Sequence[str]:
        return self.prefill(self.version()) if self.prefill is not None else ()

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        text = normalise_query(str(value).replace("\x00", ""))
        chosen = CHOSEN.search(text)
        if chosen or text.isdigit():
            return super().to_python(chosen.group(1) if chosen else text)
        return self._by_name(text)

    def _by_name(self, text: str) -> Any:
        records = cast("models.QuerySet[Any]", self.queryset)
        if self.match is not None:
            return _one(self._by_own_match(records, text), text)
        found = list(records.filter(any_field_contains(self.search_fields, text))[:2])
        if len(found) > 1:
            exact = list(
                records.filter(exact_condition(self.search_fields, text)).filter(
                    **{f"{self.search_fields[0]}__iexact": text}
                )[:2]
            )
            found = exact if len(exact) == 1 else found
        return _one(found, text)

    def _by_own_match(self, records: models.QuerySet[Any], text: str) -> list[Any]:
        """The records ``match`` finds (one bounded query); of several, the one whose label
        has exactly the words typed (accents, case and dashes aside), if only one has."""
        condition = self.match(text) if self.match is not None else Q(pk__in=[])
        found = list(records.filter(condition)[: PICK_LIMIT + 1])
        if len(found) > 1:
            typed = words(fold(text))
            exact = [r for r in found if words(fold(str(r))) == typed]
            found = exact if len(exact) == 1 else found
        return found

    def has_changed(self, initial: Any, data: Any) -> bool:
        if self.disabled:
            return False
        try:
            chosen = self.to_python(data)
        except ValidationError:
            return True
        initial_pk = initial.pk if isinstance(initial, models.Model) else initial
        return str(initial_pk or "") != str(chosen.pk if chosen is not None else "")


def _one(found: list[Any], text: str) -> Any:
    """The one record found for the name typed, or the error saying why not."""
    if not found:
        raise ValidationError(
            _("Nothing recorded is called “%(name)s”: check the spelling or add it first."),
            code="invalid_choice",
            params={"name": text},
        )
    if len(found) > 1:
        raise ValidationError(
            _("Several records match “%(name)s”: type more of the name or pick a suggestion."),
            code="invalid_choice",
            params={"name": text},
        )
    return found[0]


def remember_label(field: forms.Field, record: models.Model | None, typed: Any = None) -> None:
    """Show ``record`` (the field's current value) as ``Name (#id)`` in its box; also when
    the box holds the name it was found by (``typed``), so that it says which was taken."""
    if record is not None and isinstance(field.widget, AutocompleteInput):
        field.widget.known[str(record.pk)] = pick_label(record)
        if typed not in (None, ""):
            field.widget.known[str(typed)] = pick_label(record)


def suggestions(
    queryset: models.QuerySet[Any],
    fields: list[str],
    query: str,
    *,
    match: Match | None = None,
    prefill: Callable[[], Sequence[str]] | None = None,
) -> SafeString:
    """The ``<option>``s of a picker's datalist: at most PICK_LIMIT records, one query
    (``match``: the field's own way to match; ``prefill``: what a short query answers)."""
    query = normalise_query(query.replace("\x00", ""))
    if len(query) < 2:  # noqa: PLR2004 (as the site search: two letters at least)
        return options_html(prefill() if prefill is not None else ())
    condition = match(query) if match is not None else any_field_contains(fields, query)
    found = queryset.filter(condition)[:PICK_LIMIT]
    return options_html([pick_label(r) for r in found])


def options_html(labels: Sequence[str]) -> SafeString:
    return format_html_join("", '<option value="{}"></option>', ((label,) for label in labels))
