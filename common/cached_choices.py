"""Drop-down choices as cached ``(pk, label)`` tuples (issue 16: scale).

A ``ModelChoiceField`` builds a model instance per option (with ``select_related``, one
per joined row too) through a server-side cursor, on every page that shows the
drop-down: the partnership filter spent more time on its ~440 options than the list on
its rows. ``CachedModelChoiceField`` reads only the columns the label needs
(``values_list``, one plain query) and keeps the tuples in the cache under the record's
data version, so a page shows them without a query until the record changes.

``common`` imports no app, so the version comes from a source the owner of the version
registers (``workspace`` calls ``set_version_source`` in its ``ready``); with none, or
when it answers None (inside a transaction), nothing is cached. A form's cached fields
share one read of the version (``share_version``). Validation is unchanged: a chosen
value is still looked up in the field's queryset.

A field's ``depends_on`` names the apps its choices are read from: its key is then their
counters only, so that a change elsewhere keeps it (an action item's inline status
change no longer reads the home cities, the fields of cooperation or the partnerships
again: they depend on ``partnerships`` alone). Without it, the whole record's version.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, override

from django import forms
from django.core.cache import cache
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import get_language

if TYPE_CHECKING:
    _ModelChoiceField = forms.ModelChoiceField[Any]
else:
    _ModelChoiceField = forms.ModelChoiceField  # not subscriptable at run time

type Choice = tuple[Any, str]
# A cache key part, or None: not cached.
type VersionSource = Callable[[], str | None]


class VersionReading(Protocol):
    """One read of the record's version (workspace.freshness.Version)."""

    def key(self, depends_on: Iterable[str] | None = None) -> str:
        """The whole record's version, or only the given apps' counters, as a key part."""
        ...


# A reading, a key for everything (a source of one key: tests), or None: don't cache.
type Reading = VersionReading | str | None

CACHE_SECONDS = 3600  # a safety net: a new data version makes old entries unreachable


def _no_version() -> Reading:
    return None


_source: list[Callable[[], Reading]] = [_no_version]


def set_version_source(source: Callable[[], Reading]) -> None:
    """Where cached choices get the record's version (a key part; None: don't cache)."""
    _source[0] = source


def version_key(reading: Reading, depends_on: Iterable[str] | None = None) -> str | None:
    """The key part of a reading: of the apps ``depends_on`` names, or of everything."""
    if reading is None or isinstance(reading, str):
        return reading
    return reading.key(depends_on)


def record_version(depends_on: Iterable[str] | None = None) -> str | None:
    """The record's version (of the apps ``depends_on`` names only, if given)."""
    return version_key(_source[0](), depends_on)


def cached_by_version[T](version: str | None, key: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per data ``version`` (every time when None: inside a transaction)."""
    if version is None:
        return compute()
    full_key = f"by-version:{version}:{key}"
    value: T | None = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, CACHE_SECONDS)
    return value


def _name(row: Sequence[Any]) -> str:
    return str(row[0])


class CachedChoiceIterator(ModelChoiceIterator):
    """The empty choice, then the field's cached ``(pk, label)`` tuples."""

    field: CachedModelChoiceField

    @override
    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.field.cached_choices()

    @override
    def __len__(self) -> int:
        return len(self.field.cached_choices()) + (self.field.empty_label is not None)

    @override
    def __bool__(self) -> bool:
        return self.field.empty_label is not None or bool(self.field.cached_choices())


class CachedModelChoiceField(_ModelChoiceField):
    """A ``ModelChoiceField`` whose options are ``values_list`` tuples, cached per data version.

    ``label_fields`` are the columns the label is made of, ``make_label`` turns one row of
    them into the label (by default the first column, as ``str`` of a model named by it);
    ``depends_on``, the apps whose records the choices are read from (see the module).
    """

    iterator = CachedChoiceIterator

    def __init__(
        self,
        queryset: QuerySet[Any],
        *,
        label_fields: Sequence[str] = ("name",),
        make_label: Callable[[Sequence[Any]], str] = _name,
        depends_on: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.label_fields = tuple(label_fields)
        self.make_label = make_label
        self.depends_on = None if depends_on is None else tuple(sorted(depends_on))
        self.version: VersionSource = functools.partial(record_version, self.depends_on)
        # The cache key of the choices last read (None: not cached): what they are is
        # known from it alone, so common.fast_widgets keeps their options' HTML under it.
        self.choices_key: str | None = None
        super().__init__(queryset, **kwargs)

    def _values(self) -> QuerySet[Any, tuple[Any, ...]]:
        queryset = self.queryset if self.queryset is not None else QuerySet().none()
        return queryset.values_list("pk", *self.label_fields)

    def __deepcopy__(self, memo: dict[int, Any]) -> CachedModelChoiceField:
        result: CachedModelChoiceField = super().__deepcopy__(memo)
        # A form's field is a copy of its class's, with that queryset's .all(): the same
        # SQL, so the same digest. Worked out once per process, not once per form (the
        # SQL compiled for nothing but a key cost ~0.3 ms a drop-down: issue 16).
        result._digest_for = (result.queryset, self._digest())
        return result

    def _digest(self) -> str:
        """What the choices are read by (their SQL) and labelled with, as a key part;
        worked out again after the queryset is replaced (a form narrowing it)."""
        kept: tuple[QuerySet[Any] | None, str] | None = getattr(self, "_digest_for", None)
        if kept is not None and kept[0] is self.queryset:
            return kept[1]
        query = self._values().query
        digest = hashlib.sha256(f"{query}|{self.make_label.__qualname__}".encode()).hexdigest()
        self._digest_for = (self.queryset, digest[:24])
        return digest[:24]

    def _cache_key(self, version: str) -> str:
        return f"choices:{version}:{get_language()}:{self._digest()}"

    def _compute(self) -> list[Choice]:
        # values_list: no model instances; list(): one plain query, no server-side cursor.
        rows = list(self._values())
        return [(row[0], self.make_label(row[1:])) for row in rows]

    def cached_choices(self) -> list[Choice]:
        # Kept per queryset: a form that narrows the queryset gets its own choices.
        kept: tuple[QuerySet[Any] | None, list[Choice]] | None = getattr(self, "_kept", None)
        if kept is not None and kept[0] is self.queryset:
            return kept[1]
        version = self.version()
        if version is None:
            memo = self._compute()
        else:
            key = self._cache_key(version)
            memo = cache.get(key)
            if memo is None:
                memo = self._compute()
                cache.set(key, memo, CACHE_SECONDS)
        self._kept = (self.queryset, memo)
        self.choices_key = None if version is None else key
        return memo


def share_version(form: forms.BaseForm) -> None:
    """Let the form's cached drop-downs share one read of the record's version; the form's
    ``record_version(depends_on=None)`` gives the same read to others (the list's cached
    results; the country drop-downs, of ``partnerships`` only)."""
    read: list[Reading] = []

    def once(depends_on: Iterable[str] | None = None) -> str | None:
        if not read:
            read.append(_source[0]())
        return version_key(read[0], depends_on)

    form.record_version = once  # type: ignore[attr-defined]
    for field in form.fields.values():
        # and the pickers whose datalist is prefilled (common.autocomplete)
        if isinstance(field, CachedModelChoiceField) or getattr(field, "shares_version", False):
            field.version = functools.partial(once, getattr(field, "depends_on", None))  # type: ignore[attr-defined]
