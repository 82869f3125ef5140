"""Find things by name however the name is typed: exact keys first, then near misses.

One ``NameIndex`` serves the gazetteer (GeoNames ids) and the app's own cities (their
primary keys): both are built from ``(id, names)`` pairs. A name is compared by its
``name_key`` (case, accents, spaces and punctuation ignored: "Xơ-un" = "Xo un" =
"xoun"); a query that starts with an administrative word ("Thành phố", "TP.", "Thủ
đô", "Tỉnh", "City of") is also tried without it. Near misses ("did you mean") are the keys
within a few edits (rapidfuzz's optimal string alignment distance, which counts two
swapped letters as one edit), looked for only among keys of the query's kind (Latin
or not) and of a length that could be close enough.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Self

from rapidfuzz import process
from rapidfuzz.distance import OSA

from common.text import name_key

# Leading words that say what kind of place a name is, not which one: "TP Hồ Chí Minh",
# "Thành phố Đà Nẵng", "Thủ đô Viêng Chăn", "City of Sydney".
ADMINISTRATIVE_PREFIXES = (
    ("thanh", "pho"),
    ("tp",),
    ("thu", "do"),
    ("tinh",),
    ("city", "of"),
    ("municipality", "of"),
)
_WORDS = re.compile(r"[\s.,;:/()\-–]+")

EXACT_SCORE = 100.0  # the score of a name with the same key as the query
DEFAULT_CUTOFF = 75.0  # similarity (0–100) below which a name is no near miss: 1 edit in 4
DEFAULT_LIMIT = 5


@dataclass(frozen=True, slots=True)
class Hit[K: Hashable]:
    """One thing found: its id, the spelling that matched and how well (100 = exactly)."""

    id: K
    name: str
    score: float

    @property
    def exact(self) -> bool:
        return self.score >= EXACT_SCORE


def query_keys(text: str | None) -> list[str]:
    """The keys to look ``text`` up by: the whole of it, then without a leading admin word."""
    key = name_key(text)
    if not key:
        return []
    keys = [key]
    words = [word for word in _WORDS.split(text or "") if word]
    word_keys = [name_key(word) for word in words]
    for prefix in ADMINISTRATIVE_PREFIXES:
        if len(word_keys) > len(prefix) and tuple(word_keys[: len(prefix)]) == prefix:
            rest = "".join(word_keys[len(prefix) :])
            if rest and rest not in keys:
                keys.append(rest)
            break
    return keys


def _is_latin_key(key: str) -> bool:
    return key.isascii()


class NameIndex[K: Hashable]:
    """Ids by every key of their names; exact lookups and ranked near misses.

    ``entries`` are ``(id, names)`` pairs. ``near_entries``, when given, are the names
    near misses are looked for among (the gazetteer leaves out minor cities' obscure
    alternative spellings there: they still match exactly); by default all of them.
    ``rank`` orders ids that match equally well and ``prior`` adds a few points to
    the near misses worth proposing first; by default the order the entries came in.
    """

    def __init__(
        self,
        entries: Iterable[tuple[K, Iterable[str]]],
        near_entries: Iterable[tuple[K, Iterable[str]]] | None = None,
    ) -> None:
        self._ids: dict[str, list[K] | tuple[K, ...]] = {}
        self._spelling: dict[str, str] = {}
        self._order: dict[K, int] = {}
        for position, (ident, names) in enumerate(entries):
            self._order.setdefault(ident, position)
            self._add(ident, names)
        near_keys = (
            set(self._ids)
            if near_entries is None
            else {key for ident, names in near_entries for key in self._add(ident, names)}
        )
        # Tuples of ints (and dicts of them) drop out of the garbage collector's sight
        # after its next pass; 240,000 lists would add ~50 ms to every full collection.
        self._ids = {key: tuple(ids) for key, ids in self._ids.items()}
        # Near-miss candidates by length: a name of length n is within the cutoff only of
        # names of length n·c to n/c, so a lookup reads a few buckets, not every name.
        self._by_length: dict[tuple[bool, int], list[str]] = {}
        for key in near_keys:
            self._by_length.setdefault((_is_latin_key(key), len(key)), []).append(key)

    def state(self) -> tuple[Any, ...]:
        """What the index holds, as plain dicts, tuples, lists and strings (for ``marshal``)."""
        return (self._ids, self._spelling, self._order, self._by_length)

    @classmethod
    def from_state(cls, state: tuple[Any, ...]) -> Self:
        """The index ``state()`` described, without building it again."""
        index = cls.__new__(cls)
        index._ids, index._spelling, index._order, index._by_length = state
        return index

    def add(self, ident: K, names: Iterable[str]) -> None:
        """Index one more thing (after the others, near misses looked for among all its
        names): what ``NameIndex([*entries, (ident, names)])`` would hold, without
        rebuilding the whole index."""
        self._order.setdefault(ident, len(self._order))
        for key in self._add(ident, names):
            ids = self._ids[key]
            if isinstance(ids, list):
                self._ids[key] = tuple(ids)
            bucket = self._by_length.setdefault((_is_latin_key(key), len(key)), [])
            if key not in bucket:
                bucket.append(key)

    def _add(self, ident: K, names: Iterable[str]) -> set[str]:
        keys = set()
        for name in names:
            key = name_key(name)
            if not key:
                continue
            keys.add(key)
            ids = self._ids.get(key)
            if ids is None:
                self._ids[key] = [ident]
                self._spelling[key] = name
            elif ident not in ids:
                self._ids[key] = [*ids, ident]
        return keys

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def near_candidates(self) -> int:
        """How many keys near misses are looked for among."""
        return sum(len(keys) for keys in self._by_length.values())

    def rank(self, ident: K) -> tuple[Any, ...]:
        """The sort key among equally good hits (the order the entries came in)."""
        return (self._order.get(ident, 0),)

    def prior(self, _ident: K) -> float:
        """Points added to a near miss's score for how likely it is meant (none here)."""
        return 0.0

    def exact(self, text: str | None) -> list[Hit[K]]:
        """Everything one of whose names has the same key as ``text`` (or as ``text``
        without a leading "Thành phố", "TP"...), best ranked first."""
        hits: dict[K, Hit[K]] = {}
        for key in query_keys(text):
            for ident in self._ids.get(key, ()):
                hits.setdefault(ident, Hit(ident, self._spelling[key], EXACT_SCORE))
        return sorted(hits.values(), key=lambda hit: self.rank(hit.id))

    def _candidates(self, key: str, cutoff: float) -> Iterator[list[str]]:
        share = cutoff / 100
        latin = _is_latin_key(key)
        shortest = max(1, math.ceil(len(key) * share))
        longest = math.floor(len(key) / share) if share > 0 else len(key) * 4
        for length in range(shortest, longest + 1):
            keys = self._by_length.get((latin, length))
            if keys:
                yield keys

    def near(
        self,
        text: str | None,
        *,
        limit: int = DEFAULT_LIMIT,
        cutoff: float = DEFAULT_CUTOFF,
        exclude: Iterable[K] = (),
    ) -> list[Hit[K]]:
        """Up to ``limit`` things whose names are close to ``text`` but not the same:
        the closest first, with ``prior`` points added, ties broken by ``rank``."""
        excluded = set(exclude)
        best: dict[K, Hit[K]] = {}
        for key in query_keys(text):
            for keys in self._candidates(key, cutoff):
                # Optimal string alignment: insertions, deletions, substitutions and swaps
                # of neighbours ("Minks" is one edit from "Minsk"), as a share of length.
                for candidate, similarity, _ in process.extract(
                    key,
                    keys,
                    scorer=OSA.normalized_similarity,
                    limit=limit * 4,
                    score_cutoff=cutoff / 100,
                ):
                    if candidate == key:
                        continue
                    score = similarity * 100
                    for ident in self._ids[candidate]:
                        known = best.get(ident)
                        if ident not in excluded and (known is None or score > known.score):
                            best[ident] = Hit(ident, self._spelling[candidate], round(score, 1))
        ranked = sorted(
            best.values(), key=lambda hit: (-(hit.score + self.prior(hit.id)), *self.rank(hit.id))
        )
        return ranked[:limit]

    def lookup(self, text: str | None, *, limit: int = DEFAULT_LIMIT) -> list[Hit[K]]:
        """Exact matches, then up to ``limit`` near misses of other things."""
        exact = self.exact(text)
        return exact + self.near(text, limit=limit, exclude=[hit.id for hit in exact])
