"""How wide a line of Times New Roman is, for the rules Decree 30 draws under headings.

The rule under "Độc lập - Tự do - Hạnh phúc" is as long as that line; the rules under
the issuing body's name and the document's title are a third to a half of theirs. Word
cannot size a border to its text, so the builder computes the length from these advance
widths (Liberation Serif's, which are Times New Roman's by design), in thousandths of an
em for the printable ASCII characters. A Vietnamese letter is as wide as its base letter
(the marks sit above or below it); other characters count as an average letter.
"""

from __future__ import annotations

import unicodedata

_REGULAR = (
    "250 333 408 500 500 833 778 180 333 333 500 564 250 333 250 278 500 500 500 500 500 500 "
    "500 500 500 500 278 278 564 564 564 444 921 722 667 667 722 611 556 722 722 333 389 722 "
    "611 889 722 722 556 722 667 556 611 722 722 944 722 722 611 333 278 333 469 500 333 444 "
    "500 444 500 444 333 500 500 278 278 500 278 778 500 500 500 500 333 389 278 500 500 722 "
    "500 500 444 480 200 480 541"
)
_BOLD = (
    "250 333 555 500 500 1000 833 278 333 333 500 570 250 333 250 278 500 500 500 500 500 500 "
    "500 500 500 500 333 333 570 570 570 500 930 722 667 722 722 667 611 778 778 389 500 778 "
    "667 944 722 778 611 778 722 556 667 722 722 1000 722 722 667 333 278 333 581 500 333 500 "
    "556 444 556 444 333 500 556 278 333 556 278 833 556 500 556 556 444 389 333 556 500 722 "
    "500 500 444 394 220 394 520"
)
_WIDTHS = {
    False: tuple(int(w) for w in _REGULAR.split()),
    True: tuple(int(w) for w in _BOLD.split()),
}
_BASE = str.maketrans({"đ": "d", "Đ": "D", "ư": "u", "Ư": "U", "ơ": "o", "Ơ": "O"})
_POINT_MM = 25.4 / 72


def text_width_mm(text: str, size_pt: float, *, bold: bool = False) -> float:
    """The printed width of ``text`` in Times New Roman at ``size_pt``, in millimetres."""
    widths = _WIDTHS[bold]
    total = 0
    for char in unicodedata.normalize("NFC", text).translate(_BASE):
        base = unicodedata.normalize("NFD", char)[0]
        code = ord(base)
        total += widths[code - 32] if 32 <= code < 127 else 600  # noqa: PLR2004
    return total / 1000 * size_pt * _POINT_MM
