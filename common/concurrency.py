"""No lost updates: optimistic locking on ``Versioned.version``.

Every edit form carries the version of the record it was loaded at (a hidden
field). Saving locks the row (``SELECT … FOR UPDATE``), compares, and either
bumps the version and saves (form, its many-to-many fields and any inline
formsets, in one transaction) or raises ``EditConflict``. The view then shows a
``Conflict``: who saved in between and when, which fields they changed, their
value next to yours, and a form rebased on the fresh version. In that form a
field only the other person changed already holds their value; a field you both
changed keeps yours, so saving again re-applies your edits on top of theirs.

Usage in a view::

    form = AgreementForm(request.POST, instance=agreement)
    if form.is_valid():
        try:
            agreement = form.save_versioned()
        except EditConflict as conflict:
            form, conflict = form.rebase(conflict)  # show form + conflict

Any ModelForm of a ``common.models.Versioned`` model can mix in ``VersionedFormMixin``
(partnerships, people and organisations too, and the rows of a visit edited one at a
time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from simple_history.utils import get_history_manager_for_model, get_m2m_reverse_field_name

from common.models import Versioned
from common.partialdate import PartialDate

if TYPE_CHECKING:
    # What the mixin is mixed into: it reads the form's fields, data and instance.
    _ModelFormBase = forms.ModelForm[Any]
    # An inline formset saved with the form (a visit's participants…).
    type InlineFormSet = forms.BaseInlineFormSet[Any, Any, Any]
else:
    _ModelFormBase = object
    InlineFormSet = object

EMPTY = "—"


class EditConflict(Exception):  # noqa: N818 (the domain's word, raised and caught across the apps)
    """Someone saved the record after this form was loaded."""

    def __init__(self, current: Versioned, expected_version: int) -> None:
        super().__init__(f"expected version {expected_version}, found {current.version}")
        self.current = current
        self.expected_version = expected_version

    @property
    def outside_workspace(self) -> bool:
        """Saved elsewhere (the admin) without a new version: only ``updated_at`` moved."""
        return self.current.version == self.expected_version


@dataclass
class FieldConflict:
    name: str
    label: str
    theirs: str
    yours: str
    both_changed: bool  # False: only they changed it, and their value was taken


@dataclass
class Edit:
    user: object
    when: dt.datetime


@dataclass
class Conflict:
    edits: list[Edit] = field(default_factory=list)
    fields: list[FieldConflict] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)  # inline parts they changed ("participants")

    def note_changed_parts(self, error: EditConflict, formsets: Iterable[InlineFormSet]) -> None:
        """Name the inline parts (delegation, programme…) someone changed since the form loaded."""
        base = _base_record(error.current, error.expected_version)
        for formset in formsets:
            model = cast(type[models.Model], formset.model)  # set by inlineformset_factory
            rows = get_history_manager_for_model(model).filter(
                **{formset.fk.attname: error.current.pk}
            )
            if base is not None:
                rows = rows.filter(history_date__gt=base.history_date)
            if rows.exists():
                self.parts.append(str(model._meta.verbose_name_plural))

    @property
    def editors(self) -> str:
        names = []
        for edit in self.edits:
            name = _user_name(edit.user)
            if name not in names:
                names.append(name)
        return ", ".join(names)

    @property
    def last_edit(self) -> Edit | None:
        return self.edits[-1] if self.edits else None

    @property
    def overlapping(self) -> list[FieldConflict]:
        return [f for f in self.fields if f.both_changed]

    @property
    def taken(self) -> list[FieldConflict]:
        return [f for f in self.fields if not f.both_changed]


def _user_name(user: Any) -> str:
    if user is None:
        return str(_("someone (outside the workspace)"))
    return user.get_full_name() or user.get_username()


def stamp(record: Versioned) -> str:
    """``updated_at`` as the form carries it: moves with every save, the admin's too."""
    return record.updated_at.isoformat() if record.updated_at else ""


