"""``SheetResource``: a sheet with fixed columns, validated row by row and written in
bulk, with history, after the last row (generic over the model; django-import-export)."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, NotRequired, Protocol, TypedDict, override

from django.core import validators
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models import F, signals
from django.db.models.base import ModelState
from django.db.models.expressions import DatabaseDefault
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_countries import countries
from import_export import fields as ie_fields
from import_export import resources
from import_export.results import Result, RowResult

from common.models import Record

from .cells import NON_FIELD, CellCache, Row, RowErrors, cell_text, neutralise_formula
from .queries import AnyOf
from .widgets import ChoiceSynonyms, ChoiceWidget, value_key
from .writer import record_history_as, recording_creates

if TYPE_CHECKING:
    import tablib

    from .writer import Editor

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 250  # rows between two progress reports of a background import


class ImportOptionsLike(Protocol):
    """What a sheet reads of the user's choices (``sheets.importing.ImportOptions``)."""

    @property
    def blank(self) -> str: ...  # "keep": a blank cell keeps the stored value; "clear"

    @property
    def home_city(self) -> str: ...  # the home city of rows that do not name one

    @property
    def values(self) -> Mapping[str, Mapping[str, str]]: ...  # column → {value: code}


@functools.cache
def _key_positions(columns: tuple[str, ...], keys: tuple[str, ...]) -> tuple[int, ...]:
    """Where a sheet's key columns are among its columns (``SheetResource.row_key``)."""
    return tuple(columns.index(c) for c in keys)


def related_objects(instance: models.Model, name: str) -> list[Any]:
    """A to-many relation's objects: as loaded for the import, prefetched, or queried."""
    loaded = getattr(instance, f"_stored_{name}", None)
    if loaded is not None:
        return loaded
    cache = getattr(instance, "_prefetched_objects_cache", {})
    if name in cache:
        return list(cache[name])
    return list(getattr(instance, name).all())


def many_to_many(model: type[models.Model], name: str) -> tuple[type[models.Model], str, str]:
    """A many-to-many field's link model and its two columns (this side, the other)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.ManyToManyField):
        raise TypeError(name)
    through: type[models.Model] = field.remote_field.through  # type: ignore[assignment]  # set once the apps are loaded
    return through, field.m2m_column_name(), field.m2m_reverse_name()


def children_of(model: type[models.Model], name: str) -> tuple[type[models.Model], str]:
    """A reverse relation's model and the column naming the record they belong to."""
    relation = model._meta.get_field(name)
    if not isinstance(relation, models.ManyToOneRel) or relation.related_model is None:
        raise TypeError(name)
    return relation.related_model, relation.field.attname


def max_length(model: type[models.Model], field: str) -> int:
    """The ``max_length`` of a text column (0 if it has none)."""
    column = model._meta.get_field(field)
    return (column.max_length or 0) if isinstance(column, models.Field) else 0


class SheetLookups:
    """What a sheet's rows refer to, loaded once per import; the record apps' sheets use
    ``partnerships.sheet_lookups.Lookups`` (cities, partnerships, fields, people)."""

    def __init__(self, user: Editor = None) -> None:
        self.user = user
        # Cities found nowhere, as written → "did you mean" (for the preview's ticks).
        self.unknown_cities: dict[str, list[str]] = {}

    def flush(self) -> None:
        """Write the records the sheet creates for its rows to refer to (before the rows)."""


class CheckedField(NamedTuple):
    """A field ``SheetResource.full_clean`` checks, and what it reads of it (``_checked_fields``)."""

    field: models.Field[Any, Any]
    name: str
    attname: str
    limit: int  # plain text: its length limit (0: no plain text)
    choices: frozenset[str]  # text with choices: the valid ones
    dates: bool  # a plain date field


