"""A chart laid out as a few shapes (bars, lines, dots, labels) in a width × height box.

The same :class:`Drawing` is written as SVG (:mod:`.svg`) for pages and PDFs and drawn
as PNG (:mod:`.png`) for Word, so both show the same chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.utils.translation import gettext as _

from . import fonts
from .model import Chart, nice_ticks

Anchor = Literal["start", "middle", "end"]

FONT_SIZE = 12.0
SMALL_SIZE = 11.0
TEXT = "#1b1b1b"
MUTED = "#555555"
GRID = "#d9d9d9"
AXIS = "#595959"
ROW_HEIGHT = 26
LEGEND_HEIGHT = 22
VERTICAL_HEIGHT = 320


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    css: str = ""
    tooltip: str = ""


@dataclass(frozen=True, slots=True)
class Line:
    points: tuple[tuple[float, float], ...]
    stroke: str
    width: float = 1.0
    css: str = ""


@dataclass(frozen=True, slots=True)
class Dot:
    x: float
    y: float
    radius: float
    fill: str
    css: str = ""
    tooltip: str = ""


@dataclass(frozen=True, slots=True)
class Label:
    x: float
    y: float  # the baseline
    text: str
    size: float = FONT_SIZE
    anchor: Anchor = "middle"
    fill: str = TEXT
    bold: bool = False
    css: str = ""


Shape = Rect | Line | Dot | Label


@dataclass(slots=True)
class Drawing:
    width: float
    height: float
    shapes: list[Shape] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Plot:
    left: float
    top: float
    right: float
    bottom: float
    maximum: float

    def y(self, value: float) -> float:
        return self.bottom - (self.bottom - self.top) * value / self.maximum

    def x(self, value: float) -> float:
        return self.left + (self.right - self.left) * value / self.maximum


def lay_out(chart: Chart) -> Drawing:
    if chart.kind == "horizontal_bar":
        return _horizontal(chart)
    return _vertical(chart)


def _legend(chart: Chart, drawing: Drawing, top: float) -> float:
    """Swatches and names of the series in a row (none for a single series)."""
    if len(chart.series) < 2:  # noqa: PLR2004
        return top
    x = 8.0
    for index, series in enumerate(chart.series):
        drawing.shapes.append(Rect(x, top + 4, 12, 12, chart.color(index), _css(chart, index)))
        drawing.shapes.append(Label(x + 17, top + 14, series.name, SMALL_SIZE, "start"))
        x += 17 + fonts.text_width(series.name, SMALL_SIZE) + 18
    return top + LEGEND_HEIGHT


def _css(chart: Chart, index: int) -> str:
    return f"series series-{index} {chart.series[index].css_class}".strip()


def _value_ticks(chart: Chart, maximum: float) -> list[float]:
    values = [v for s in chart.series for v in s.values if v is not None]
    integers = chart.decimals == 0 and all(float(v).is_integer() for v in values)
    return nice_ticks(maximum, integers=integers)


def _vertical(chart: Chart) -> Drawing:
    drawing = Drawing(chart.width, chart.height or VERTICAL_HEIGHT)
    top = _legend(chart, drawing, 4.0) + 12
    if chart.unit:
        drawing.shapes.append(Label(4, top + 2, chart.unit, SMALL_SIZE, "start", MUTED))
        top += 16
    stacked = chart.kind == "stacked_bar"
    values = chart.totals() if stacked else [v or 0 for s in chart.series for v in s.values]
    ticks = _value_ticks(chart, max(values, default=0))
    tick_labels = [chart.format(t, whole=t.is_integer()) for t in ticks]
    left = max(fonts.text_width(t, SMALL_SIZE) for t in tick_labels) + 14
    plot = _Plot(left, top, drawing.width - 10, drawing.height - 26, ticks[-1])
    for tick, text in zip(ticks, tick_labels, strict=True):
        y = plot.y(tick)
        drawing.shapes.append(Line(((plot.left, y), (plot.right, y)), GRID, 1, "grid"))
        drawing.shapes.append(Label(plot.left - 6, y + 4, text, SMALL_SIZE, "end", MUTED))
    _category_labels(chart, drawing, plot)
    if chart.is_empty():
        _no_data(drawing, plot)
    elif chart.kind == "line":
        _lines(chart, drawing, plot)
    else:
        _bars(chart, drawing, plot, stacked=stacked)
    baseline = plot.y(0)
    drawing.shapes.append(Line(((plot.left, baseline), (plot.right, baseline)), AXIS, 1, "axis"))
    return drawing


def _band(chart: Chart, plot: _Plot) -> float:
    return (plot.right - plot.left) / max(len(chart.categories), 1)


def _category_labels(chart: Chart, drawing: Drawing, plot: _Plot) -> None:
    """Category names under the axis; every n-th when they would overlap."""
    band = _band(chart, plot)
    widest = max((fonts.text_width(c, SMALL_SIZE) for c in chart.categories), default=0)
    every = max(1, int((widest + 8) // band) + 1) if widest + 8 > band else 1
    for index, category in enumerate(chart.categories):
        if index % every == 0:
            x = plot.left + band * (index + 0.5)
            drawing.shapes.append(Label(x, plot.bottom + 16, category, SMALL_SIZE, "middle"))


def _bars(chart: Chart, drawing: Drawing, plot: _Plot, *, stacked: bool) -> None:
    band = _band(chart, plot)
    inner = band * 0.72
    width = inner if stacked else inner / len(chart.series)
    for index, category in enumerate(chart.categories):
        start = plot.left + band * index + (band - inner) / 2
        base = 0.0
        for number, series in enumerate(chart.series):
            value = series.values[index]
            x = start if stacked else start + width * number
            if value:
                low = base if stacked else 0.0
                y_top, y_low = plot.y(low + value), plot.y(low)
                tooltip = f"{category} — {series.name}: {chart.format(value)}"
                drawing.shapes.append(
                    Rect(
                        x,
                        y_top,
                        width,
                        y_low - y_top,
                        chart.color(number),
                        _css(chart, number),
                        tooltip,
                    )
                )
                if not stacked:
                    drawing.shapes.extend(_value_label(chart, (x + width / 2, y_top), value, width))
                base += value if stacked else 0
        if stacked and base:
            drawing.shapes.extend(
                _value_label(chart, (start + inner / 2, plot.y(base)), base, inner)
            )


def _value_label(chart: Chart, top: tuple[float, float], value: float, room: float) -> list[Label]:
    """The value over a bar, when it fits the bar's width."""
    text = chart.format(value)
    if not chart.show_values or fonts.text_width(text, SMALL_SIZE) > room + 6:
        return []
    return [Label(top[0], top[1] - 4, text, SMALL_SIZE, "middle", TEXT, css="value")]


