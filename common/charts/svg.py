"""A laid-out chart as SVG that a strict Content-Security-Policy lets through.

No ``<script>``, no ``<style>`` element and no ``style`` attribute (``style-src 'self'``
blocks both in an SVG inlined in a page): colours and fonts are presentation
attributes, which CSP does not govern and WeasyPrint draws, and every shape carries a
class (``series series-0 incoming``, ``grid``, ``axis``, ``value``) that a page's
stylesheet may restyle. Accessibility: ``role="img"`` labelled by the ``<title>`` and
``<desc>``; each bar and point has a ``<title>`` (its category, series and value) for a
pointer's tooltip; the data table next to the chart is the full text alternative.
"""

from __future__ import annotations

from django.utils.html import escape

from .layout import Dot, Drawing, Label, Line, Rect, Shape
from .model import Chart

FONT_FAMILY = "Noto Sans, DejaVu Sans, Arial, sans-serif"


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text.removesuffix(".0")


def _tip(tooltip: str) -> str:
    return f"<title>{escape(tooltip)}</title>" if tooltip else ""


def _shape(shape: Shape) -> str:
    if isinstance(shape, Rect):
        attributes = (
            f'x="{_n(shape.x)}" y="{_n(shape.y)}" width="{_n(shape.width)}" '
            f'height="{_n(shape.height)}" fill="{shape.fill}" class="{shape.css}"'
        )
        tip = _tip(shape.tooltip)
        return f"<rect {attributes}>{tip}</rect>" if tip else f"<rect {attributes}/>"
    if isinstance(shape, Line):
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in shape.points)
        return (
            f'<polyline points="{points}" fill="none" stroke="{shape.stroke}" '
            f'stroke-width="{_n(shape.width)}" class="{shape.css}"/>'
        )
    if isinstance(shape, Dot):
        attributes = (
            f'cx="{_n(shape.x)}" cy="{_n(shape.y)}" r="{_n(shape.radius)}" '
            f'fill="{shape.fill}" class="{shape.css}"'
        )
        tip = _tip(shape.tooltip)
        return f"<circle {attributes}>{tip}</circle>" if tip else f"<circle {attributes}/>"
    return _label(shape)


def _label(label: Label) -> str:
    weight = ' font-weight="bold"' if label.bold else ""
    css = f' class="{label.css}"' if label.css else ""
    return (
        f'<text x="{_n(label.x)}" y="{_n(label.y)}" font-size="{_n(label.size)}" '
        f'text-anchor="{label.anchor}" fill="{label.fill}"{weight}{css}>{escape(label.text)}</text>'
    )


def to_svg(chart: Chart, drawing: Drawing, description: str) -> str:
    identifier = chart.identifier
    kind = chart.kind.replace("_", "-")
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(drawing.width)} '
        f'{_n(drawing.height)}" width="{_n(drawing.width)}" height="{_n(drawing.height)}" '
        f'class="chart chart-{kind}" role="img" '
        f'aria-labelledby="{identifier}-title {identifier}-desc" '
        f'font-family="{FONT_FAMILY}">'
        f'<title id="{identifier}-title">{escape(chart.title)}</title>'
        f'<desc id="{identifier}-desc">{escape(description)}</desc>'
    )
    return head + "".join(_shape(shape) for shape in drawing.shapes) + "</svg>"