class _SavedCell(NamedTuple):
    """What ``SheetResource.save_cell`` reads of an import-export field, read once."""

    field: ie_fields.Field
    plain: bool  # saved as the attribute itself (not a path, not read-only)
    column: str
    attribute: str
    clean: Callable[[Any], Any]
    default: object
    saves_null: bool

    @classmethod
    def of(cls, field: ie_fields.Field) -> _SavedCell:
        return cls(
            field,
            not ("__" in field.attribute or field.readonly),
            field.column_name,
            field.attribute,
            field.widget.clean,
            field.default,
            field.saves_null_values,
        )


class RowNotes(TypedDict):
    """What the preview says of one row besides its errors."""

    before: NotRequired[dict[str, str] | None]  # the stored record as a row; None if new
    notes: NotRequired[list[str]]  # "New city … will be created."
    changes: NotRequired[list[tuple[str, str, str]]]  # (column, before, after)


class SheetResource[M: Record](resources.ModelResource):
    """A sheet with fixed columns, validated row by row and written in bulk at the end.

    import-export gives the columns' fields and widgets and the export; the import runs
    the sheet's own row loop (``import_rows``), which calls the same hooks and gives the
    same ``Result``. Subclasses define ``COLUMNS``, ``HEADER_ALIASES``, ``ERROR_COLUMNS`` (model field →
    column), ``prepare(dataset)``, ``existing_instance(row)``, ``fill(instance, row, errors)``,
    ``export_row(instance)`` and ``write(instances, new)``.
    """

    COLUMNS: tuple[str, ...] = ()
    # The columns a sheet must have (None: all of them); the others may be absent, and
    # are then left as they are on update and empty on create.
    REQUIRED_COLUMNS: tuple[str, ...] | None = None
    # Columns of dates, whose date cells are checked for a month-first reading.
    DATE_COLUMNS: tuple[str, ...] = ()
    HEADER_ALIASES: dict[str, tuple[str, ...]] = {}
    ERROR_COLUMNS: dict[str, str] = {}
    FK_FIELDS: tuple[str, ...] = ()
    KEY_COLUMNS: tuple[str, ...] = ()
    EXAMPLE: dict[str, str] = {}
    CHOICE_COLUMNS: dict[str, tuple[type[models.Choices], ChoiceSynonyms]] = {}
    # The lists an update may replace, kept as they were before the import so that a
    # revert restores them (``list_snapshot``): many-to-many fields by name, and rows of
    # a reverse relation (its name → the fields that make one of its rows).
    LIST_FIELDS: tuple[str, ...] = ()
    LIST_CHILDREN: dict[str, tuple[str, ...]] = {}

    class Meta:
        abstract = True

    @classmethod
    def row_key(cls, values: Sequence[object]) -> str:
        """How the preview names a row: its natural key as written."""
        count = len(values)
        texts = (
            cell_text(values[at]) if at < count else ""
            for at in _key_positions(cls.COLUMNS, cls.KEY_COLUMNS)
        )
        return " · ".join(text for text in texts if text)

    @classmethod
    def missing_columns(cls, present: Collection[str]) -> list[str]:
        """The columns the sheet must have and lacks (all, unless ``REQUIRED_COLUMNS``)."""
        needed = cls.COLUMNS if cls.REQUIRED_COLUMNS is None else cls.REQUIRED_COLUMNS
        return [c for c in needed if c not in present]

    @classmethod
    def allowed_values(cls) -> list[tuple[str, str, str]]:
        """(column, value, meaning) rows for the template's "Allowed values" sheet."""
        rows = []
        for column, (choices, synonyms) in cls.CHOICE_COLUMNS.items():
            for code, label in choices.choices:
                with translation.override("en"):
                    english = str(label)
                also = "; ".join([english, *synonyms.get(code, ())])
                rows.append((column, str(code), also))
        rows.extend(cls.record_values())
        rows.append(
            (
                "signatories",
                r"\;  \(  \)  \[  \]  \\",
                gettext(
                    "Inside a name, a position or a field, write ; ( ) [ ] and \\ with a "
                    "backslash before them."
                ),
            )
        )
        for code, name in countries:
            with translation.override("en"):
                english = str(dict(countries)[code])
            rows.append(("country", code, f"{english}; {name}"))
        return rows

    @classmethod
    def record_values(cls) -> list[tuple[str, str, str]]:
        """The stored records a column may name, as ``allowed_values`` rows (none here)."""
        return []

    def __init__(
        self,
        *,
        user: Editor = None,
        progress: Callable[[int, int], None] | None = None,
        options: ImportOptionsLike | None = None,
        absent: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.user = user
        # How to read the sheet (sheets.importing.ImportOptions: blank cells, home city…).
        self.options = options
        # Optional columns the sheet lacks: the records keep what they hold there.
        self.absent = frozenset(absent)
        # Values of choice columns matching no choice: column → {value as written}.
        self.unknown_values: dict[str, set[str]] = defaultdict(set)
        for column, chosen in (getattr(options, "values", None) or {}).items():
            field = self.fields.get(column)
            if field is not None and isinstance(field.widget, ChoiceWidget):
                field.widget.chosen = {value_key(v): code for v, code in chosen.items()}
        # Told (rows done, rows in the sheet) now and then: a background import's progress bar.
        self.progress = progress
        self.rows_total = 0
        self.lookups = self.make_lookups()
        self.row_errors: dict[int, RowErrors] = {}
        # The rows' records, validated, waiting for the bulk write: (record, new?, row number).
        self.pending: list[tuple[M, bool, int]] = []
        # After a real import: {"created": [[model label, [pk…]], …], "updated": […]}.
        self.written: dict[str, list[list[Any]]] = {}
        self.reports: dict[int, RowNotes] = {}
        self._current: RowNotes = {}
        # Parsed cells by column (same text, same value or error) and validated field
        # values by field: one parse and one validation per distinct value.
        self.cells = CellCache()
        self._field_checks: dict[object, tuple[bool, Any]] = {}
        self._saved_cells: dict[str, _SavedCell] = {}
        self._clean_plans: dict[type[models.Model], list[CheckedField]] = {}
        # A new record's attributes and the fields whose default is computed (new_instance).
        self._prototype: tuple[dict[str, Any], list[models.Field[Any, Any]]] | None = None

    def make_lookups(self) -> SheetLookups:
        """What the rows refer to (``partnerships.sheet_resource`` gives the record sheets')."""
        return SheetLookups(self.user)

    # what each sheet defines ------------------------------------------------------------
    def prepare(self, dataset: tablib.Dataset) -> None:
        """Load what the rows refer to and find the repeated keys, before the first row."""
        raise NotImplementedError

    def existing_instance(self, row: Row) -> M | None:
        """The stored record the row is about (None: a new one)."""
        raise NotImplementedError

    def fill(self, instance: M, row: Row, errors: RowErrors) -> None:
        """Set ``instance`` from ``row``, filing what is wrong in ``errors``."""
        raise NotImplementedError

    def export_row(self, instance: M) -> dict[str, str]:
        """``instance`` as the sheet's cells (also what rows are compared by)."""
        raise NotImplementedError

    def write(self, created: list[M], updated: list[M]) -> None:
        """Write the sheet's records in bulk, with history."""
        raise NotImplementedError

    # import-export hooks --------------------------------------------------------------
    @override
    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        self.rows_total = len(dataset)
        self.prepare(dataset)

    @override
    def import_data(
        self,
        dataset: tablib.Dataset,
        dry_run: bool = False,
        raise_errors: bool = False,
        use_transactions: bool | None = None,
        collect_failed_rows: bool = False,
        rollback_on_validation_errors: bool = False,
        **kwargs: Any,
    ) -> Result:
        """Check every row, then (unless ``dry_run``) write them all: import-export's
        ``import_data`` with the sheet's own row loop (``import_rows``). Everything is
        rolled back on a dry run, on an error, and on a row refused when
        ``rollback_on_validation_errors``."""
        self.dry_run = dry_run
        with transaction.atomic():
            result = self.import_rows(dataset)
            if (
                dry_run
                or result.has_errors()
                or (rollback_on_validation_errors and result.has_validation_errors())
            ):
                transaction.set_rollback(True)
        return result

    def import_rows(self, dataset: tablib.Dataset) -> Result:
        """import-export's ``import_data_inner`` for a sheet, without its per-row machinery.

        Its hooks are called as it calls them (``before_import``, then per row: the stored
        record or a new one, ``fill``, ``skip_row``, ``validate_instance``, ``save_instance``,
        ``after_import_row``; then ``after_import``) and the ``Result`` is the same (each
        row's type, its validation error or error), but a row is a plain dict and nothing
        is done for what a sheet never uses: no instance loader, no diff, no deletes, no
        object representation, no savepoint or batch per row (the records are written
        together in ``after_import``). About a tenth of the CPU time of a 10,000-row
        import (bench/imports.py).
        """
        result = self.get_result_class()()
        result.total_rows = len(dataset)
        try:
            with transaction.atomic():
                self.before_import(dataset)
        except Exception as e:  # noqa: BLE001 — reported as the import's error, as import-export does
            self.handle_import_error(result, e)
            return result
        headers = list(dataset.headers or [])
        for number, values in enumerate(dataset, 1):
            row = dict(zip(headers, values, strict=False))
            row_result = self.import_one(row, number)
            result.increment_row_result_total(row_result)
            if row_result.errors:
                result.append_error_row(number, row, row_result.errors)
            elif row_result.validation_error is not None:
                result.append_invalid_row(number, row, row_result.validation_error)
            result.append_row_result(row_result)
        try:
            with transaction.atomic():
                self.after_import(dataset, result)
        except Exception as e:  # noqa: BLE001 — reported as the import's error, as import-export does
            self.handle_import_error(result, e)
        return result

    def import_one(self, row: Row, number: int) -> RowResult:
        """One row checked and, if valid and not unchanged, kept for the bulk write."""
        row_result = RowResult()
        try:
            instance = self.existing_instance(row)
            new = instance is None
            if instance is None:
                instance = self.new_instance()
            self._current = {
                "before": None if new else self.export_row(instance),
                "notes": [],
                "changes": [],
            }
            row_result.import_type = (
                RowResult.IMPORT_TYPE_NEW if new else RowResult.IMPORT_TYPE_UPDATE
            )
            errors: RowErrors = dict(self.row_errors.get(number, {}))
            self.fill(instance, row, errors)
            found = {column: [message] for column, message in errors.items()}
            if self.skip_row(instance, None, row, found):
                row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            else:
                self.validate_instance(instance, found)
                self.save_instance(instance, new, row, row_number=number)
            row_result.object_id = instance.pk
            self.after_import_row(row, row_result, row_number=number)
        except ValidationError as e:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = e
        except Exception as e:
            logger.debug("Row %s refused", number, exc_info=True)
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            row_result.errors.append(self.get_error_result_class()(e, row=row, number=number))
        return row_result

    def new_instance(self) -> M:
        """A new record with its fields' defaults, as ``model()`` makes it, but built from
        a copy of the first one's attributes (``Model.__init__`` per row is a few percent
        of an import); a default that is computed (callable) is computed for each record.
        A model whose initialisation something listens to is built with ``model()``."""
        model = self._meta.model
        if self._prototype is None:
            if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
                return model()
            attributes = dict(model().__dict__)
            attributes.pop("_state")
            computed = [
                f for f in model._meta.concrete_fields if f.has_default() and callable(f.default)
            ]
            self._prototype = (attributes, computed)
        attributes, computed = self._prototype
        instance = model.__new__(model)
        instance.__dict__.update(attributes)
        instance._state = ModelState()
        for f in computed:
            setattr(instance, f.attname, f.get_default())
        return instance

    @override
    def skip_row(
        self,
        instance: M,
        original: M | None,
        row: Row,
        import_validation_errors: dict[str, list[str]] | None = None,
    ) -> bool:
        before = self._current["before"]
        if import_validation_errors or before is None:  # a new row is never "unchanged"
            return False
        after = self.export_row(instance)
        self._current["changes"] = [
            (column, before[column], after[column])
            for column in self.COLUMNS
            if before[column] != after[column]
        ]
        return not self._current["changes"]

    @override
    def validate_instance(
        self,
        instance: M,
        import_validation_errors: dict[str, list[str]] | None = None,
        validate_unique: bool = True,
    ) -> None:
        errors = dict(import_validation_errors or {})
        exclude = set(self.FK_FIELDS)
        for column in errors:
            exclude.update(f for f, c in self.ERROR_COLUMNS.items() if c == column)
            exclude.add(column)
        try:
            # Uniqueness and constraints are checked for the whole sheet at once (and by
            # the database); per-row queries would make a big import crawl.
            self.full_clean(instance, exclude)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = self.ERROR_COLUMNS.get(name, name if name in self.COLUMNS else NON_FIELD)
                errors.setdefault(column, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    def full_clean(self, instance: M, exclude: set[str]) -> None:
        """``instance.full_clean(exclude, validate_unique=False, validate_constraints=False)``,
        each field's value validated once per distinct value (the same errors, the same
        messages: Django's ``Field.clean`` of a field that is no relation depends on the
        value alone)."""
        errors: dict[str, Any] = {}
        try:
            self._clean_fields(instance, exclude)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        try:
            instance.clean()
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _clean_fields(self, instance: M, exclude: set[str]) -> None:
        """Django's ``Model.clean_fields`` with the per-value memory of ``full_clean``."""
        errors: dict[str, list[ValidationError]] = {}
        for f, name, attname, limit, choices, dates in self._checked_fields(type(instance)):
            if name in exclude:
                continue
            raw = getattr(instance, attname)
            kind = type(raw)
            # What f.clean says of these without a call: valid, and the same value.
            if kind is str:
                if (limit and raw and len(raw) <= limit and "\x00" not in raw) or raw in choices:
                    continue
            elif kind is dt.date and dates:
                continue
            if (f.blank and raw in f.empty_values) or isinstance(raw, DatabaseDefault):
                continue
            ok, cleaned = self._check_field(f, raw, instance)
            if not ok:
                errors[name] = list(cleaned)
            elif cleaned is not raw:
                setattr(instance, attname, cleaned)
        if errors:
            raise ValidationError(errors)

    def _checked_fields(self, model: type[M]) -> list[CheckedField]:
        """The fields ``clean_fields`` checks, each with what tells a valid value without
        a call to its ``clean`` (which would give it back unchanged):

        * the length limit of plain text, a ``CharField`` without choices whose only
          check is its length (or also the NUL character): a text that is not empty, short
          enough and without a NUL. Every sheet's texts (titles, references: a different
          one on each row) are so checked without a call;
        * the choices of such a ``CharField`` with choices (kinds, statuses…), as texts;
        * whether it is a plain ``DateField`` (no choices, no validators): a date.

        Any other value is ``clean``-ed (once per value, ``_check_field``)."""
        plan = self._clean_plans.get(model)
        if plan is None:
            plan = []
            plain = {validators.MaxLengthValidator, validators.ProhibitNullCharactersValidator}
            for f in model._meta.fields:
                if f.generated:
                    continue
                limit, choices = 0, frozenset[str]()
                if (
                    type(f) is models.CharField
                    and f.max_length
                    and {type(v) for v in f.validators} <= plain
                ):
                    if not f.choices:
                        limit = f.max_length
                    else:
                        choices = frozenset(
                            code
                            for code, _label in f.flatchoices
                            if isinstance(code, str)
                            and code
                            and len(code) <= f.max_length
                            and "\x00" not in code
                        )
                dates = type(f) is models.DateField and not f.choices and not f.validators
                plan.append(CheckedField(f, f.name, f.attname, limit, choices, dates))
            self._clean_plans[model] = plan
        return plan

    def _check_field(self, f: models.Field[Any, Any], raw: object, instance: M) -> tuple[bool, Any]:
        """(True, cleaned value) or (False, error list): ``f.clean(raw, instance)``, kept
        per value for fields that are no relation (whose check may query)."""
        key = None if f.is_relation else (f.name, type(raw), raw)
        try:
            found = None if key is None else self._field_checks.get(key)
        except TypeError:  # unhashable: checked every time, not kept
            found, key = None, None
        if found is None:
            try:
                found = (True, f.clean(raw, instance))
            except ValidationError as e:
                found = (False, e.error_list)
            if key is not None:
                self._field_checks[key] = found
        return found

    def save_cell(self, instance: M, name: str, row: Row) -> None:
        """What import-export's ``Field.save`` does for the field ``name``, the cell parsed
        once per distinct value of its column (``CellCache``)."""
        saved = self._saved_cells.get(name)
        if saved is None:
            saved = self._saved_cells[name] = _SavedCell.of(self.fields[name])
        field = saved.field
        if not saved.plain:
            field.save(instance, row)
            return
        cleaned = self.cells.get(name, row[saved.column], saved.clean)
        if saved.default is not NOT_PROVIDED and cleaned in field.empty_values:
            cleaned = field.default() if callable(field.default) else field.default
        if cleaned is not None or saved.saves_null:
            setattr(instance, saved.attribute, cleaned)

    @override
    def save_instance(self, instance: M, is_create: bool, row: Row, **kwargs: Any) -> None:
        record_history_as(instance, self.user)
        self.pending.append((instance, is_create, kwargs.get("row_number", 0)))

    @override
    def after_import_row(self, row: Row, row_result: RowResult, **kwargs: Any) -> None:
        number = kwargs["row_number"]
        self.reports[number] = self._current
        if self.progress and (number % PROGRESS_EVERY == 0 or number == self.rows_total):
            self.progress(number, self.rows_total)

    @override
    def after_import(self, dataset: tablib.Dataset, result: Result, **kwargs: Any) -> None:
        if result.has_errors() or result.has_validation_errors():
            return
        cross = self.check_sheet()
        for number, errors in cross.items():
            row_result = result.rows[number - 1]
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = ValidationError({c: [m] for c, m in errors.items()})
            result.append_invalid_row(number, {}, row_result.validation_error)
        if cross or self.dry_run:
            # A dry run stops here: every row and every rule across rows has been
            # checked; only the bulk writes below are left for the real import.
            return
        try:
            # Its own savepoint, so that a refusal by the database (another import
            # took the same reference a moment ago) leaves a usable transaction.
            with transaction.atomic():
                self.write_pending()
        except (DatabaseError, ValidationError, ValueError) as error:
            logger.warning("Import refused by the database: %s", error)
            refusal = ValueError(
                gettext(
                    "Someone else saved some of the same records at the same moment, so "
                    "nothing was saved. Check the records and run the import again."
                )
            )
            result.append_base_error(self.get_error_result_class()(refusal))

    def write_pending(self) -> None:
        created = [obj for obj, new, _number in self.pending if new]
        updated = [obj for obj, new, _number in self.pending if not new]
        lists = self.list_snapshot([obj.pk for obj in updated]) if updated else None
        now = timezone.now()
        for obj in updated:
            obj.version += 1
            obj.updated_at = now
        with recording_creates() as batches:
            self.lookups.flush()
            self.write(created, updated)
        # What reverting the import undoes: kept on its log (sheets.models.ImportLog.changes).
        self.written = {
            "created": [[label, pks] for label, pks in batches],
            "updated": [[self._meta.model._meta.label_lower, [obj.pk for obj in updated]]]
            if updated
            else [],
            "lists": [[self._meta.model._meta.label_lower, lists]] if lists else [],
        }

    def list_snapshot(self, pks: list[Any]) -> dict[str, dict[str, Any]]:
        """The lists of the records ``pks`` as stored, before the import replaces them.

        ``{"m2m": {field: {pk: [ids]}}, "children": {relation: {"fields": […], "rows": {pk:
        [[pk, values…]]}}}}`` (pks as
        text: it is kept as JSON on the import's log), one query per list; every record is
        listed, an empty list too. sheets/reverting.py puts them back.
        """
        model = self._meta.model
        keys = [str(pk) for pk in pks]
        snapshot: dict[str, dict[str, Any]] = {"m2m": {}, "children": {}}
        for name in self.LIST_FIELDS:
            through, source, target = many_to_many(model, name)
            lists: dict[str, list[Any]] = {key: [] for key in keys}
            links = through._default_manager.filter(AnyOf(F(source), pks))
            for owner, other in links.order_by(target).values_list(source, target):
                lists[str(owner)].append(other)
            snapshot["m2m"][name] = lists
        for name, fields in self.LIST_CHILDREN.items():
            child_model, owner_field = children_of(model, name)
            children: dict[str, list[Any]] = {key: [] for key in keys}
            rows = child_model._default_manager.filter(AnyOf(F(owner_field), pks))
            for owner, *values in rows.order_by("pk").values_list(owner_field, "pk", *fields):
                children[str(owner)].append(values)
            snapshot["children"][name] = {"fields": list(fields), "rows": children}
        return snapshot if self.LIST_FIELDS or self.LIST_CHILDREN else {}

    def check_sheet(self) -> dict[int, RowErrors]:
        """Rules that span rows (cycles…): ``{row number in dataset: {column: message}}``."""
        return {}

    # row helpers --------------------------------------------------------------------
    def keeps(self, instance: M, row: Row, column: str) -> bool:
        """Whether ``instance`` keeps what it holds for ``column`` rather than the cell's value.

        A column the sheet lacks is left as it is (empty on a new record); on update, a
        blank cell keeps the stored value unless the user asked blanks to clear.
        """
        if column in self.absent:
            return True
        if instance.pk is None or cell_text(row.get(column), multiline=True):
            return False
        return getattr(self.options, "blank", "keep") != "clear"

    def kept_columns(self, instance: M, row: Row) -> Collection[str]:
        """The columns for which ``instance`` keeps what it holds (``keeps``), all at once:
        for a new record, the columns the sheet lacks."""
        if instance.pk is None:
            return self.absent
        return {column for column in self.COLUMNS if self.keeps(instance, row, column)}

    def classify(self, widget: ChoiceWidget, column: str, row: Row) -> None:
        """Say how a choice cell was read when only its head noun told; collect unknowns."""
        text = cell_text(row.get(column))
        if not text:
            return
        code, guessed = self.cells.get(f"{column} (match)", text, widget.match)
        if code is None:
            self.unknown_values[column].add(text)
        elif guessed:
            label = dict(widget.choices.choices).get(code, code)
            self.note(
                gettext("“%(value)s” read as %(label)s (by its first words).")
                % {"value": text, "label": label}
            )

    def note(self, message: str) -> None:
        if message not in self._current["notes"]:
            self._current["notes"].append(message)

    def text(self, row: Row, column: str, *, multiline: bool = False) -> str:
        return cell_text(row.get(column), multiline=multiline)

    def export_dataset(self, queryset: Iterable[M]) -> tablib.Dataset:
        """The sheet for ``queryset``, text that would run as a formula neutralised."""
        import tablib

        dataset = tablib.Dataset(headers=list(self.COLUMNS))
        for instance in queryset:
            row = self.export_row(instance)
            dataset.append([neutralise_formula(row[c]) for c in self.COLUMNS])
        return dataset