@transaction.atomic
def save_if_current(
    form: forms.ModelForm[Any],
    *,
    expected_version: int | None,
    loaded_stamp: str | None = None,
    formsets: Iterable[InlineFormSet] = (),
) -> Any:
    """Save a validated model form (and its inline formsets) if nobody saved since.

    The service that bumps ``version``: it locks the row, compares the version the
    form was loaded at (and ``updated_at``, which also catches saves made in the admin,
    which keep the version), and saves the next version, or raises ``EditConflict``.
    """
    instance = form.instance
    if instance.pk is not None:
        current = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
        stale = expected_version is None or current.version != expected_version
        if stale or (loaded_stamp and loaded_stamp != stamp(current)):
            raise EditConflict(current, expected_version or 0)
        instance.version = current.version + 1
    obj = form.save()
    for formset in formsets:
        formset.instance = obj
        formset.save()
    return obj


class VersionedFormMixin(_ModelFormBase):
    """ModelForm mixin: a hidden ``version`` field, ``save_versioned()`` and ``rebase()``."""

    version_field = "version"
    stamp_field = "loaded_stamp"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._init_kwargs = {
            k: v for k, v in kwargs.items() if k not in ("data", "files", "instance", "initial")
        }
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields[self.version_field] = forms.IntegerField(
                widget=forms.HiddenInput, min_value=1, required=False
            )
            self.initial.setdefault(self.version_field, self.instance.version)
            self.fields[self.stamp_field] = forms.CharField(
                widget=forms.HiddenInput, required=False
            )
            self.initial.setdefault(self.stamp_field, stamp(self.instance))

    def _update_errors(self, errors: ValidationError) -> None:
        """The model's own rules (``Model.clean``) may name a field this form does not show
        (the status form has no "visit"): Django would raise ValueError (a 500); such an
        error is shown with the form's general errors instead."""
        error_dict = getattr(errors, "error_dict", None)
        if error_dict:
            outside = [f for f in error_dict if f != NON_FIELD_ERRORS and f not in self.fields]
            if outside:
                kept = {f: e for f, e in error_dict.items() if f not in outside}
                general = kept[NON_FIELD_ERRORS] = list(kept.get(NON_FIELD_ERRORS, []))
                for name in outside:
                    general.extend(error_dict[name])
                errors = ValidationError(kept)
        super()._update_errors(errors)  # type: ignore[misc]

    @property
    def loaded_version(self) -> int | None:
        if not self.is_bound:
            return self.instance.version
        return self.cleaned_data.get(self.version_field)

    def save_versioned(self, *, formsets: Sequence[InlineFormSet] = ()) -> Any:
        loaded_stamp = self.cleaned_data.get(self.stamp_field) if self.is_bound else None
        return save_if_current(
            self,
            expected_version=self.loaded_version,
            loaded_stamp=loaded_stamp,
            formsets=formsets,
        )

    # -- after a conflict -------------------------------------------------------------

    def compared_fields(self) -> list[str]:
        model_fields = {f.name for f in self._meta.model._meta.get_fields()}
        hidden = (self.version_field, self.stamp_field)
        return [n for n in self.fields if n not in hidden and n in model_fields]

    def rebase(self, error: EditConflict) -> tuple[Self, Conflict]:
        """A form on the fresh version holding the user's edits, and the Conflict to show."""
        current = error.current
        base = None if error.outside_workspace else _base_record(current, error.expected_version)
        fresh_form = type(self)(instance=current, **self._init_kwargs)
        data = cast(QueryDict, self.data).copy()  # a bound edit form's data is request.POST
        conflict = Conflict(edits=_edits_since(current, error))
        for name in self.compared_fields():
            theirs = _raw(_instance_value(self, current, name))
            yours = _raw(self.cleaned_data.get(name))
            if theirs == yours:
                continue
            # Without the loaded version's history, treat every difference as overlapping.
            before = object() if base is None else _raw(_historical_value(self, base, name))
            if before == theirs:
                continue  # only you changed it: your value stands
            both = before != yours
            bound = self[name]
            conflict.fields.append(
                FieldConflict(
                    name=name,
                    label=str(bound.label),
                    theirs=_show(bound.field, _instance_value(self, current, name)),
                    yours=_show(bound.field, self.cleaned_data.get(name)),
                    both_changed=both,
                )
            )
            if not both:
                _put(data, self.add_prefix(name), fresh_form[name].value())
        data[self.add_prefix(self.version_field)] = str(current.version)
        data[self.add_prefix(self.stamp_field)] = stamp(current)
        rebased = type(self)(data=data, files=self.files, instance=current, **self._init_kwargs)
        return rebased, conflict


