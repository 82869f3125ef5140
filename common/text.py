"""Text normalisation for search and matching.

Vietnamese search must ignore case and accents and fold đ/Đ to d: Unicode
decomposition strips the tone marks but leaves đ alone, so it is mapped by hand.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_FOLD = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o"})


def fold(text: str | None) -> str:
    """Lower-case, accent-free, single-spaced form of ``text`` (``" Hà  Nội\\xa0"`` → ``"ha noi"``)."""
    if not text:
        return ""
    text = text.translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def clean_spaces(text: str | None) -> str:
    """Trim ordinary and non-breaking spaces and collapse inner runs."""
    if not text:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