def _lines(chart: Chart, drawing: Drawing, plot: _Plot) -> None:
    band = _band(chart, plot)
    for number, series in enumerate(chart.series):
        color, css = chart.color(number), _css(chart, number)
        stretch: list[tuple[float, float]] = []
        points = []
        for index, value in enumerate(series.values):
            if value is None:
                _flush(drawing, stretch, color, css)
                stretch = []
                continue
            point = (plot.left + band * (index + 0.5), plot.y(value))
            stretch.append(point)
            tooltip = f"{chart.categories[index]} — {series.name}: {chart.format(value)}"
            points.append(Dot(point[0], point[1], 3.5, color, css, tooltip))
        _flush(drawing, stretch, color, css)
        drawing.shapes.extend(points)
    if len(chart.series) == 1 and chart.show_values and len(chart.categories) <= 12:  # noqa: PLR2004
        for dot, value in zip(
            points, (v for v in chart.series[0].values if v is not None), strict=True
        ):
            drawing.shapes.append(
                Label(dot.x, dot.y - 8, chart.format(value), SMALL_SIZE, css="value")
            )


def _flush(drawing: Drawing, stretch: Sequence[tuple[float, float]], color: str, css: str) -> None:
    if len(stretch) > 1:
        drawing.shapes.append(Line(tuple(stretch), color, 2.5, css))


def _no_data(drawing: Drawing, plot: _Plot) -> None:
    x, y = (plot.left + plot.right) / 2, (plot.top + plot.bottom) / 2
    drawing.shapes.append(Label(x, y, _("No data for this period"), FONT_SIZE, "middle", MUTED))


def _horizontal(chart: Chart) -> Drawing:
    """Ranked rows: the name on the left, a bar (stacked by series), the total at its end."""
    rows = max(len(chart.categories), 1)
    legend = LEGEND_HEIGHT if len(chart.series) > 1 else 0
    drawing = Drawing(chart.width, chart.height or 8 + legend + rows * ROW_HEIGHT + 8)
    top = _legend(chart, drawing, 4.0) + 4
    names = [_shorten(c, chart.width * 0.4) for c in chart.categories]
    left = max((fonts.text_width(n, SMALL_SIZE) for n in names), default=0) + 12
    totals = chart.totals()
    widest_total = max((fonts.text_width(chart.format(t), SMALL_SIZE) for t in totals), default=0)
    plot = _Plot(
        left,
        top,
        drawing.width - widest_total - 12,
        top + rows * ROW_HEIGHT,
        max(totals, default=0) or 1,
    )
    if chart.is_empty():
        _no_data(drawing, plot)
        return drawing
    for index, name in enumerate(names):
        y = top + index * ROW_HEIGHT
        drawing.shapes.append(Label(left - 8, y + ROW_HEIGHT / 2 + 4, name, SMALL_SIZE, "end"))
        base = 0.0
        for number, series in enumerate(chart.series):
            value = series.values[index] or 0
            if value:
                x0, x1 = plot.x(base), plot.x(base + value)
                tooltip = f"{chart.categories[index]} — {series.name}: {chart.format(value)}"
                drawing.shapes.append(
                    Rect(
                        x0,
                        y + 5,
                        x1 - x0,
                        ROW_HEIGHT - 10,
                        chart.color(number),
                        _css(chart, number),
                        tooltip,
                    )
                )
                base += value
        if chart.show_values:
            drawing.shapes.append(
                Label(
                    plot.x(base) + 5,
                    y + ROW_HEIGHT / 2 + 4,
                    chart.format(totals[index]),
                    SMALL_SIZE,
                    "start",
                    css="value",
                )
            )
    drawing.shapes.append(Line(((left, top), (left, plot.bottom)), AXIS, 1, "axis"))
    return drawing


def _shorten(text: str, room: float) -> str:
    """A name cut at a word boundary with an ellipsis when it is wider than ``room``."""
    if fonts.text_width(text, SMALL_SIZE) <= room:
        return text
    words = text.split()
    while len(words) > 1 and fonts.text_width(" ".join(words) + "…", SMALL_SIZE) > room:
        words.pop()
    return " ".join(words) + "…"
