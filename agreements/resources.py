r"""Spreadsheet sheets (django-import-export resources) for agreements, and the parts
the visit and action-item sheets share with them.

How a sheet is read
-------------------
* Columns have English names (``AgreementResource.COLUMNS``); a Vietnamese header row
  with the same meaning is accepted too (``HEADER_ALIASES``), matched ignoring case,
  accents and spaces.
* The natural key of an agreement is ``reference``: a row whose reference is stored
  updates that agreement; a row that would change nothing is reported unchanged and
  not written at all (no history row).
* Cities are matched on any of their names (Vietnamese, English, local name,
  alternative names) within the country, ignoring case, accents and spaces
  (``common.text.fold``). A partner city nobody knows yet is created (the preview
  says so); the home city must be one of ours (``City.is_home``).
* The partnership is the pair (home city, partner city), created if new.
* Countries: ISO code (``BY``/``BLR``) or English or Vietnamese name.
* ``kind`` and ``status``: the code, the English label or the Vietnamese label in any
  case; the Vietnamese synonyms are listed here (``KIND_SYNONYMS``…) so matching does not
  depend on the translation files. Exported as the code.
* Dates: real spreadsheet date cells, ``yyyy-mm-dd`` or ``dd/mm/yyyy`` (day first,
  always). ``signed_on`` may be partial: ``2004`` or ``12/2023`` keep their precision
  and are exported the same way.
* ``parent_reference``: an agreement already stored or anywhere in the same sheet.
  The relation is *renews* when the parent is of the same kind (a new MoU after an
  MoU), otherwise *implements* (a programme under a friendship agreement).
* ``fields``: ``;``-separated fields of cooperation, matched like cities; unknown ones
  are created.
* ``signatories``: ``;``-separated ``Name (position held then)`` entries; a witness is
  marked ``[witness]`` (or ``[chứng kiến]``) after the entry. People are matched by
  their folded full or Latin name and created when unknown.
* Escaping (list items, names and positions): ``;``, ``( ) [ ]`` and ``\`` inside an
  item are written with a backslash before them (``Lê Văn Bình \(Bình Lê\) (Chủ
  tịch)``); a cell beginning with ``= + - @``, a tab, a carriage return or an apostrophe
  is exported with one more apostrophe before it, which the import removes.

Rows are validated one by one (``full_clean`` without the per-row database checks,
which are done once for the whole sheet), then everything is written in bulk, with
history, after the last row: parents before children, in batches of 1,000.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import hashlib
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NotRequired, Protocol, TypedDict, override

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import Country
from import_export import fields as ie_fields
from import_export import resources, widgets
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import Result, RowResult
from simple_history.utils import (
    bulk_create_with_history,
    bulk_update_with_history,
    get_history_model_for_model,
)

from common.countries import codes_matching
from common.models import Record
from common.partialdate import PartialDate, Precision, parse_partial_date
from common.text import clean_spaces, name_key
from common.text import fold as _fold_text
from partnerships.city_matching import CityMatcher
from partnerships.models import City, FieldOfCooperation, Organisation, Partnership, Person

from .models import Agreement, Signatory

if TYPE_CHECKING:
    import tablib
    from django.contrib.auth.models import AnonymousUser, User
    from django_stubs_ext import StrOrPromise

    # Who an import is run by: history rows and the log name them (None: the command line).
    type Editor = User | AnonymousUser | None

# One row of a sheet, by column name (a cell is whatever the reader gave: text, number,
# date…), and the errors found in it: column → message.
type Row = Mapping[str, Any]
type RowErrors = dict[str, str]
# The choices class of a column and the other words accepted for each choice.
type ChoiceSynonyms = Mapping[Any, Iterable[str]]


class ImportOptionsLike(Protocol):
    """What a sheet reads of the user's choices (``sheets.importing.ImportOptions``)."""

    @property
    def blank(self) -> str: ...  # "keep": a blank cell keeps the stored value; "clear"

    @property
    def home_city(self) -> str: ...  # the home city of rows that do not name one

    @property
    def values(self) -> Mapping[str, Mapping[str, str]]: ...  # column → {value: code}


logger = logging.getLogger(__name__)
BATCH_SIZE = 1000
# Text cells this short are names, codes and dates, repeated over and over: remembered.
SHORT_TEXT = 200
# A whole number in a partial-date column is a year if it has four digits.
FIRST_YEAR, LAST_YEAR = 1000, 9999
PROGRESS_EVERY = 250  # rows between two progress reports of a background import


@lru_cache(maxsize=65536)
def fold(text: str | None) -> str:
    """``common.text.fold``, remembered: a sheet repeats the same names thousands of times."""
    return _fold_text(text)


def _related(instance: models.Model, name: str) -> list[Any]:
    """A to-many relation's objects: as loaded for the import, prefetched, or queried."""
    loaded = getattr(instance, f"_stored_{name}", None)
    if loaded is not None:
        return loaded
    cache = getattr(instance, "_prefetched_objects_cache", {})
    if name in cache:
        return list(cache[name])
    return list(getattr(instance, name).all())


NON_FIELD = ""  # the column name errors about the whole row are filed under

# A cell beginning with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# The apostrophe is the escape itself: a value that begins with one gets another, so
# that the import, which takes exactly one away, gives the value back as it was.
_ESCAPED_STARTS = (*FORMULA_STARTS, "'")


