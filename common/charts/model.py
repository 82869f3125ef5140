"""What a chart shows: categories, series of numbers, and how numbers are written."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.utils.translation import get_language

ChartKind = Literal["bar", "stacked_bar", "line", "horizontal_bar"]
ValueFormat = Literal["number", "percent"]

# Colours told apart in colour and in greyscale print (Okabe-Ito, darkened for contrast
# with white text and with the white page).
PALETTE = ("#1f5f99", "#c26a12", "#2b7a4b", "#a8324a", "#6a55a0", "#5c5c5c")


@dataclass(frozen=True, slots=True)
class Series:
    """One row of numbers, one per category (None: no value, not zero)."""

    name: str
    values: Sequence[float | None]
    css_class: str = ""  # e.g. "incoming": a page's stylesheet may colour it
    color: str = ""  # overrides the palette


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart and the data table that comes with it.

    ``categories`` are the x axis (years, quarters) or, for a horizontal bar chart, the
    rows (partnerships). ``category_label`` heads the categories' column of the data
    table ("Năm"). ``description`` is the text alternative (SVG ``<desc>``, the Word
    picture's alt text); a summary is written when it is empty.
    """

    kind: ChartKind
    title: str
    categories: Sequence[str]
    series: Sequence[Series]
    category_label: str = ""
    unit: str = ""  # of the values, shown on the value axis ("lượt", "%")
    value_format: ValueFormat = "number"
    decimals: int = 0
    description: str = ""
    width: int = 640
    height: int = 0  # 0: 320 for vertical charts, by the number of rows for horizontal
    show_values: bool = True
    chart_id: str = field(default="")

    def __post_init__(self) -> None:
        for series in self.series:
            if len(series.values) != len(self.categories):
                msg = (
                    f"Series “{series.name}” has {len(series.values)} values for "
                    f"{len(self.categories)} categories."
                )
                raise ValueError(msg)

    @property
    def identifier(self) -> str:
        """A stable id for the SVG's title and description (several charts on a page)."""
        if self.chart_id:
            return self.chart_id
        digest = hashlib.sha1(  # noqa: S324 (an id, not a secret)
            repr((self.kind, self.title, tuple(self.categories))).encode()
        ).hexdigest()[:8]
        return f"chart-{digest}"

    def color(self, index: int) -> str:
        return self.series[index].color or PALETTE[index % len(PALETTE)]

    def totals(self) -> list[float]:
        return [sum(s.values[i] or 0 for s in self.series) for i in range(len(self.categories))]

    def is_empty(self) -> bool:
        return not self.categories or all(
            not value for series in self.series for value in series.values
        )

    def format(self, value: float | None, *, whole: bool = False) -> str:
        """A value as the chart writes it (``whole``: without decimals, for axis ticks)."""
        if value is None:
            return "—"
        text = format_number(value, 0 if whole else self.decimals)
        return f"{text}%" if self.value_format == "percent" else text


def format_number(value: float, decimals: int = 0, language: str | None = None) -> str:
    """A number as the language writes it: Vietnamese 1.234,5; English 1,234.5.

    Django's Vietnamese locale has no thousands grouping, so this does it by hand
    (TCVN writes the thousands separator as a dot and the decimal comma).
    """
    language = (language or get_language() or "vi").lower()
    text = f"{value:,.{decimals}f}"
    if language.startswith("vi"):
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return text


def nice_ticks(maximum: float, *, integers: bool, count: int = 5) -> list[float]:
    """Round axis steps (1, 2 or 5 × 10ⁿ) from 0 to at least ``maximum``."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if integers:
        step = max(1.0, math.ceil(step))
    top = math.ceil(maximum / step - 1e-9) * step
    return [i * step for i in range(round(top / step) + 1)]
