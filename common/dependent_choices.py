"""Choice fields whose options depend on another field of the same form.

An agreement's parent is chosen among the agreements of the partnership chosen above it;
a visit's engagements among its partnership's people. ``chosen_id`` reads what is
chosen now, ``refresh_on_change`` makes htmx fetch the narrowed lists when it changes.
"""

from __future__ import annotations

from typing import Any

from django import forms


def chosen_id(form: forms.BaseModelForm[Any], name: str) -> int | None:
    """The primary key chosen in ``name``: from the posted data, else the initial value or instance."""
    if form.is_bound:
        raw = form.data.get(form.add_prefix(name))
    else:
        raw = form.initial.get(name) or getattr(form.instance, f"{name}_id", None)
    try:
        return int(raw) if raw else None
    except (TypeError, ValueError):
        return None


def refresh_on_change(field: forms.Field, value: str, *, dependents: list[str]) -> None:
    """When this choice changes, fetch the form again and swap only the ``dependents`` fields'
    widgets (htmx, out of band by id), so the lists depending on it narrow while whatever
    else the person typed stays. Without JavaScript the "Update the lists" button, which the
    field's template puts beside it, does it."""
    field.template_name = "common/forms/field_refresh.html"  # type: ignore[attr-defined]  # Field.template_name (Django 5.0) is not in django-stubs
    field.widget.attrs.update(
        {
            "hx-post": "",
            "hx-trigger": "change",
            "hx-swap": "none",
            "hx-select-oob": ",".join(f"#id_{name}" for name in dependents),
            "hx-vals": f'{{"refresh": "{value}"}}',
        }
    )
