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


# Marks on Latin, Greek and Cyrillic letters are accents that people drop when typing a
# name ("Séoul", "Xơ-un" → "Xo un"); marks in other scripts (Thai and Lao vowels, Khmer
# subscripts, Japanese voicing marks) are part of the spelling and are kept.
_ACCENTED_SCRIPTS_END = 0x0530  # Latin, IPA, Greek, Cyrillic
_LATIN_EXTENDED_ADDITIONAL = range(0x1E00, 0x2000)  # Vietnamese letters, Greek extended
_KEY_FOLD = str.maketrans(
    {"đ": "d", "Đ": "d", "ð": "d", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "ı": "i"}
)
_ASCII_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_NOT_WORD = re.compile(r"[\W_]+")
_KEEPS_MARKS = re.compile("[^\u0000-\u052f\u1e00-\u1fff]")  # a character of another script


def _drops_marks(base: str) -> bool:
    code = ord(base)
    return code < _ACCENTED_SCRIPTS_END or code in _LATIN_EXTENDED_ADDITIONAL


def name_key(text: str | None) -> str:
    """The form of a name that matching compares: no case, accents, spaces or punctuation.

    Staff write one city many ways ("Xơ-un", "Xo un", "xoun"; "Hà Nội", "Hanoi",
    "HA NOI"), so names are compared by this key: NFKC (full-width letters become
    ASCII), đ→d, case folded, accents dropped from Latin, Greek and Cyrillic letters
    only, and everything but letters, marks and digits removed. Other scripts keep
    their marks (``"ກຣຸງ"`` stays itself) and come back composed (NFC), so Hangul
    and kana compare as typed.
    """
    if not text:
        return ""
    if text.isascii():
        return _ASCII_NOT_ALNUM.sub("", text.lower())
    if not _KEEPS_MARKS.search(text):
        # Only letters whose marks are dropped: one regex pass does what the loop below
        # does (``\W`` covers combining marks, spaces and punctuation), five times faster.
        folded = unicodedata.normalize("NFKD", text).translate(_KEY_FOLD).casefold()
        return unicodedata.normalize("NFC", _NOT_WORD.sub("", folded))
    return _key_by_characters(text)


def _key_by_characters(text: str) -> str:
    """``name_key`` the slow way, one character at a time: marks kept in other scripts."""
    folded = unicodedata.normalize("NFKC", text).translate(_KEY_FOLD).casefold()
    kept: list[str] = []
    for ch in unicodedata.normalize("NFD", folded):
        kind = unicodedata.category(ch)[0]
        if kind == "M":
            if not kept or _drops_marks(kept[-1]):
                continue
            kept.append(ch)
        elif kind in "LN":
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept))


ELLIPSIS = "…"
_TRAILING_PUNCTUATION = " \t\n,;:.-–—/(["


def _visible_length(text: str) -> int:
    """Characters a reader sees: combining marks do not count."""
    return sum(1 for ch in text if not unicodedata.combining(ch))


def _visible_prefixes(text: str) -> list[int]:
    """``_visible_length(text[:i])`` for every ``i`` from 0 to ``len(text)``, in one pass."""
    lengths = [0]
    for ch in text:
        lengths.append(lengths[-1] + (not unicodedata.combining(ch)))
    return lengths


def _break_opportunities(text: str) -> list[int]:
    """Indexes where ``text`` may be cut without splitting a word.

    Before each space, and between two CJK ideographs or kana (those scripts write no
    spaces; every character boundary is a line-break opportunity). Never inside a run
    of letters with their combining marks.
    """
    return [
        index
        for index in range(1, len(text))
        if (text[index].isspace() and not text[index - 1].isspace())
        or (_is_cjk(text[index - 1]) and _is_cjk(text[index]))
    ]


_KANA = range(0x3040, 0x3100)  # hiragana and katakana
_CJK_UNIFIED = range(0x3400, 0xA000)  # CJK ideographs (extension A and unified)
_CJK_COMPATIBILITY = range(0xF900, 0xFB00)  # compatibility ideographs


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return code in _KANA or code in _CJK_UNIFIED or code in _CJK_COMPATIBILITY


def _grapheme_cut(text: str, limit: int) -> str:
    """The first ``limit`` visible characters of ``text``, each with its combining marks."""
    seen = 0
    for index, ch in enumerate(text):
        if not unicodedata.combining(ch):
            if seen == limit:
                return text[:index]
            seen += 1
    return text


def truncate_at_word(text: str | None, limit: int, *, ellipsis: str = ELLIPSIS) -> str:
    """``text`` cut to at most ``limit`` visible characters at a word boundary, with ``ellipsis``.

    Titles printed in lists and in the brief were cut mid-word ("…diễn đàn kin…"):
    this cuts before the last space (or between two CJK characters) that leaves room
    for the ellipsis, drops trailing punctuation, and never separates a letter from its
    combining marks (the text is NFC first; marks do not count as characters). A text
    with no boundary at all within the limit (one very long word, a URL) is the only
    one cut inside a word, at a character boundary, so the result is always bounded.
    Text that fits is returned unchanged (but NFC and trimmed).
    """
    text = unicodedata.normalize("NFC", text or "").strip()
    if len(text) <= limit or _visible_length(text) <= limit:  # marks count 0, others 1
        return text
    room = max(limit - _visible_length(ellipsis), 1)
    head = _grapheme_cut(text, room + 1)  # one more: a boundary right after the room counts
    visible = _visible_prefixes(head)
    cuts = [index for index in _break_opportunities(head) if visible[index] <= room]
    if cuts:
        kept = head[: cuts[-1]].rstrip(_TRAILING_PUNCTUATION)
        if kept:
            return kept + ellipsis
    return _grapheme_cut(text, room).rstrip(_TRAILING_PUNCTUATION) + ellipsis
