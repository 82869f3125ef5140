"""Cached drop-downs of partnerships, cities, fields and organisations (issue 16: scale).

Each is read from this app's records only: cached under its counter (``depends_on``), it
survives changes to agreements and action items.
"""

from collections.abc import Sequence
from typing import Any

from common.cached_choices import CachedModelChoiceField
from partnerships.models import City, FieldOfCooperation, Partnership

THIS_APP = ("partnerships",)


def partnership_label(row: Sequence[Any]) -> str:
    """``str(partnership)`` from its two cities' names, without the instances."""
    return f"{row[0]} – {row[1]}"


def partnership_field(**kwargs: Any) -> CachedModelChoiceField:
    return CachedModelChoiceField(
        Partnership.objects.all(),
        label_fields=("home_city__name", "partner_city__name"),
        make_label=partnership_label,
        **{"depends_on": THIS_APP, **kwargs},
    )


def home_city_field(**kwargs: Any) -> CachedModelChoiceField:
    return CachedModelChoiceField(City.objects.home(), **{"depends_on": THIS_APP, **kwargs})


def field_of_cooperation_field(**kwargs: Any) -> CachedModelChoiceField:
    return CachedModelChoiceField(
        FieldOfCooperation.objects.all(), **{"depends_on": THIS_APP, **kwargs}
    )