def _base_record(current: Versioned, version: int) -> Any:
    """The history row of the version the user loaded (its last save, after m2m changes)."""
    rows = get_history_manager_for_model(current).filter(version=version)
    return rows.order_by("-history_date", "-history_id").first()


def _edits_since(current: Versioned, error: EditConflict) -> list[Edit]:
    rows = (
        get_history_manager_for_model(current)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    if error.outside_workspace:
        last = rows.last()
        return [Edit(user=last.history_user, when=last.history_date)] if last else []
    rows = rows.filter(version__gt=error.expected_version)
    edits: dict[int, Edit] = {}
    for row in rows:
        edits[row.version] = Edit(user=row.history_user, when=row.history_date)
    return list(edits.values())


def _is_partial(form: forms.BaseForm, name: str) -> bool:
    return name in getattr(form, "partial_dates", ())


def _instance_value(form: forms.BaseForm, obj: models.Model, name: str) -> Any:
    if _is_partial(form, name):
        return PartialDate.of(getattr(obj, name), getattr(obj, f"{name}_precision"))
    model_field = obj._meta.get_field(name)
    if model_field.many_to_many:
        return list(getattr(obj, name).all())
    return getattr(obj, name)


def _historical_value(form: forms.ModelForm[Any], record: Any, name: str) -> Any:
    if _is_partial(form, name):
        return PartialDate.of(getattr(record, name), getattr(record, f"{name}_precision"))
    model_field = form._meta.model._meta.get_field(name)
    if model_field.many_to_many:
        target = get_m2m_reverse_field_name(model_field)
        return list(getattr(record, name).values_list(target, flat=True))
    return getattr(record, model_field.attname)


def _raw(value: Any) -> Any:
    """A comparable form of a cleaned, stored or historical value."""
    if value is None or value == "":
        return None
    if isinstance(value, PartialDate):
        return (value.date, value.precision)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (models.QuerySet, list, tuple, set, frozenset)):
        return frozenset(_raw(v) for v in value) or None
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip() or None
    return value


def _show(form_field: forms.Field, value: Any) -> str:
    if value is None or value in ("", [], ()):
        return EMPTY
    if isinstance(value, (models.QuerySet, list, tuple)):
        return ", ".join(_show(form_field, v) for v in value) or EMPTY
    formatted = _formatted(value)
    if formatted is not None:
        return formatted
    if isinstance(form_field, forms.ChoiceField) and not isinstance(
        form_field, forms.ModelChoiceField
    ):
        # Django normalises choices to (value, label) pairs when they are set.
        labels = {str(k): v for k, v in cast("Iterable[tuple[Any, Any]]", form_field.choices)}
        return str(labels.get(str(value), value))
    return str(value)


def _formatted(value: object) -> str | None:
    """Dates day first, records by name, yes/no; None for a value shown as it is or by choice."""
    if isinstance(value, PartialDate):
        return value.format()
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return None


def _put(data: QueryDict, key: str, value: object) -> None:
    """Write an unbound form's prepared value into POST-like data."""
    if isinstance(value, (list, tuple)):
        data.setlist(key, [str(v) for v in value])
    elif isinstance(value, bool):
        if value:
            data[key] = "on"
        else:
            data.pop(key, None)
    elif value is None:
        data[key] = ""
    elif isinstance(value, dt.date):
        data[key] = value.strftime("%d/%m/%Y")
    else:
        data[key] = str(value)
