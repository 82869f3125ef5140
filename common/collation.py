"""Vietnamese alphabetical order, in Python and in the database.

Python's ``sorted`` orders by code point, so "Đà Nẵng" (U+0110) lands after "Yên Bái"
and "Ân Thi" after "Zurich"; Unicode's default order (and a plain accent fold) puts
"Đ" among the "D"s and "ă", "â" among the "a"s. Vietnamese dictionaries and the
state's lists order by the Vietnamese alphabet

    a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y

with the tones as a secondary difference in the order no tone, huyền (à), hỏi (ả),
ngã (ã), sắc (á), nặng (ạ): "Hà Nội" and "Hạ Long" differ first by "N" against "L".
That is CLDR's ``vi`` tailoring, which ICU implements; PostgreSQL built with ICU
ships it as the collation ``"vi-x-icu"``.

``sort_key`` is a small implementation of that order (the Unicode Collation
Algorithm's three levels with the ``vi`` tailoring) so that Python sorts without
PyICU: PyICU publishes no wheels (building it needs libicu-dev, pkg-config and a
C++ compiler, none of which the slim Docker image has). The tests check it against
PostgreSQL's ICU collation on real names and on generated strings. Scripts other
than Latin sort after Latin in an order close to ICU's root order (by script, then
by code point), which is enough to keep names in one script together.

``vietnamese(expression)`` orders a queryset the same way in SQL: ``COLLATE
"vi-x-icu"`` on PostgreSQL; on SQLite a ``vi`` collation registered on every new
connection that calls ``sort_key``.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.db.backends.signals import connection_created
from django.dispatch import receiver

POSTGRESQL_COLLATION = "vi-x-icu"
SQLITE_COLLATION = "vi"

# The Vietnamese alphabet with the foreign letters (f j w z) where ICU's root order has
# them; đ after d, ă â after a, ê after e, ô ơ after o, ư after u.
ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(ALPHABET)}

# A base letter and a mark that make one letter of the Vietnamese alphabet.
_LETTER_MARKS = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}
# Latin letters that do not decompose: sorted as the letters they stand for.
_LATIN_SPECIAL = {
    "đ": ("đ", ()),
    "ð": ("d", ("\u0335",)),
    "ł": ("l", ("\u0335",)),
    "ø": ("o", ("\u0338",)),
    "ı": ("i", ("\u0307",)),
    "ß": ("ss", ()),
    "æ": ("ae", ()),
    "œ": ("oe", ()),
    "þ": ("th", ()),
}
# Secondary order of the marks: the five tones first (the ``vi`` tailoring
# "&̀<<̉<<̃<<́<<̣"), then the other accents roughly in their root order.
_MARK_ORDER = (
    "\u0300"  # huyền
    "\u0309"  # hỏi
    "\u0303"  # ngã
    "\u0301"  # sắc
    "\u0323"  # nặng
    "\u0306\u0302\u030c\u030a\u0308\u030b\u0307\u0335\u0338\u0327\u0328\u0304\u031b"
)
_MARK_WEIGHT = {mark: 2 + rank for rank, mark in enumerate(_MARK_ORDER)}
_OTHER_MARK = 2 + len(_MARK_ORDER)
_COMMON = 1  # the secondary weight of a letter without marks: below every accent

# Weights are characters, so that each level of a key is a string: built by
# ``str.translate`` (one cached table lookup per character, in C) and compared as
# strings. Primary bands, in ICU's root order: spaces < punctuation < symbols < digits
# < Latin < other scripts. A weight of two characters (band, code point) serves the
# characters that have no rank of their own; the band characters of those are never a
# weight on their own, so keys still compare level by level.
_SPACE = "\u0020"
_PUNCTUATION_BAND = 0x0100  # + ICU's rank of an ASCII punctuation or symbol
_OTHER_PUNCTUATION = "\u0300"  # + the code point
_DIGIT_BAND = 0x0400  # + the digit's value
_LATIN_BAND = 0x0500  # + the letter's rank in ALPHABET
_OTHER_LATIN = "\u0600"  # + the code point: Latin letters outside the alphabet, after z
_OTHER_SCRIPT = 0x0700  # + the script band, then the code point
# ICU's root order of the ASCII punctuation and symbols.
_ASCII_PUNCTUATION = "_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"
_PUNCTUATION_RANK = {ch: rank for rank, ch in enumerate(_ASCII_PUNCTUATION)}


# Unicode blocks (code points) the order below tells apart.
_LATIN_TO_EXTENDED_B = range(0x0250)  # Basic Latin, Latin-1, Latin Extended-A and -B
_LATIN_EXTENDED_ADDITIONAL = range(0x1E00, 0x1F00)  # Vietnamese's precomposed letters
_HANGUL_JAMO = range(0x1100, 0x1200)
_HANGUL_COMPATIBILITY_JAMO = range(0x3130, 0x3190)
_HANGUL_SYLLABLES = range(0xAC00, 0xD7B0)
_KANA = range(0x3040, 0x3100)  # hiragana and katakana
_CJK_UNIFIED = range(0x3400, 0xA000)  # extension A and the unified ideographs
_CJK_COMPATIBILITY = range(0xF900, 0xFB00)
_CJK_SUPPLEMENTARY = range(0x20000, 0x40000)  # planes 2 and 3


def _script_band(code: int) -> int:
    """ICU's root order puts Hangul, then kana, then Han after the other scripts."""
    if code in _HANGUL_JAMO or code in _HANGUL_SYLLABLES or code in _HANGUL_COMPATIBILITY_JAMO:
        return 1
    if code in _KANA:
        return 2
    if code in _CJK_UNIFIED or code in _CJK_COMPATIBILITY or code in _CJK_SUPPLEMENTARY:
        return 3
    return 0


