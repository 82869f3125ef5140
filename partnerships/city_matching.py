"""One city however it is spelt (issue 12, point 8): stored cities first, then the gazetteer.

Staff write a partner city as they read it: "Xơ-un", "Xo un", "Seoul", "Séoul", "서울".
``CityMatcher.find`` answers, in order:

1. a stored city with that name, English, local or alternative name, compared by
   ``name_key`` (case, accents, hyphens and spaces ignored);
2. the offline gazetteer's city of that name (``common.cities``), when it is one city
   (in the country given, if any): the stored city with its GeoNames id
   (``City.geonames_id``), else the stored city that already carries one of its
   names, or a new city made from it (with its GeoNames id) — Vietnamese (or the name as written), English
   and local names, country, coordinates, time zone — created once however many rows
   name it;
3. nothing, with the near misses of both as "did you mean".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from common.cities import NameIndex, Place, find_city
from common.text import name_key

from .models import City


@dataclass
class CityFound:
    """What a typed name leads to: a city (stored, or new and unsaved) or suggestions."""

    city: City | None = None
    place: Place | None = None  # the gazetteer's city, when the city is made from it
    suggestions: list[str] = field(default_factory=list)


def city_from_place(place: Place, written: str) -> City:
    """A new (unsaved) partner city made from the gazetteer's ``place``."""
    return City(
        name=place.vietnamese or written,
        name_en=place.name,
        name_local=place.native_name,
        country=place.country,
        latitude=Decimal(f"{place.latitude:.6f}"),
        longitude=Decimal(f"{place.longitude:.6f}"),
        timezone=place.timezone,
        geonames_id=place.geonameid,
        is_home=False,
    )


def _country_of(city: City) -> str:
    country = city.country
    return str(getattr(country, "code", country) or "")


class CityMatcher:
    """Stored cities by ``name_key``, and the cities made from the gazetteer meanwhile."""

    def __init__(self, cities: Iterable[City]) -> None:
        self._by_key: dict[str, list[City]] = {}
        # Stored cities' names by position in ``_all``, indexed once and extended as cities
        # are added (an import's new cities): not rebuilt for every name looked up.
        self._records: NameIndex[int] = NameIndex(())
        self._all: list[City] = []
        self._from_place: dict[int, City] = {}  # by GeoNames id: stored, or made meanwhile
        for city in cities:
            self.add(city)

    def add(self, city: City, place: Place | None = None) -> None:
        names = city.all_names() if city.pk else [city.name, city.name_en, city.name_local]
        position = len(self._all)
        self._all.append(city)
        self._records.add(position, [n for n in names if n])
        for name in names:
            key = name_key(name)
            if key and city not in self._by_key.setdefault(key, []):
                self._by_key[key].append(city)
        if place is not None:
            self._from_place[place.geonameid] = city
        elif city.geonames_id is not None:
            self._from_place[city.geonames_id] = city

    def stored(self, name: str, country: str = "") -> list[City]:
        found = self._by_key.get(name_key(name), [])
        return [c for c in found if not country or _country_of(c) == country]

    def find(self, name: str, country: str = "") -> CityFound:
        same = self.stored(name, country)
        if len(same) == 1:
            return CityFound(city=same[0])
        lookup = find_city(name, self._records)
        places = [m.place for m in lookup.exact_places if not country or m.place.country == country]
        ids = {p.geonameid for p in places}
        if len(ids) == 1 and places[0].geonameid in self._from_place:
            # The city carrying the gazetteer's id first (it also tells apart stored
            # cities of the same name).
            return CityFound(city=self._from_place[places[0].geonameid], place=places[0])
        if not same and len(ids) == 1:
            place = places[0]
            for known in (place.name, place.vietnamese, *place.native_names):
                match = self.stored(known, place.country) if known else []
                if len(match) == 1:
                    return CityFound(city=match[0], place=place)
            return CityFound(city=city_from_place(place, name), place=place)
        suggestions = [self._all[hit.id].name for hit in lookup.records if not hit.exact]
        suggestions += [
            f"{m.place.label('vi')} ({m.place.country})" for m in lookup.places if not m.exact
        ]
        if len(ids) > 1:
            suggestions = [f"{p.label('vi')} ({p.country})" for p in places]
        return CityFound(suggestions=list(dict.fromkeys(suggestions))[:5])


@dataclass
class Proposal:
    """What the city form proposes for a typed name: a stored city, or a gazetteer one."""

    label: str
    city: City | None = None  # already recorded
    initial: dict[str, str] = field(default_factory=dict)  # the form's values, from GeoNames

    @property
    def query(self) -> str:
        """``initial`` as the city form's query string (it takes its initial values so)."""
        return urlencode(self.initial)


def propose(name: str, cities: Iterable[City], *, limit: int = 5) -> list[Proposal]:
    """Stored cities first, then the gazetteer's, for the city form (typed ``name``)."""
    stored = list(cities)
    lookup = find_city(name, [(n, c.all_names()) for n, c in enumerate(stored)], limit=limit)
    proposals = [Proposal(label=stored[hit.id].name, city=stored[hit.id]) for hit in lookup.records]
    for match in lookup.places:
        place = match.place
        new = city_from_place(place, name)
        proposals.append(
            Proposal(
                label=f"{place.label('vi')} ({place.country}, {place.name})",
                initial={
                    "name": new.name,
                    "name_en": new.name_en,
                    "name_local": new.name_local,
                    "country": place.country,
                    "latitude": str(new.latitude),
                    "longitude": str(new.longitude),
                    "timezone": new.timezone,
                    "geonames_id": str(place.geonameid),
                },
            )
        )
    return proposals[: 2 * limit]
