"""Inline SVG charts for `seedbed report html`: no script, no network, no fonts
beyond the system's sans-serif. Each chart is one <svg> element with an id."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

WIDTH = 540
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 44
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
)
Point = tuple[float, float]


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its length, the text beside it, and a marker (p95)."""

    label: str
    value: float
    text: str
    marker: float | None = None


@dataclass(frozen=True)
class Line:
    """A horizontal reference line (a limit, a threshold)."""

    value: float
    label: str
    colour: str = "#d62728"


def nice_top(value: float) -> float:
    """A round number at or above value, for the top of an axis."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * magnitude >= value:
            return float(step * magnitude)
    return float(10 * magnitude)


def _number(value: float) -> str:
    return f"{value:g}" if value < 1000 else f"{value:,.0f}"


def _empty(chart_id: str, text: str) -> str:
    return (
        f'<svg id="{chart_id}" class="chart empty" viewBox="0 0 {WIDTH} 80"'
        f' width="{WIDTH}" height="80" role="img" xmlns="http://www.w3.org/2000/svg">'
        f'<text x="{WIDTH / 2}" y="44" text-anchor="middle" fill="#777">'
        f"{escape(text)}</text></svg>"
    )


def line_chart(
    chart_id: str,
    series: Mapping[str, Sequence[Point]],
    unit: str,
    lines: Sequence[Line] = (),
    empty: str = "nothing recorded yet",
    zoom: bool = False,
) -> str:
    """Series of (unix time, value) points, one colour each, with a legend.
    zoom: the axis starts near the lowest value instead of at 0."""
    shown = {name: sorted(points) for name, points in series.items() if points}
    if not shown:
        return _empty(chart_id, empty)
    xs = [x for points in shown.values() for x, _ in points]
    ys = [y for points in shown.values() for _, y in points]
    ys += [line.value for line in lines]
    x0, x1 = min(xs), max(xs)
    if x1 == x0:
        x0, x1 = x0 - 1800, x1 + 1800
    y1 = nice_top(max(ys) * 1.05)
    y0 = max(0.0, math.floor(min(ys) / 5) * 5 - 5) if zoom else 0.0
    if y0 >= y1:
        y0 = 0.0
    plot_w = WIDTH - LEFT - RIGHT
    legend_rows = math.ceil(len(shown) / 3)
    height = HEIGHT + 18 * legend_rows
    plot_h = HEIGHT - TOP - BOTTOM

    def sx(x: float) -> float:
        return LEFT + (x - x0) / (x1 - x0) * plot_w

    def sy(y: float) -> float:
        return TOP + plot_h - (y - y0) / (y1 - y0) * plot_h

    parts = [
        f'<svg id="{chart_id}" class="chart" viewBox="0 0 {WIDTH} {height}"'
        f' width="{WIDTH}" height="{height}" role="img"'
        ' xmlns="http://www.w3.org/2000/svg">'
    ]
    parts += _y_axis(y0, y1, unit, sy, plot_w)
    parts += _x_axis(x0, x1, sx, TOP + plot_h)
    for line in lines:
        y = sy(line.value)
        parts.append(
            f'<line class="reference" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}"'
            f' y2="{y:.1f}" stroke="{line.colour}" stroke-dasharray="6 4"/>'
            f'<text x="{LEFT + plot_w - 4}" y="{y - 4:.1f}" text-anchor="end"'
            f' fill="{line.colour}" font-size="11">{escape(line.label)}</text>'
        )
    for index, (name, points) in enumerate(shown.items()):
        colour = PALETTE[index % len(PALETTE)]
        coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in points)
        parts.append(
            f'<polyline class="series" data-series="{escape(name)}" points="{coords}"'
            f' fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        parts += [
            f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" fill="{colour}">'
            f"<title>{escape(name)}: {_number(round(y, 3))} {escape(unit)}</title>"
            "</circle>"
            for x, y in points
        ]
        col, row = index % 3, index // 3
        lx, ly = LEFT + col * (plot_w / 3), HEIGHT + row * 18
        parts.append(
            f'<rect x="{lx:.1f}" y="{ly - 9}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 16:.1f}" y="{ly + 1}" font-size="12">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _y_axis(
    bottom: float, top: float, unit: str, sy: object, plot_w: float
) -> list[str]:
    assert callable(sy)
    parts = []
    for step in range(5):
        value = bottom + (top - bottom) * step / 4
        y = sy(value)
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}"'
            ' stroke="#e5e5e5"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11"'
            f' fill="#555">{_number(round(value, 2))}</text>'
        )
    parts.append(
        f'<text x="12" y="{TOP + 4}" font-size="11" fill="#555"'
        f' transform="rotate(-90 12 {TOP + 4})" text-anchor="end">{escape(unit)}</text>'
    )
    return parts


def _x_axis(x0: float, x1: float, sx: object, base: float) -> list[str]:
    assert callable(sx)
    span = x1 - x0
    form = "%H:%M" if span <= 2 * 86_400 else "%d %b"
    parts = [
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}"'
        ' stroke="#999"/>'
    ]
    for step in range(5):
        x = x0 + span * step / 4
        label = datetime.fromtimestamp(x, UTC).strftime(form)
        anchor = ("start", "middle", "middle", "middle", "end")[step]
        parts.append(
            f'<text x="{sx(x):.1f}" y="{base + 16}" text-anchor="{anchor}"'
            f' font-size="11" fill="#555">{label}</text>'
        )
    return parts


def bar_chart(
    chart_id: str,
    bars: Sequence[Bar],
    unit: str,
    top: float | None = None,
    empty: str = "nothing recorded yet",
) -> str:
    """Horizontal bars, longest first as given, each with its text; an
    optional marker per bar (the p95 beside a median)."""
    if not bars:
        return _empty(chart_id, empty)
    label_w = 170
    row = 26
    height = TOP + row * len(bars) + 30
    plot_w = WIDTH - label_w - 150
    highest = max([b.value for b in bars] + [b.marker or 0 for b in bars])
    scale_top = top if top is not None else nice_top(highest)
    parts = [
        f'<svg id="{chart_id}" class="chart" viewBox="0 0 {WIDTH} {height}"'
        f' width="{WIDTH}" height="{height}" role="img"'
        ' xmlns="http://www.w3.org/2000/svg">'
    ]
    for index, bar in enumerate(bars):
        y = TOP + index * row
        length = max(bar.value / scale_top * plot_w, 1) if scale_top else 1
        colour = PALETTE[index % len(PALETTE)]
        marker_x = (bar.marker or 0) / scale_top * plot_w if scale_top else 0
        text_at = max(length, marker_x)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" font-size="12">'
            f"{escape(bar.label[:28])}</text>"
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{length:.1f}"'
            f' height="{row - 8}" fill="{colour}"><title>{escape(bar.label)}:'
            f" {escape(bar.text)}</title></rect>"
            f'<text x="{label_w + text_at + 6:.1f}" y="{y + 15}" font-size="12"'
            f' fill="#333">{escape(bar.text)}</text>'
        )
        if bar.marker is not None:
            mx = label_w + bar.marker / scale_top * plot_w
            parts.append(
                f'<line class="marker" x1="{mx:.1f}" x2="{mx:.1f}" y1="{y + 1}"'
                f' y2="{y + row - 3}" stroke="#222" stroke-width="2"/>'
            )
    base = TOP + row * len(bars) + 4
    parts.append(
        f'<text x="{label_w}" y="{base + 14}" font-size="11" fill="#555">0</text>'
        f'<text x="{label_w + plot_w}" y="{base + 14}" font-size="11" fill="#555"'
        f' text-anchor="end">{_number(scale_top)} {escape(unit)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