def _primary(letter: str) -> str:
    rank = _LETTER_RANK.get(letter)
    if rank is not None:
        return chr(_LATIN_BAND + rank)
    code = ord(letter)
    if letter.isspace():
        return _SPACE
    if letter.isdigit():
        return chr(_DIGIT_BAND + unicodedata.digit(letter, 0))
    if unicodedata.category(letter)[0] in "PS":
        rank = _PUNCTUATION_RANK.get(letter)
        return chr(_PUNCTUATION_BAND + rank) if rank is not None else _OTHER_PUNCTUATION + letter
    if code in _LATIN_TO_EXTENDED_B or code in _LATIN_EXTENDED_ADDITIONAL:
        return _OTHER_LATIN + letter
    return chr(_OTHER_SCRIPT + _script_band(code)) + letter


def _elements(char: str) -> tuple[str, str, str]:
    """One (NFC) character's weights at the three levels."""
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], list(decomposed[1:])
    if unicodedata.category(base)[0] == "M":  # an accent with no letter: secondary only
        return "", "".join(chr(_MARK_WEIGHT.get(m, _OTHER_MARK)) for m in (base, *marks)), ""
    lower = base.lower() if len(base.lower()) == 1 else base
    case = 0 if lower == base else 1
    letters = lower
    special = _LATIN_SPECIAL.get(lower)
    if special is not None:
        letters, extra = special
        marks = [*extra, *marks]
        if len(letters) > 1:  # "ß" sorts as "ss", after it at the third level
            case += 2
    else:
        for mark in marks:
            combined = _LETTER_MARKS.get((lower, mark))
            if combined is not None:
                letters = combined
                marks.remove(mark)
                break
    primary = "".join(_primary(letter) for letter in letters)
    secondary = chr(_COMMON) * len(letters) + "".join(
        chr(_MARK_WEIGHT.get(mark, _OTHER_MARK)) for mark in marks
    )
    return primary, secondary, chr(case) * len(letters)


class _Level(dict[int, str]):
    """A ``str.translate`` table filled on demand: code point → weights at one level."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def __missing__(self, code: int) -> str:
        weights = _elements(chr(code))[self.level]
        self[code] = weights
        return weights


_PRIMARY, _SECONDARY, _TERTIARY = _Level(0), _Level(1), _Level(2)

SortKey = tuple[str, str, str]


@functools.lru_cache(maxsize=65536)
def sort_key(text: str | None) -> SortKey:
    """The key that sorts ``text`` in Vietnamese alphabetical order (CLDR ``vi``).

    Three levels compared one after the other, as ICU does: the letters (đ after d,
    ă and â after a…, spaces and punctuation before letters), then the tones and other
    accents, then case (lower before upper). Each level is a string of weights (see
    ``_elements``); keys are cached, as lists are sorted again and again by the same
    names.
    """
    composed = unicodedata.normalize("NFC", text or "")
    return (
        composed.translate(_PRIMARY),
        composed.translate(_SECONDARY),
        composed.translate(_TERTIARY),
    )


def compare(left: str | None, right: str | None) -> int:
    """-1, 0 or 1 as ``left`` sorts before, with or after ``right`` (for SQLite's collation)."""
    a, b = sort_key(left), sort_key(right)
    return (a > b) - (a < b)


def sorted_by_name[T](
    items: Iterable[T], name: Callable[[T], str | None] | str = "name", *, reverse: bool = False
) -> list[T]:
    """``items`` in Vietnamese order of their names.

    ``name`` is an attribute name (``"name"``, ``"city.name"``), a dictionary key of
    that name, or a function returning the text; missing names sort first. For a
    queryset this evaluates it: prefer ``order_by(vietnamese("name"))`` when the
    database can do it, this when the list is already in memory or mixes sources.
    """
    getter = name if callable(name) else _getter(name)
    return sorted(items, key=lambda item: sort_key(getter(item) or ""), reverse=reverse)


def _getter(path: str) -> Callable[[Any], str | None]:
    parts = path.split(".")

    def get(item: Any) -> str | None:
        for part in parts:
            if item is None:
                return None
            item = item.get(part) if isinstance(item, dict) else getattr(item, part, None)
        return None if item is None else str(item)

    return get


class VietnameseCollate(models.Func):
    """``expression COLLATE "vi-x-icu"`` on PostgreSQL, ``COLLATE vi`` on SQLite.

    Use in ``order_by`` (``.order_by(vietnamese("name"))``) and in comparisons. On
    PostgreSQL the collation comes with ICU (Debian's and the official images'
    builds have it; ``SELECT collname FROM pg_collation WHERE collname = 'vi-x-icu'``);
    on SQLite it is ``sort_key`` registered as a collation on every connection.
    """

    template = "%(expressions)s COLLATE %(collation)s"
    arity = 1

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, Any]:
        name = POSTGRESQL_COLLATION if connection.vendor == "postgresql" else SQLITE_COLLATION
        extra_context.setdefault("collation", connection.ops.quote_name(name))
        return super().as_sql(compiler, connection, **extra_context)


def vietnamese(field: str | models.Expression) -> VietnameseCollate:
    """``field`` (a name or an expression) under the Vietnamese collation, for ``order_by``."""
    return VietnameseCollate(models.F(field) if isinstance(field, str) else field)


@receiver(connection_created, dispatch_uid="common.collation.sqlite_vi")
def register_sqlite_collation(connection: Any, **_kwargs: Any) -> None:
    """Give SQLite connections the ``vi`` collation (PostgreSQL has ``vi-x-icu`` built in)."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, compare)
