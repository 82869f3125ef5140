"""A country as written in a sheet: ISO code (``BY``/``BLR``) or English or Vietnamese name."""

from __future__ import annotations

import functools

from django.utils import translation
from django.utils.translation import gettext
from django_countries import countries

from common.countries import codes_matching

from .cells import cell_text, fold


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