def neutralise_formula(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula (or that begins with an
    apostrophe) with an apostrophe."""
    if isinstance(value, str) and value.startswith(_ESCAPED_STARTS):
        return "'" + value
    return value


def restore_formula_text(text: str) -> str:
    """Undo ``neutralise_formula`` so export → import changes nothing."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(_ESCAPED_STARTS):
        return text[1:]
    return text


# Control characters other than tab and line breaks: junk in a cell, and PostgreSQL
# refuses NUL in text outright.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def cell_text(value: object, *, multiline: bool = False) -> str:
    """A cell as text: numbers without a spurious ``.0``, spaces (also non-breaking) trimmed."""
    if value is None or value == "":
        return ""
    if type(value) is str:
        if len(value) <= SHORT_TEXT:
            return _short_text(value, multiline=multiline)
        return _text(value, multiline=multiline)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return _text(str(value), multiline=multiline)


def _text(value: str, *, multiline: bool) -> str:
    text = _CONTROL.sub("", value.replace("\xa0", " ").replace("\r\n", "\n"))
    text = text.strip() if multiline else clean_spaces(text)
    return restore_formula_text(text)


_short_text = lru_cache(maxsize=100_000)(_text)


# The escaping rule of list cells (fields, signatories; documented in the sheet's help):
# inside an item, ``;``, brackets ``( ) [ ]`` and the backslash itself are written with a
# backslash before them (``Lê Văn Bình \(Bình Lê\)``), so that a name or a position
# holding them comes back as written. A backslash before any other character is kept.
_SPECIAL = "\\;()[]"
_ESCAPED = re.compile(r"\\([\\;()\[\]])")
_UNESCAPED = re.compile(r"([\\;()\[\]])")
# While a cell is split and parsed, escaped characters stand in the private use area.
_HIDDEN_BASE = 0xE000
_UNHIDE = str.maketrans({chr(_HIDDEN_BASE + i): c for i, c in enumerate(_SPECIAL)})


def escape_item(text: str) -> str:
    """An item of a list cell with its special characters escaped."""
    return _UNESCAPED.sub(r"\\\1", text)


def _hide_escaped(text: str) -> str:
    return _ESCAPED.sub(lambda m: chr(_HIDDEN_BASE + _SPECIAL.index(m.group(1))), text)


def unhide(text: str) -> str:
    """An item as written, its escaped characters back in place."""
    return text.translate(_UNHIDE)


def split_hidden(value: object) -> list[str]:
    """The items of a list cell, split on unescaped ``;``, escaped characters still hidden."""
    return [
        part for part in (cell_text(p) for p in _hide_escaped(cell_text(value)).split(";")) if part
    ]


def split_list(value: object) -> list[str]:
    return [unhide(part) for part in split_hidden(value)]


# -- writing in bulk, with history --------------------------------------------------------


def _copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _same(value: object) -> object:
    return value


type Preparer = Callable[[Any], object]


def _preparers(fields: Iterable[models.Field[Any, Any]]) -> list[tuple[str, Preparer]]:
    """(attname, to database value) per field: psycopg adapts all but a few types itself."""
    result: list[tuple[str, Preparer]] = []
    for f in fields:
        if (
            type(f) in (models.CharField, models.TextField, models.SlugField)  # not CountryField
            or f.is_relation
            or f.get_internal_type()
            in (
                "AutoField",
                "BigAutoField",
                "IntegerField",
                "PositiveIntegerField",
                "PositiveSmallIntegerField",
                "PositiveBigIntegerField",
                "DateField",
                "DateTimeField",
                "BooleanField",
                "DecimalField",
            )
        ):
            prep: Preparer = _same
        else:  # CountryField (a Country object in Python), choices, anything unusual
            prep = functools.partial(_db_value, f)
        result.append((f.attname, prep))
    return result


def _db_value(field: models.Field[Any, Any], value: object) -> object:
    return field.get_db_prep_save(value, connection)


# The records an import creates, batch by batch in the order written (``recording_creates``):
# what reverting the import deletes, last batch first (sheets/reverting.py).
_created_batches: contextvars.ContextVar[list[Sequence[models.Model]] | None] = (
    contextvars.ContextVar("created_batches", default=None)
)


@contextlib.contextmanager
def recording_creates() -> Iterator[list[Sequence[models.Model]]]:
    """Collect every batch ``create_with_history`` writes inside the block."""
    batches: list[Sequence[models.Model]] = []
    token = _created_batches.set(batches)
    try:
        yield batches
    finally:
        _created_batches.reset(token)


def create_with_history[M: models.Model](objs: Sequence[M], model: type[M], user: Editor) -> None:
    """Insert ``objs`` and their "created" history rows (by ``user``) in two statements.

    On PostgreSQL the ids are taken from the table's sequence up front and both tables
    are loaded with COPY (every constraint is still checked by the database); elsewhere
    django-simple-history's ``bulk_create_with_history`` does the same more slowly.
    """
    if not objs:
        return
    recording = _created_batches.get()
    if recording is not None:
        recording.append(objs)
    if connection.vendor != "postgresql":
        bulk_create_with_history(objs, model, batch_size=BATCH_SIZE, default_user=user)
        return
    now = timezone.now()
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    fields = list(meta.concrete_fields)
    preparers_main = _preparers(fields)
    stamped = [
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj, new_id in zip(objs, ids, strict=True):
        # What bulk_create does first: a private Django method, absent from django-stubs.
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]  # private Django API
        for name in stamped:
            setattr(obj, name, now)
        obj.pk = new_id
        obj._state.adding, obj._state.db = False, "default"
    _copy_rows(
        meta.db_table,
        [f.column for f in fields if f.column],
        ([prep(getattr(o, name)) for name, prep in preparers_main] for o in objs),
    )
    history = get_history_model_for_model(model)
    tracked = [f for f in history._meta.concrete_fields if f.name != "history_id"]
    preparers = dict(_preparers(tracked))
    # A history field holds the value of the model's field of the same name: prepared as
    # the model's field prepares it (a photo's ImageFieldFile becomes its name, which the
    # history's text field could not take as it is).
    preparers.update((name, prep) for name, prep in preparers_main if name in preparers)
    fixed = {
        "history_date": now,
        "history_type": "+",
        "history_change_reason": None,
        "history_user": getattr(user, "pk", None),
    }
    columns = [
        (None, _same, fixed[f.name]) if f.name in fixed else (f.attname, preparers[f.attname], None)
        for f in tracked
    ]
    _copy_rows(
        history._meta.db_table,
        [f.column for f in tracked if f.column],
        (
            [value if name is None else prep(getattr(o, name)) for name, prep, value in columns]
            for o in objs
        ),
    )


def add_links(
    through: type[models.Model], pairs: list[tuple[int, int]], columns: tuple[str, str]
) -> None:
    """Many-to-many rows (no history of their own) in one statement."""
    if not pairs:
        return
    if connection.vendor != "postgresql":
        through._default_manager.bulk_create(
            [through(**dict(zip(columns, pair, strict=True))) for pair in pairs],
            batch_size=BATCH_SIZE,
        )
        return
    _copy_rows(through._meta.db_table, list(columns), pairs)


# -- widgets ------------------------------------------------------------------------------


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


# -- look-ups shared by every sheet -------------------------------------------------------


@functools.cache
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for language in ("en", "vi"):
        with translation.override(language):
            for code, name in countries:
                index[fold(name)] = code
    for code, _name in countries:
        index[fold(code)] = code
        alpha3 = countries.alpha3(code)
        if alpha3:
            index[fold(alpha3)] = code
    # Names in common use that the standard list spells differently.
    for name, code in {
        "viet nam": "VN",
        "belarus": "BY",
        "be la rut": "BY",
        "bê-la-rút": "BY",
        "lao": "LA",
        "lao pdr": "LA",
        "cong hoa dan chu nhan dan lao": "LA",
        "nga": "RU",
        "lien bang nga": "RU",
        "han quoc": "KR",
        "korea": "KR",
        "trung quoc": "CN",
        "nhat ban": "JP",
        "hoa ky": "US",
        "my": "US",
        "usa": "US",
        "uk": "GB",
        "anh": "GB",
    }.items():
        index[fold(name)] = code
    return index


def parse_country(value: object) -> str:
    """ISO code for ``value`` (``BY``, ``BLR``, ``Belarus``, ``Bêlarut``); '' if blank."""
    text = cell_text(value)
    if not text:
        return ""
    code = _country_index().get(fold(text))
    if code is None:  # old and variant spellings ("Bêlarut", "Belorussia", "Bạch Nga")
        code = next(iter(codes_matching(text)), None)
    if code is None:
        raise ValueError(gettext("“%(value)s” is not a known country.") % {"value": text})
    return code


# A stored partnership by (home city id, partner city id); one the sheet creates is keyed
# by ("new", id of its partner city object) until it is written.
type PartnershipKey = tuple[int, int | tuple[str, int]]


def country_code(city: City) -> str:
    """The ISO code of ``city``'s country.

    django-countries' descriptor gives a ``Country``; django-stubs sees the ``CharField``
    beneath it (text), so both are handled.
    """
    country: Country | str = city.country
    return country.code if isinstance(country, Country) else country


def max_length(model: type[models.Model], field: str) -> int:
    """The ``max_length`` of a text column (0 if it has none)."""
    column = model._meta.get_field(field)
    return (column.max_length or 0) if isinstance(column, models.Field) else 0


class Lookups:
    """Everything rows refer to, loaded once per import and found by folded name.

    Each table is read with one query on first use; records created by the import
    (an unknown partner city, field or person) join the index, so the number of
    queries does not grow with the number of rows that mention them.
    """

    def __init__(self, user: Editor = None) -> None:
        self.user = user
        self._cities: dict[str, dict[str, list[City]]] | None = None
        self._partnerships: dict[PartnershipKey, Partnership] | None = None
        self._fields: dict[str, list[FieldOfCooperation]] | None = None
        self._people: dict[str, list[Person]] | None = None
        self._organisations: dict[str, list[Organisation]] | None = None
        # Records the sheet needs that do not exist yet: validated now, written in bulk
        # (with history) by ``flush`` just before the rows themselves.
        self.new_records: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        self._new_ids: set[int] = set()
        self._matcher: CityMatcher | None = None
        # Cities found nowhere that may be created: all (--create-cities), or those
        # ticked in the preview (by name_key); the others are refused.
        self.create_cities = False
        self.confirmed_cities: set[str] = set()
        # Cities found nowhere, as written → "did you mean" (for the preview's ticks).
        self.unknown_cities: dict[str, list[str]] = {}

    def _add[M: models.Model](self, obj: M) -> M:
        # Relations and countries are what the sheet matched against stored records;
        # checking them again would cost queries (relations) or much time (countries).
        obj.full_clean(
            exclude=[
                f.name
                for f in obj._meta.concrete_fields
                if f.is_relation or f.get_internal_type() == "CountryField" or f.name == "country"
            ],
            validate_unique=False,
            validate_constraints=False,
        )
        self.new_records[type(obj)].append(obj)
        self._new_ids.add(id(obj))
        return obj

    def is_new(self, obj: models.Model) -> bool:
        return id(obj) in self._new_ids

    def flush(self) -> None:
        """Write the new cities, partnerships, fields and people (in that order)."""
        for model in (City, Partnership, FieldOfCooperation, Person):
            create_with_history(self.new_records.pop(model, []), model, self.user)

    # cities
    def cities(self) -> dict[str, dict[str, list[City]]]:
        if self._cities is None:
            self._cities = defaultdict(lambda: defaultdict(list))
            for city in City.objects.prefetch_related("alternative_names"):
                self._index_city(self._cities, city)
        return self._cities

    @staticmethod
    def _index_city(index: dict[str, dict[str, list[City]]], city: City) -> None:
        names = city.all_names() if city.pk else [city.name]
        for name in names:
            bucket = index[country_code(city)][fold(name)]
            if city not in bucket:
                bucket.append(city)

    def find_partnership(self, row: Row) -> Partnership | None:
        """The stored partnership a row names, without creating anything (None if unsure)."""
        try:
            home_country = parse_country(row.get("home_country"))
            partner_country = parse_country(row.get("partner_country"))
        except ValueError:
            return None
        home_name = cell_text(row.get("home_city"))
        home = [c for c in self._matching(home_name, home_country) if c.is_home]
        if not home_name:  # a sheet without the column: the office's only home city
            with contextlib.suppress(ValueError):
                home = [self.only_home_city()]
        partner = self._matching(cell_text(row.get("partner_city")), partner_country)
        if len(home) != 1 or len(partner) != 1:
            return None
        return self.partnerships_index().get((home[0].pk, partner[0].pk))

    def partnerships_by_pk(self) -> dict[int, Partnership]:
        return {p.pk: p for p in self.partnerships_index().values() if p.pk}

    def fields_by_pk(self) -> dict[int, FieldOfCooperation]:
        return {f.pk: f for fs in self.field_index().values() for f in fs if f.pk}

    def people_by_pk(self) -> dict[int, Person]:
        return {p.pk: p for ps in self.people_index().values() for p in ps if p.pk}

    def partnerships_index(self) -> dict[PartnershipKey, Partnership]:
        if self._partnerships is None:
            self._partnerships = {
                (p.home_city_id, p.partner_city_id): p
                for p in Partnership.objects.select_related("home_city", "partner_city")
            }
        return self._partnerships

    def _matching(self, name: str, country: str) -> list[City]:
        key = fold(name)
        if country:
            return list(self.cities().get(country, {}).get(key, []))
        return [c for by_name in self.cities().values() for c in by_name.get(key, [])]

    def home_city(self, name: str, country: str) -> City:
        if not name:
            raise ValueError(gettext("Give the home city (one of ours)."))
        found = self._matching(name, country)
        home = [c for c in found if c.is_home]
        if len(home) == 1:
            return home[0]
        if found:
            raise ValueError(gettext("“%(value)s” is not one of our cities.") % {"value": name})
        ours = sorted(
            {c.name for by in self.cities().values() for b in by.values() for c in b if c.is_home}
        )
        raise ValueError(
            gettext("“%(value)s” is not one of our cities (%(ours)s).")
            % {"value": name, "ours": ", ".join(ours)}
        )

    def only_home_city(self) -> City:
        """Our home city when there is just one (rows need not name it then)."""
        ours = list(
            {
                c.pk: c
                for by in self.cities().values()
                for b in by.values()
                for c in b
                if c.is_home
            }.values()
        )
        if len(ours) == 1:
            return ours[0]
        raise ValueError(
            gettext("Give the home city (one of ours: %(ours)s).")
            % {"ours": ", ".join(sorted(c.name for c in ours))}
        )

    def partner_city(self, name: str, country: str) -> City:
        if not name:
            raise ValueError(gettext("Give the partner city."))
        found = self._matching(name, country)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ValueError(
                gettext("Several cities are called “%(value)s”; give the country.")
                % {"value": name}
                if not country
                else gettext("Several cities in this country are called “%(value)s”.")
                % {"value": name}
            )
        match = self.matcher().find(name, country)
        if match.city is not None:
            city = match.city
            if city.pk is None and not self.is_new(city):
                self._add(city)
                self.matcher().add(city, match.place)
            self.cities()[country_code(city)][fold(name)].append(city)
            return city
        return self._unknown_city(name, country, match.suggestions)

    def matcher(self) -> CityMatcher:
        if self._matcher is None:
            stored = {c.pk: c for by in self.cities().values() for b in by.values() for c in b}
            self._matcher = CityMatcher(stored.values())
        return self._matcher

    def _unknown_city(self, name: str, country: str, suggestions: list[str]) -> City:
        """A city found nowhere: created if confirmed (and its country given), else refused."""
        if not (self.create_cities or name_key(name) in self.confirmed_cities):
            self.unknown_cities[name] = suggestions
            if suggestions:
                raise ValueError(
                    gettext(
                        "“%(value)s” is not a known city. Did you mean: %(suggestions)s? "
                        "Otherwise confirm that it is to be created."
                    )
                    % {"value": name, "suggestions": "; ".join(suggestions)}
                )
            raise ValueError(
                gettext("“%(value)s” is not a known city: confirm that it is to be created.")
                % {"value": name}
            )
        if not country:
            raise ValueError(
                gettext("“%(value)s” is a new city: give its country so it can be created.")
                % {"value": name}
            )
        if len(name) > max_length(City, "name"):
            raise ValueError(gettext("The city name is too long."))
        city = self._add(City(name=name, country=country, is_home=False))
        self._index_city(self.cities(), city)
        self.matcher().add(city)
        return city

    # partnerships
    def partnership(self, home: City, partner: City) -> Partnership:
        partnerships = self.partnerships_index()
        key = (home.pk, partner.pk or ("new", id(partner)))
        if key not in partnerships:
            if home is partner:
                raise ValueError(gettext("The partner city cannot be the home city itself."))
            partnerships[key] = self._add(Partnership(home_city=home, partner_city=partner))
        return partnerships[key]

    # fields of cooperation
    def field_index(self) -> dict[str, list[FieldOfCooperation]]:
        if self._fields is None:
            self._fields = defaultdict(list)
            for f in FieldOfCooperation.objects.all():
                self._index_field(self._fields, f)
        return self._fields

    def field(self, name: str) -> FieldOfCooperation:
        index = self.field_index()
        found = index.get(fold(name), [])
        if found:
            return found[0]
        if len(name) > max_length(FieldOfCooperation, "name"):
            raise ValueError(gettext("“%(value)s” is too long for a field name.") % {"value": name})
        codes = {f.code for fs in index.values() for f in fs}
        base = slugify(fold(name))[:45] or "field"
        code, n = base, 2
        while code in codes:
            code, n = f"{base}-{n}", n + 1
        created = self._add(FieldOfCooperation(code=code, name=name))
        self._index_field(index, created)
        return created

    @staticmethod
    def _index_field(index: dict[str, list[FieldOfCooperation]], f: FieldOfCooperation) -> None:
        for name in (f.name, f.name_en, f.code):
            if name and f not in index[fold(name)]:
                index[fold(name)].append(f)

    # people
    def people_index(self) -> dict[str, list[Person]]:
        if self._people is None:
            self._people = defaultdict(list)
            for p in Person.objects.all():
                self._index_person(self._people, p)
        return self._people

    def person(self, name: str) -> Person:
        index = self.people_index()
        found = index.get(fold(name), [])
        if found:
            return found[0]
        if len(name) > max_length(Person, "full_name"):
            raise ValueError(gettext("“%(value)s” is too long for a name.") % {"value": name})
        created = self._add(Person(full_name=name))
        self._index_person(index, created)
        return created

    @staticmethod
    def _index_person(index: dict[str, list[Person]], p: Person) -> None:
        for name in (p.full_name, p.name_latin):
            if name and p not in index[fold(name)]:
                index[fold(name)].append(p)

    # organisations (never created: a typo must not become a new organisation)
    def organisation(self, name: str) -> Organisation:
        if self._organisations is None:
            self._organisations = defaultdict(list)
            for o in Organisation.objects.all():
                for n in (o.name, o.name_en, o.abbreviation):
                    if n:
                        self._organisations[fold(n)].append(o)
        found = self._organisations.get(fold(name), [])
        if len(found) == 1:
            return found[0]
        if found:
            raise ValueError(
                gettext("Several organisations are called “%(value)s”.") % {"value": name}
            )
        raise ValueError(
            gettext("“%(value)s” is not a known organisation: add it first.") % {"value": name}
        )


# -- the shared machinery -----------------------------------------------------------------


class RowNotes(TypedDict):
    """What the preview says of one row besides its errors."""

    before: NotRequired[dict[str, str] | None]  # the stored record as a row; None if new
    notes: NotRequired[list[str]]  # "New city … will be created."
    changes: NotRequired[list[tuple[str, str, str]]]  # (column, before, after)


class SheetInstanceLoader(BaseInstanceLoader):
    """Finds the stored record of a row in what ``before_import`` prefetched."""

    @override
    def get_instance(self, row: Row) -> Record | None:
        return self.resource.existing_instance(row)


class SheetResource[M: Record](resources.ModelResource):
    """A sheet with fixed columns, validated row by row and written in bulk at the end.

    Subclasses define ``COLUMNS``, ``HEADER_ALIASES``, ``ERROR_COLUMNS`` (model field →
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

    class Meta:
        abstract = True

    @classmethod
    def row_key(cls, values: Sequence[object]) -> str:
        """How the preview names a row: its natural key as written."""
        row = dict(zip(cls.COLUMNS, values, strict=False))
        return " · ".join(cell_text(row.get(c)) for c in cls.KEY_COLUMNS if cell_text(row.get(c)))

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
        rows.extend(
            ("home_city", city.name, "; ".join(city.all_names()[1:]))
            for city in City.objects.home()
        )
        rows.extend(("fields", f.name, f.name_en) for f in FieldOfCooperation.objects.all())
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
        self.lookups = Lookups(user)
        self.lookups.create_cities = bool(getattr(options, "create_cities", False))
        self.lookups.confirmed_cities = {
            name_key(n) for n in getattr(options, "new_cities", None) or ()
        }
        self.row_errors: dict[int, RowErrors] = {}
        # The rows' records, validated, waiting for the bulk write: (record, new?, row number).
        self.pending: list[tuple[M, bool, int]] = []
        # After a real import: {"created": [[model label, [pk…]], …], "updated": […]}.
        self.written: dict[str, list[list[Any]]] = {}
        self.reports: dict[int, RowNotes] = {}
        self._current: RowNotes = {}

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
        self, dataset: tablib.Dataset, dry_run: bool = False, *args: Any, **kwargs: Any
    ) -> Result:
        self.dry_run = dry_run
        return super().import_data(dataset, dry_run, *args, **kwargs)

    @override
    def get_or_init_instance(
        self, instance_loader: SheetInstanceLoader, row: Row
    ) -> tuple[M, bool]:
        instance, new = super().get_or_init_instance(instance_loader, row)
        self._current = {
            "before": None if new else self.export_row(instance),
            "notes": [],
            "changes": [],
        }
        return instance, new

    @override
    def import_instance(self, instance: M, row: Row, **kwargs: Any) -> None:
        errors: RowErrors = dict(self.row_errors.get(kwargs.get("row_number", 0), {}))
        self.fill(instance, row, errors)
        if errors:
            raise ValidationError({column: [message] for column, message in errors.items()})

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
            instance.full_clean(
                exclude=sorted(exclude), validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = self.ERROR_COLUMNS.get(name, name if name in self.COLUMNS else NON_FIELD)
                errors.setdefault(column, []).extend(messages)
        if errors:
            raise ValidationError(errors)

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
    def bulk_create(self, *args: Any, **kwargs: Any) -> None:
        """Nothing: everything is written together in ``after_import``."""

    @override
    def bulk_update(self, *args: Any, **kwargs: Any) -> None:
        """Nothing: everything is written together in ``after_import``."""

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
        now = timezone.now()
        for obj in updated:
            obj.version += 1
            obj.updated_at = now
        with recording_creates() as batches:
            self.lookups.flush()
            self.write(created, updated)
        # What reverting the import undoes: kept on its log (sheets.models.ImportLog.changes).
        self.written = {
            "created": [
                [batch[0]._meta.label_lower, [obj.pk for obj in batch]] for batch in batches
            ],
            "updated": [[self._meta.model._meta.label_lower, [obj.pk for obj in updated]]]
            if updated
            else [],
        }

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

    def classify(self, widget: ChoiceWidget, column: str, row: Row) -> None:
        """Say how a choice cell was read when only its head noun told; collect unknowns."""
        text = cell_text(row.get(column))
        if not text:
            return
        code, guessed = widget.match(text)
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

    def partnership_from(self, row: Row, errors: RowErrors) -> Partnership | None:
        """The pair (home city, partner city) of the row, found or created."""
        home_country = self._country(row, "home_country", errors)
        partner_country = self._country(row, "partner_country", errors)
        home = self._city(row, "home_city", home_country, self._home_city, errors)
        partner = self._city(
            row, "partner_city", partner_country, self.lookups.partner_city, errors
        )
        if home is None or partner is None:
            return None
        if self.lookups.is_new(partner):
            self.note(gettext("New city “%(name)s” will be created.") % {"name": partner.name})
        try:
            partnership = self.lookups.partnership(home, partner)
        except ValueError as e:
            errors["partner_city"] = str(e)
            return None
        if self.lookups.is_new(partnership):
            self.note(gettext("New partnership %(name)s will be created.") % {"name": partnership})
        return partnership

    def _home_city(self, name: str, country: str) -> City:
        """The home city named, else the one chosen for the import, else our only one."""
        chosen = name or getattr(self.options, "home_city", "")
        if chosen:
            return self.lookups.home_city(chosen, country)
        return self.lookups.only_home_city()

    @staticmethod
    def _country(row: Row, column: str, errors: RowErrors) -> str | None:
        """The ISO code in ``column`` ('' if blank; None, with the error filed, if unknown)."""
        try:
            return parse_country(row.get(column))
        except ValueError as e:
            errors[column] = str(e)
            return None

    def _city(
        self,
        row: Row,
        column: str,
        country: str | None,
        find: Callable[[str, str], City],
        errors: RowErrors,
    ) -> City | None:
        """The city ``find`` gives for ``column`` in ``country`` (None if not found)."""
        if country is None:
            return None
        try:
            return find(self.text(row, column), country)
        except ValueError as e:
            errors[column] = str(e)
            return None

    def export_partnership(self, partnership: Partnership | None) -> dict[str, str]:
        if partnership is None:
            return dict.fromkeys(
                ("home_city", "home_country", "partner_city", "partner_country"), ""
            )
        cache = self.__dict__.setdefault("_partnership_cells", {})
        key = id(partnership)
        if key not in cache:
            cache[key] = (
                partnership,  # kept alive so that its id is not reused
                {
                    "home_city": partnership.home_city.name,
                    "home_country": country_code(partnership.home_city),
                    "partner_city": partnership.partner_city.name,
                    "partner_country": country_code(partnership.partner_city),
                },
            )
        return dict(cache[key][1])

    def export_dataset(self, queryset: Iterable[M]) -> tablib.Dataset:
        """The sheet for ``queryset``, text that would run as a formula neutralised."""
        import tablib

        dataset = tablib.Dataset(headers=list(self.COLUMNS))
        for instance in queryset:
            row = self.export_row(instance)
            dataset.append([neutralise_formula(row[c]) for c in self.COLUMNS])
        return dataset


def record_history_as(instance: models.Model, user: Editor) -> None:
    """Name ``user`` as the author of the history rows recorded for ``instance``."""
    instance._history_user = user  # type: ignore[attr-defined]  # simple-history's attribute, declared by no model


# -- agreements ---------------------------------------------------------------------------

KIND_SYNONYMS: dict[str, tuple[str, ...]] = {
    Agreement.Kind.FRIENDSHIP: (
        "Thỏa thuận hữu nghị và hợp tác",
        "Thỏa thuận về quan hệ hữu nghị và hợp tác",
        "Thỏa thuận hữu nghị",
        "Friendship agreement",
        "Friendship and cooperation agreement",
    ),
    Agreement.Kind.COOPERATION: ("Thỏa thuận hợp tác", "Cooperation agreement"),
    Agreement.Kind.PROGRAMME: ("Chương trình hợp tác", "Chương trình", "Programme", "Program"),
    Agreement.Kind.MOU: ("Biên bản ghi nhớ", "Bản ghi nhớ", "MoU", "Memorandum of understanding"),
    Agreement.Kind.LETTER_OF_INTENT: ("Thư ý định", "Ý định thư", "LOI", "Letter of intent"),
    Agreement.Kind.ANNUAL_PLAN: (
        "Kế hoạch hằng năm",
        "Kế hoạch hàng năm",
        "Kế hoạch năm",
        "Annual plan",
    ),
}

# A document name that matches no label is classified by its head noun, the words it
# begins with (issue 12, point 6): "Thỏa thuận hợp tác về giáo dục…" is a cooperation
# agreement, "Biên bản ghi nhớ giữa…" a memorandum. Longest first; folded.
KIND_HEADS: tuple[tuple[str, str], ...] = (
    ("thoa thuan huu nghi", Agreement.Kind.FRIENDSHIP),
    ("thoa thuan ve quan he huu nghi", Agreement.Kind.FRIENDSHIP),
    ("thoa thuan thiet lap quan he huu nghi", Agreement.Kind.FRIENDSHIP),
    ("thoa thuan hop tac", Agreement.Kind.COOPERATION),
    ("thoa thuan", Agreement.Kind.COOPERATION),
    ("chuong trinh", Agreement.Kind.PROGRAMME),
    ("bien ban ghi nho", Agreement.Kind.MOU),
    ("ban ghi nho", Agreement.Kind.MOU),
    ("ke hoach", Agreement.Kind.ANNUAL_PLAN),
    ("thu y dinh", Agreement.Kind.LETTER_OF_INTENT),
    ("y dinh thu", Agreement.Kind.LETTER_OF_INTENT),
    ("friendship", Agreement.Kind.FRIENDSHIP),
    ("cooperation agreement", Agreement.Kind.COOPERATION),
    ("memorandum", Agreement.Kind.MOU),
    ("programme", Agreement.Kind.PROGRAMME),
    ("program", Agreement.Kind.PROGRAMME),
    ("letter of intent", Agreement.Kind.LETTER_OF_INTENT),
    ("annual plan", Agreement.Kind.ANNUAL_PLAN),
)

STATUS_SYNONYMS: dict[str, tuple[str, ...]] = {
    Agreement.Status.DRAFT: ("Dự thảo", "Draft"),
    Agreement.Status.NEGOTIATION: ("Đang đàm phán", "Đàm phán", "Under negotiation"),
    Agreement.Status.IN_FORCE: ("Có hiệu lực", "Còn hiệu lực", "Đang có hiệu lực", "In force"),
    Agreement.Status.EXPIRED: ("Hết hạn", "Hết hiệu lực", "Đã hết hạn", "Expired"),
    Agreement.Status.TERMINATED: ("Chấm dứt", "Đã chấm dứt", "Terminated"),
    Agreement.Status.SUPERSEDED: ("Được thay thế", "Đã được thay thế", "Bị thay thế", "Superseded"),
}

WITNESS_MARKS = ("witness", "chung kien", "nguoi chung kien")
_SIGNATORY = re.compile(
    r"^(?P<name>[^()\[\]]+?)\s*(?:\((?P<title>.*)\))?\s*(?:\[(?P<role>[^\]]*)\])?$"
)


# A position written after the name instead of in brackets: "Nguyễn Văn B - Chủ tịch".
_INLINE_POSITION = re.compile(r"\s+[-–—]\s+|\s*[,:]\s+")


def _expected_form(part: str) -> str:
    return gettext(
        "“%(value)s” is not “Name (position held then)”: write it as "
        "“Nguyễn Văn B (Chủ tịch UBND thành phố)”."
    ) % {"value": unhide(part)}


def _name_and_title(name: str, title: str | None, notes: list[str] | None) -> tuple[str, str]:
    """The name and position of an entry; a position written after a dash (or a comma)
    instead of in brackets is taken when there is just one (and the preview says so)."""
    if title is not None:
        return name, title
    pieces = _INLINE_POSITION.split(name)
    if len(pieces) == 1:
        return name, ""
    if len(pieces) != 2 or not all(p.strip() for p in pieces):  # noqa: PLR2004 — name, title
        raise ValueError(_expected_form(name))
    if notes is not None:
        notes.append(
            gettext("“%(value)s” read as “%(name)s (%(title)s)”.")
            % {"value": unhide(name), "name": unhide(pieces[0]), "title": unhide(pieces[1])}
        )
    return pieces[0], pieces[1]


def parse_signatories(value: object, notes: list[str] | None = None) -> list[tuple[str, str, str]]:
    """``"Trần Sỹ Thanh (Chủ tịch UBND TP Hà Nội) [witness]; …"`` → [(name, title, role)].

    ``notes`` collects what the preview should say (an entry read another way).
    """
    entries: list[tuple[str, str, str]] = []
    for part in split_hidden(value):
        match = _SIGNATORY.match(part)
        if not match:
            raise ValueError(_expected_form(part))
        name, title = _name_and_title(match["name"], match["title"], notes)
        role = Signatory.Role.SIGNATORY
        if match["role"] is not None:
            if fold(match["role"]) in WITNESS_MARKS:
                role = Signatory.Role.WITNESS
            elif fold(match["role"]) not in ("signatory", "nguoi ky", "ky"):
                raise ValueError(
                    gettext("“%(value)s”: write [witness] after a witness.") % {"value": part}
                )
        entries.append((unhide(clean_spaces(name)), unhide(clean_spaces(title)), role))
    return entries


def format_signatory(name: str, title: str, role: str) -> str:
    name, title = escape_item(name), escape_item(title)
    text = f"{name} ({title})" if title else name
    return f"{text} [witness]" if role == Signatory.Role.WITNESS else text


def derived_reference(partner_city: str, signed: PartialDate, title: str) -> str:
    """The reference of a row that has none: stable, so that a re-import finds the record.

    ``<partner city>-<signing date>-<6 hex digits of the title>``, the city in ASCII
    capitals (at most 20 letters), the date as far as it is known (``20231207``,
    ``202312``, ``2023``), the digits a hash of the title folded (case, accents and
    spacing do not change it): ``MINSK-20231207-3f2a9c``.
    """
    city = slugify(fold(partner_city)).upper()[:20] or "X"
    formats: dict[str, str] = {Precision.YEAR: "%Y", Precision.MONTH: "%Y%m"}
    when = formats.get(str(signed.precision), "%Y%m%d")
    digest = hashlib.sha256(fold(title).encode()).hexdigest()[:6]
    return f"{city}-{signed.date.strftime(when)}-{digest}"


def derive_references(dataset: tablib.Dataset) -> set[str]:
    """Fill in the reference of rows without one (partner city, signing date and title
    given); the references so derived."""
    derived: set[str] = set()
    columns = list(dataset.headers or [])
    at = {name: columns.index(name) for name in ("reference", "partner_city", "signed_on", "title")}
    for index, values in enumerate(dataset):
        if cell_text(values[at["reference"]]):
            continue
        partner, title = cell_text(values[at["partner_city"]]), cell_text(values[at["title"]])
        try:
            signed = clean_date(values[at["signed_on"]], partial=True)
        except ValueError:
            continue  # the row's error names the date
        if partner and title and signed:
            row = list(values)
            row[at["reference"]] = derived_reference(partner, signed, title)
            dataset[index] = row
            derived.add(row[at["reference"]])
    return derived


class AgreementResource(SheetResource[Agreement]):
    COLUMNS = (
        "reference",
        "home_city",
        "home_country",
        "partner_city",
        "partner_country",
        "kind",
        "title",
        "signed_on",
        "signed_at",
        "valid_from",
        "valid_until",
        "status",
        "parent_reference",
        "fields",
        "signatories",
        "notes",
    )
    HEADER_ALIASES = {
        "reference": ("Số hiệu", "Số hiệu văn bản", "Mã văn bản", "Mã tham chiếu"),
        "home_city": ("Thành phố của ta", "Thành phố phía ta", "Địa phương"),
        "home_country": ("Quốc gia của ta", "Nước của ta"),
        "partner_city": ("Thành phố đối tác", "Địa phương đối tác"),
        "partner_country": ("Quốc gia đối tác", "Nước đối tác"),
        "kind": ("Loại văn bản", "Loại"),
        "title": ("Tên văn bản", "Tiêu đề", "Tên"),
        "signed_on": ("Ngày ký",),
        "signed_at": ("Nơi ký", "Địa điểm ký"),
        "valid_from": ("Hiệu lực từ", "Có hiệu lực từ", "Ngày hiệu lực"),
        "valid_until": ("Hiệu lực đến", "Có hiệu lực đến", "Ngày hết hiệu lực"),
        "status": ("Tình trạng", "Trạng thái"),
        "parent_reference": ("Văn bản gốc", "Số hiệu văn bản gốc", "Thực hiện hoặc gia hạn"),
        "fields": ("Lĩnh vực hợp tác", "Lĩnh vực"),
        "signatories": ("Người ký", "Người ký và chứng kiến"),
        "notes": ("Ghi chú",),
    }
    ERROR_COLUMNS = {
        "partnership": "partner_city",
        "parent": "parent_reference",
        "parent_relation": "parent_reference",
        "signed_on_precision": "signed_on",
        "title_en": "title",
    }
    FK_FIELDS = ("partnership", "parent")
    KEY_COLUMNS = ("reference",)
    # What identifies an agreement; every other column may be absent (issue 12, point 4).
    REQUIRED_COLUMNS = ("partner_city", "title")
    DATE_COLUMNS = ("signed_on", "valid_from", "valid_until")
    CHOICE_COLUMNS = {
        "kind": (Agreement.Kind, KIND_SYNONYMS),
        "status": (Agreement.Status, STATUS_SYNONYMS),
    }
    EXAMPLE = {
        "reference": "HN-MSK-CT-2024-2026",
        "home_city": "Hà Nội",
        "home_country": "VN",
        "partner_city": "Minsk",
        "partner_country": "BY",
        "kind": "programme",
        "title": "Chương trình hợp tác giữa thành phố Hà Nội và thành phố Minsk giai đoạn 2024-2026",
        "signed_on": "07/12/2023",
        "signed_at": "Hà Nội",
        "valid_from": "01/01/2024",
        "valid_until": "31/12/2026",
        "status": "in_force",
        "parent_reference": "HN-MSK-2004",
        "fields": "Văn hóa; Giáo dục; Du lịch",
        "signatories": "Trần Sỹ Thanh (Chủ tịch UBND thành phố Hà Nội) [witness]",
        "notes": "",
    }

    reference = ie_fields.Field(attribute="reference", column_name="reference", widget=TextWidget())
    kind = ie_fields.Field(
        attribute="kind",
        column_name="kind",
        widget=ChoiceWidget(
            Agreement.Kind, KIND_SYNONYMS, what=_("kind of agreement"), heads=KIND_HEADS
        ),
    )
    title = ie_fields.Field(attribute="title", column_name="title", widget=TextWidget())
    signed_at = ie_fields.Field(attribute="signed_at", column_name="signed_at", widget=TextWidget())
    valid_from = ie_fields.Field(
        attribute="valid_from", column_name="valid_from", widget=DateWidget()
    )
    valid_until = ie_fields.Field(
        attribute="valid_until", column_name="valid_until", widget=DateWidget()
    )
    status = ie_fields.Field(
        attribute="status",
        column_name="status",
        widget=ChoiceWidget(Agreement.Status, STATUS_SYNONYMS, what=_("status")),
    )
    notes = ie_fields.Field(
        attribute="notes", column_name="notes", widget=TextWidget(multiline=True)
    )

    class Meta:
        model = Agreement
        fields = (
            "reference",
            "kind",
            "title",
            "signed_at",
            "valid_from",
            "valid_until",
            "status",
            "notes",
        )
        import_id_fields = ("reference",)
        instance_loader_class = SheetInstanceLoader
        use_bulk = True
        batch_size = BATCH_SIZE
        skip_diff = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    @override
    @classmethod
    def missing_columns(cls, present: Collection[str]) -> list[str]:
        missing = super().missing_columns(present)
        if "reference" not in present and "signed_on" not in present:
            missing.append("reference / signed_on")
        return missing

    # -- loading --------------------------------------------------------------------
    @override
    def prepare(self, dataset: tablib.Dataset) -> None:
        self.derived_refs = derive_references(dataset)
        refs: dict[str, list[int]] = defaultdict(list)
        parents: set[str] = set()
        self.sheet_kinds: dict[str, str] = {}
        kind_widget = self.fields["kind"].widget
        for number, row in enumerate(dataset.dict, 1):
            ref = cell_text(row.get("reference"))
            if ref:
                refs[ref].append(number)
                with contextlib.suppress(ValueError):
                    self.sheet_kinds[ref] = kind_widget.clean(row.get("kind"))
            if parent := cell_text(row.get("parent_reference")):
                parents.add(parent)
        for ref, numbers in refs.items():
            for number in numbers[1:]:
                self.row_errors[number] = {
                    "reference": gettext(
                        "“%(ref)s” is already used by an earlier row of the sheet."
                    )
                    % {"ref": ref}
                }
        self.sheet_refs = set(refs)
        self.stored = self._load_agreements(set(refs) | parents)

    def _load_agreements(self, references: set[str]) -> dict[str, Agreement]:
        """The agreements named in the sheet and every ancestor of theirs, parents wired.

        Their partnership, fields and signatories' people are taken from the look-ups
        (already loaded for the rows) rather than joined or prefetched: ten thousand
        stored agreements then cost a few light queries and no duplicate objects.
        """
        by_pk: dict[int, Agreement] = {}
        refs = [r for r in references if r]
        for start in range(0, len(refs), 5000):
            by_pk.update(
                (a.pk, a)
                for a in Agreement.objects.filter(reference__in=refs[start : start + 5000])
            )
        named = list(by_pk)
        missing = {a.parent_id for a in by_pk.values() if a.parent_id} - set(by_pk)
        while missing:
            found = {a.pk: a for a in Agreement.objects.filter(pk__in=missing)}
            by_pk.update(found)
            missing = {a.parent_id for a in found.values() if a.parent_id} - set(by_pk)
        parent_field = Agreement._meta.get_field("parent")
        partnership_field = Agreement._meta.get_field("partnership")
        partnerships = self.lookups.partnerships_by_pk()
        for a in by_pk.values():
            parent_field.set_cached_value(a, by_pk.get(a.parent_id) if a.parent_id else None)
            partnership_field.set_cached_value(a, partnerships[a.partnership_id])
            a._stored_fields, a._stored_signatories = [], []
        if named:
            fields = self.lookups.fields_by_pk()
            links = Agreement.fields.through.objects.filter(agreement_id__in=named)
            for agreement_id, field_id in links.values_list(
                "agreement_id", "fieldofcooperation_id"
            ):
                by_pk[agreement_id]._stored_fields.append(fields[field_id])
            signatures = Signatory.objects.filter(agreement_id__in=named).order_by("role", "id")
            if signatures:
                people = self.lookups.people_by_pk()
                person_field = Signatory._meta.get_field("person")
                for signature in signatures:
                    person_field.set_cached_value(signature, people[signature.person_id])
                    by_pk[signature.agreement_id]._stored_signatories.append(signature)
        return {a.reference: a for a in by_pk.values()}

    @override
    def existing_instance(self, row: Row) -> Agreement | None:
        return self.stored.get(cell_text(row.get("reference")))

    # -- one row ----------------------------------------------------------------------
    @override
    def fill(self, instance: Agreement, row: Row, errors: RowErrors) -> None:
        for name in (
            "reference",
            "kind",
            "title",
            "signed_at",
            "valid_from",
            "valid_until",
            "status",
            "notes",
        ):
            field = self.fields[name]
            # The reference is the key (derived when the sheet has none): never kept.
            if name != "reference" and self.keeps(instance, row, field.column_name):
                continue
            if isinstance(field.widget, ChoiceWidget):
                self.classify(field.widget, name, row)
            try:
                field.save(instance, row)
            except ValueError as e:
                errors.setdefault(field.column_name, str(e))
        if not instance.reference:
            errors.setdefault(
                "reference", gettext("Give the agreement's reference or its signing date.")
            )
        elif instance.reference in self.derived_refs:
            self.note(
                gettext("No reference in the sheet: “%(ref)s” derived from the row.")
                % {"ref": instance.reference}
            )
        self._fill_signed_on(instance, row, errors)
        if not (instance.partnership_id and self.keeps(instance, row, "partner_city")):
            partnership = self.partnership_from(row, errors)
            if partnership is not None:
                instance.partnership = partnership
        self._fill_parent(instance, row, errors)
        self._fill_fields(instance, row, errors)
        self._fill_signatories(instance, row, errors)

    def _fill_signed_on(self, instance: Agreement, row: Row, errors: RowErrors) -> None:
        if self.keeps(instance, row, "signed_on"):
            return
        try:
            signed = clean_date(row.get("signed_on"), partial=True)
        except ValueError as e:
            errors["signed_on"] = str(e)
        else:
            instance.signed_on = signed.date if signed else None
            instance.signed_on_precision = signed.precision if signed else Precision.DAY

    def _fill_parent(self, instance: Agreement, row: Row, errors: RowErrors) -> None:
        instance._pending_parent = None
        if self.keeps(instance, row, "parent_reference"):
            return
        ref = cell_text(row.get("parent_reference"))
        if not ref:
            instance.parent, instance.parent_relation = None, ""
            return
        if ref == instance.reference:
            errors["parent_reference"] = gettext("An agreement cannot implement or renew itself.")
            return
        parent_kind = self.sheet_kinds.get(ref)
        if ref in self.stored:
            parent = self.stored[ref]
            instance.parent = parent
            parent_kind = parent_kind or parent.kind
        elif ref in self.sheet_refs:
            # Created by this same sheet: linked (with its relation) once it is written.
            instance.parent, instance.parent_relation = None, ""
            instance._pending_parent = ref
            instance._pending_relation = (
                Agreement.Relation.RENEWS
                if parent_kind == instance.kind
                else Agreement.Relation.IMPLEMENTS
            )
            return
        else:
            errors["parent_reference"] = gettext(
                "“%(ref)s” is neither a stored agreement nor a row of this sheet."
            ) % {"ref": ref}
            return
        instance.parent_relation = (
            Agreement.Relation.RENEWS
            if parent_kind == instance.kind
            else Agreement.Relation.IMPLEMENTS
        )

    def _fill_fields(self, instance: Agreement, row: Row, errors: RowErrors) -> None:
        stored = _related(instance, "fields") if instance.pk else []
        if self.keeps(instance, row, "fields"):
            instance._import_fields = list(stored)
            return
        chosen: list[FieldOfCooperation] = []
        try:
            for name in split_list(row.get("fields")):
                f = self.lookups.field(name)
                if f not in chosen:
                    chosen.append(f)
                if self.lookups.is_new(f):
                    self.note(
                        gettext("New field of cooperation “%(name)s” will be created.")
                        % {"name": f.name}
                    )
        except ValueError as e:
            errors["fields"] = str(e)
        instance._import_fields = chosen
        removed = [f.name for f in stored if f not in chosen]
        if removed:
            self.note(
                gettext("This update removes the fields: %(names)s.")
                % {"names": "; ".join(removed)}
            )

    def _fill_signatories(self, instance: Agreement, row: Row, errors: RowErrors) -> None:
        stored = [
            (s.person, s.position_title, s.role)
            for s in (_related(instance, "signatories") if instance.pk else [])
        ]
        if self.keeps(instance, row, "signatories"):
            instance._import_signatories = stored
            return
        chosen: list[tuple[Person, str, str]] = []
        title_max = max_length(Signatory, "position_title")
        try:
            notes: list[str] = []
            entries = parse_signatories(row.get("signatories"), notes)
            for note in notes:
                self.note(note)
            for name, title, role in entries:
                if len(title) > title_max:
                    raise ValueError(
                        gettext("The position “%(value)s…” is too long.") % {"value": title[:40]}
                    )
                person = self.lookups.person(name)
                if self.lookups.is_new(person):
                    self.note(
                        gettext("New person “%(name)s” will be created.")
                        % {"name": person.full_name}
                    )
                if any(p is person and r == role for p, _t, r in chosen):
                    raise ValueError(gettext("“%(name)s” is listed twice.") % {"name": name})
                chosen.append((person, title, role))
        except ValueError as e:
            errors["signatories"] = str(e)
        instance._import_signatories = chosen
        kept = {(p.pk, r) for p, _t, r in chosen}
        removed = [
            format_signatory(p.full_name, t, r) for p, t, r in stored if (p.pk, r) not in kept
        ]
        if removed:
            self.note(
                gettext("This update removes the signatories: %(names)s.")
                % {"names": "; ".join(removed)}
            )

    # -- export (also what a row is compared by) ----------------------------------------
    @override
    def export_row(self, instance: Agreement) -> dict[str, str]:
        row = {
            "reference": instance.reference or "",
            "kind": instance.kind or "",
            "title": instance.title or "",
            "signed_on": render_partial(instance.signed_on, instance.signed_on_precision),
            "signed_at": instance.signed_at or "",
            "valid_from": instance.valid_from.strftime("%d/%m/%Y") if instance.valid_from else "",
            "valid_until": (
                instance.valid_until.strftime("%d/%m/%Y") if instance.valid_until else ""
            ),
            "status": instance.status or "",
            "notes": instance.notes or "",
        }
        row.update(
            self.export_partnership(
                getattr(instance, "partnership", None) if instance.partnership_id else None
            )
        )
        pending = getattr(instance, "_pending_parent", None)
        if pending:
            row["parent_reference"] = pending
        else:
            parent = instance.parent if instance.parent_id else None
            row["parent_reference"] = parent.reference if parent else ""
        if hasattr(instance, "_import_fields"):
            chosen = instance._import_fields
        else:
            chosen = _related(instance, "fields") if instance.pk else []
        row["fields"] = "; ".join(
            escape_item(n) for n in sorted((f.name for f in chosen), key=fold)
        )
        if hasattr(instance, "_import_signatories"):
            people = [(p.full_name, t, r) for p, t, r in instance._import_signatories]
        elif instance.pk:
            people = [
                (s.person.full_name, s.position_title, s.role)
                for s in _related(instance, "signatories")
            ]
        else:
            people = []
        row["signatories"] = "; ".join(
            format_signatory(*entry) for entry in sorted(people, key=lambda e: (e[2], fold(e[0])))
        )
        return row

    def export_queryset(self, queryset: QuerySet[Agreement]) -> QuerySet[Agreement]:
        return (
            queryset.select_related("partnership__home_city", "partnership__partner_city", "parent")
            .prefetch_related(
                "fields",
                Prefetch(
                    "signatories",
                    queryset=Signatory.objects.select_related("person").order_by("role", "id"),
                ),
            )
            .order_by("reference")
        )

    # -- the whole sheet ----------------------------------------------------------------
    @override
    def check_sheet(self) -> dict[int, RowErrors]:
        """No chain of parents may loop back (A renews B renews A)."""
        parent_of: dict[str, str | None] = {
            ref: (a.parent.reference if a.parent_id and a.parent else None)
            for ref, a in self.stored.items()
        }
        number_of: dict[str, int] = {}
        for instance, _new, number in self.pending:
            parent_of[instance.reference] = instance._pending_parent or (
                instance.parent.reference if instance.parent_id and instance.parent else None
            )
            number_of[instance.reference] = number
        errors: dict[int, RowErrors] = {}
        for ref, number in number_of.items():
            seen, current = {ref}, parent_of.get(ref)
            while current is not None:
                if current in seen:
                    errors[number] = {
                        "parent_reference": gettext(
                            "An agreement cannot implement or renew itself, even indirectly."
                        )
                    }
                    break
                seen.add(current)
                current = parent_of.get(current)
        return errors

    @override
    def write(self, created: list[Agreement], updated: list[Agreement]) -> None:
        by_ref = {a.reference: a for a in created}
        # Parents before children: level n holds agreements whose parent is at level n-1.
        level: dict[str, int] = {}

        def depth(a: Agreement) -> int:
            if a.reference not in level:
                parent = by_ref.get(a._pending_parent) if a._pending_parent else None
                level[a.reference] = 0 if parent is None else depth(parent) + 1
            return level[a.reference]

        levels: dict[int, list[Agreement]] = defaultdict(list)
        for a in created:
            levels[depth(a)].append(a)
        for n in sorted(levels):
            batch = levels[n]
            for a in batch:
                self._link_parent(a, by_ref)
            create_with_history(batch, Agreement, self.user)
        for a in updated:
            self._link_parent(a, by_ref)
        if updated:
            bulk_update_with_history(
                updated,
                Agreement,
                fields=[
                    "partnership",
                    "kind",
                    "title",
                    "signed_on",
                    "signed_on_precision",
                    "signed_at",
                    "valid_from",
                    "valid_until",
                    "status",
                    "parent",
                    "parent_relation",
                    "notes",
                    "version",
                    "updated_at",
                ],
                batch_size=BATCH_SIZE,
                default_user=self.user,
            )
        self._write_fields(created, updated)
        self._write_signatories(created, updated)

    def _link_parent(self, a: Agreement, by_ref: dict[str, Agreement]) -> None:
        if a._pending_parent:
            a.parent = by_ref[a._pending_parent]
            a.parent_relation = a._pending_relation

    def _write_fields(self, created: list[Agreement], updated: list[Agreement]) -> None:
        through = Agreement.fields.through
        stored = {id(a) for a in updated}
        add: list[tuple[int, int]] = []
        remove: dict[int, set[int]] = defaultdict(set)
        for a in [*created, *updated]:
            wanted = {f.pk for f in a._import_fields}
            have = {f.pk for f in _related(a, "fields")} if id(a) in stored else set()
            add += [(a.pk, pk) for pk in wanted - have]
            if have - wanted:
                remove[a.pk] = have - wanted
        for agreement_id, field_ids in remove.items():
            through._default_manager.filter(
                agreement_id=agreement_id, fieldofcooperation_id__in=field_ids
            ).delete()
        add_links(through, add, ("agreement_id", "fieldofcooperation_id"))

    def _write_signatories(self, created: list[Agreement], updated: list[Agreement]) -> None:
        new: list[Signatory] = []
        changed: list[Signatory] = []
        gone: list[Signatory] = []
        stored = {id(a) for a in updated}
        for a in [*created, *updated]:
            have = (
                {(s.person_id, s.role): s for s in _related(a, "signatories")}
                if id(a) in stored
                else {}
            )
            wanted = {(p.pk, r): (p, t) for p, t, r in a._import_signatories}
            for key, (person, title) in wanted.items():
                if key not in have:
                    new.append(
                        Signatory(agreement=a, person=person, role=key[1], position_title=title)
                    )
                elif have[key].position_title != title:
                    have[key].position_title = title
                    changed.append(have[key])
            gone += [s for key, s in have.items() if key not in wanted]
        for s in gone:
            record_history_as(s, self.user)
            s.delete()
        create_with_history(new, Signatory, self.user)
        if changed:
            bulk_update_with_history(
                changed,
                Signatory,
                fields=["position_title"],
                batch_size=BATCH_SIZE,
                default_user=self.user,
            )
