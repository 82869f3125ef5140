"""A laid-out chart drawn as PNG with Pillow, for Word (which takes PNG, not SVG).

Nothing here rasterises SVG: WeasyPrint cannot, and CairoSVG would need the system's
cairo library in the image. The chart is drawn from the same :class:`Drawing` as the
SVG, at ``scale`` pixels per unit (2: 1,280 px for a 640-unit chart, sharp at its
printed width of about 16 cm), supersampled twice for smooth lines, then reduced to a
palette of 64 colours to keep the file small.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from . import fonts
from .layout import Dot, Drawing, Label, Line, Rect

SUPERSAMPLE = 2
COLOURS = 64


def to_png(drawing: Drawing, scale: float = 2.0) -> bytes:
    factor = scale * SUPERSAMPLE
    size = (round(drawing.width * factor), round(drawing.height * factor))
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    for shape in drawing.shapes:
        if isinstance(shape, Rect):
            box = (
                shape.x * factor,
                shape.y * factor,
                (shape.x + shape.width) * factor,
                (shape.y + shape.height) * factor,
            )
            draw.rectangle(box, fill=shape.fill)
        elif isinstance(shape, Line):
            points = [(x * factor, y * factor) for x, y in shape.points]
            draw.line(
                points, fill=shape.stroke, width=max(round(shape.width * factor), 1), joint="curve"
            )
        elif isinstance(shape, Dot):
            r = shape.radius * factor
            draw.ellipse(
                (
                    shape.x * factor - r,
                    shape.y * factor - r,
                    shape.x * factor + r,
                    shape.y * factor + r,
                ),
                fill=shape.fill,
            )
        else:
            _text(draw, shape, factor)
    final = image.reduce(SUPERSAMPLE)  # a box filter: each pixel the mean of 2 × 2
    palette = final.quantize(COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    palette.save(buffer, "PNG", optimize=True, dpi=(144, 144))
    return buffer.getvalue()


def _text(draw: ImageDraw.ImageDraw, label: Label, factor: float) -> None:
    """A label from font runs (fallback per script), placed by its anchor on the baseline."""
    size = label.size * factor
    parts = list(fonts.runs(label.text, bold=label.bold))
    widths = [fonts.pil_font(path, size).getlength(text) for text, path in parts]
    total = sum(widths)
    x = label.x * factor
    if label.anchor == "middle":
        x -= total / 2
    elif label.anchor == "end":
        x -= total
    y = label.y * factor
    for (text, path), width in zip(parts, widths, strict=True):
        draw.text((x, y), text, fill=label.fill, font=fonts.pil_font(path, size), anchor="ls")
        x += width
