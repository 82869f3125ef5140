"""Fonts for measuring and rasterising chart labels, with a fallback per character.

Labels are measured with Noto Sans (bundled in static/brief/fonts for the PDF brief),
close enough to the sans-serif a browser or WeasyPrint draws the SVG with, and exactly
what the PNG is drawn with. Lao, Thai and Khmer letters take the bundled Noto Sans Lao,
Thai and Khmer; Chinese, Japanese and Korean the system's Noto Sans CJK (Debian's
fonts-noto-cjk, installed by the Dockerfile and CI; without it they are empty boxes, as
in the PDF brief).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from PIL import ImageFont

from common.scripts import script_of

_CJK_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-{}.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-{}.ttc",
)


def _bundled(name: str) -> Path:
    return Path(settings.BASE_DIR) / "static" / "brief" / "fonts" / name


@functools.cache
def chain(*, bold: bool) -> dict[str, Path]:
    """The fonts of a regular or bold label, by script ("brief" for the rest)."""
    weight = 700 if bold else 400
    fonts = {
        name: _bundled(f"noto-sans-{name}-{weight}.ttf")
        for name in ("brief", "lao", "thai", "khmer")
    }
    for candidate in _CJK_CANDIDATES:
        path = Path(candidate.format("Bold" if bold else "Regular"))
        if path.exists():
            fonts["cjk"] = path
            break
    return fonts


@functools.cache
def pil_font(path: Path, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size=max(round(size), 1), index=0)


_SCRIPT_FONTS = {"lao": "lao", "thai": "thai", "khmer": "khmer"}
_CJK = frozenset({"han", "kana", "hangul"})


def _font_for(char: str, fonts: dict[str, Path]) -> Path | None:
    script = script_of(char)
    if script in _CJK:
        return fonts.get("cjk")
    if script in _SCRIPT_FONTS:
        return fonts.get(_SCRIPT_FONTS[script])
    return None  # Latin, Cyrillic, digits, punctuation: Noto Sans, or the run's font


def runs(text: str, *, bold: bool) -> Iterator[tuple[str, Path]]:
    """``text`` split into stretches by the font that has their script's letters.

    The script decides (:func:`common.scripts.script_of`), not the fonts' character
    maps: reading Noto Sans CJK's map takes half a second.
    """
    fonts = chain(bold=bold)
    base = fonts["brief"]
    current: list[str] = []
    current_font = base
    for char in text:
        font = _font_for(char, fonts)
        if font is None:
            neutral = not char.isalpha() and current_font != base
            font = current_font if neutral else base
        if current and font != current_font:
            yield "".join(current), current_font
            current = []
        current.append(char)
        current_font = font
    if current:
        yield "".join(current), current_font


@functools.lru_cache(maxsize=4096)
def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The width of a label, in the same units as ``size``."""
    scale = 4  # measure at a larger size for sub-pixel accuracy
    return (
        sum(pil_font(path, size * scale).getlength(part) for part, path in runs(text, bold=bold))
        / scale
    )
