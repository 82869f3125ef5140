"""A chart in a Word document: its picture (PNG) and, under it, its data table."""

from __future__ import annotations

from common.charts import Chart, data_table, describe, render_png

from .blocks import Align, Block, Image, Table

DEFAULT_WIDTH_MM = 160.0


def chart_blocks(chart: Chart, width_mm: float = DEFAULT_WIDTH_MM) -> list[Block]:
    """The chart as a captioned picture with its text alternative, then its numbers."""
    table = data_table(chart)
    values = len(table.header) - 1
    numbers: list[Align] = ["right"] * values
    return [
        Image(render_png(chart), width_mm, describe(chart), caption=chart.title),
        Table(
            table.header,
            table.rows,
            widths=(2.0, *[1.0] * values),
            align=("left", *numbers),
        ),
    ]
